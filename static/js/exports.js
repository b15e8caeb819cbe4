// Printable ผ.02 page: show a Print button (the page works without it, through the browser's menu).
document.querySelectorAll(".js-print").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
