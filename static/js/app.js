// Progressive enhancement only: every page works without this file.

// Wide screens show the menu open; browsers without ::details-content need the <details> opened.
(function () {
  var menu = document.querySelector("details.nav-menu");
  if (menu && window.matchMedia("(min-width: 40.01rem)").matches &&
      !(window.CSS && CSS.supports("selector(::details-content)"))) {
    menu.open = true;
  }
})();
