// Progressive enhancement for the idea form: similar ideas as the title is
// typed, and an early warning about too many or too large photos. The form
// works without this file (the preview step lists similar ideas, the server
// checks the photos).
(function () {
  "use strict";

  var form = document.querySelector("form.idea-form");
  if (!form) { return; }

  // --- similar ideas while typing the title -----------------------------------
  var box = document.getElementById("similar-ideas");
  var title = document.getElementById("title");
  if (box && title && window.fetch) {
    var timer = null;
    var lastQuery = "";
    var render = function (data) {
      while (box.firstChild) { box.removeChild(box.firstChild); }
      if (!data.ideas || !data.ideas.length) { box.hidden = true; return; }
      var heading = document.createElement("p");
      heading.textContent = data.heading;
      box.appendChild(heading);
      var list = document.createElement("ul");
      data.ideas.forEach(function (idea) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = idea.url;
        link.textContent = idea.title;  // text, never HTML
        item.appendChild(link);
        var meta = " (" + idea.meta + ")";  // translated on the server: "ได้รับแล้ว ผู้สนับสนุน 2 คน"
        item.appendChild(document.createTextNode(meta));
        list.appendChild(item);
      });
      box.appendChild(list);
      box.hidden = false;
    };
    var lookUp = function () {
      var query = title.value.trim();
      if (query === lastQuery) { return; }
      lastQuery = query;
      if (query.length < 2) { render({ ideas: [] }); return; }
      fetch(box.getAttribute("data-url") + "?q=" + encodeURIComponent(query), {
        headers: { "Accept": "application/json" }, credentials: "same-origin"
      }).then(function (response) {
        return response.ok ? response.json() : { ideas: [] };
      }).then(render).catch(function () { /* the preview step still shows them */ });
    };
    title.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(lookUp, 400);
    });
  }

  // --- photos: warn before a long upload that would be refused ------------------
  var input = document.getElementById("photos");
  var warning = document.getElementById("photo-warning");
  if (input && warning && input.files !== undefined) {
    var maxPhotos = parseInt(form.getAttribute("data-max-photos"), 10);
    var maxBytes = parseInt(form.getAttribute("data-max-bytes"), 10);
    input.addEventListener("change", function () {
      var message = "";
      var kept = form.querySelectorAll("input[name=remove_photo]").length;
      if (input.files.length + kept > maxPhotos) {
        message = form.getAttribute("data-too-many");
      } else {
        for (var i = 0; i < input.files.length; i++) {
          if (input.files[i].size > maxBytes) {
            message = input.files[i].name + ": " + form.getAttribute("data-too-big");
            break;
          }
        }
      }
      warning.textContent = message;
      warning.hidden = !message;
    });
    form.addEventListener("submit", function (event) {
      if (!warning.hidden && warning.textContent) {
        event.preventDefault();
        warning.focus();
      }
    });
    warning.setAttribute("tabindex", "-1");
  }
})();
