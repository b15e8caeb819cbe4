// Plans: ask before removing an item (and its sub-items) or a whole plan. Without JavaScript the forms post directly.
document.querySelectorAll("form[data-confirm]").forEach(function (form) {
  form.addEventListener("submit", function (event) {
    if (!window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
});
