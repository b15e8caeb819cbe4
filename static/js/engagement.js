// Progressive enhancement for supports and comments: every form works without this file.
(function () {
  "use strict";

  // Ask before deleting a comment (without JavaScript the form deletes directly).
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    });
  });

  // Support without a page reload: the server answers JSON when asked for it.
  document.querySelectorAll("form.support-form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.fetch || !window.FormData) { return; }
      event.preventDefault();
      var button = form.querySelector("button");
      var want = form.querySelector("input[name=want]");
      button.disabled = true;
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { "Accept": "application/json" },
        credentials: "same-origin"
      }).then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, data: data }; });
      }).then(function (result) {
        if (!result.ok) { form.submit(); return; }  // let the server explain on a full page
        var count = document.querySelector("[data-support-count] strong");
        if (count) { count.textContent = result.data.count.toLocaleString(); }
        var on = result.data.supported;
        want.value = on ? "0" : "1";
        button.setAttribute("aria-pressed", on ? "true" : "false");
        button.classList.toggle("button-secondary", on);
        button.textContent = on ? form.getAttribute("data-label-on") : form.getAttribute("data-label-off");
        var status = document.getElementById("support-status");
        if (status) { status.textContent = result.data.message; }
      }).catch(function () {
        form.submit();
      }).then(function () {
        button.disabled = false;
      });
    });
  });
})();
