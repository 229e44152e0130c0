// Progressive enhancement only: every task works without this file.
(function () {
  "use strict";
  // Print buttons (pages mark them with data-print); the link still works without JS.
  document.addEventListener("click", function (event) {
    var trigger = event.target.closest("[data-print]");
    if (trigger) {
      event.preventDefault();
      window.print();
    }
  });
  // Wide screens show the menu; browsers that cannot unfold it in CSS (no ::details-content)
  // get it opened here. Without this file they show the "Menu" button, which still works.
  var menu = document.querySelector("[data-site-menu]");
  if (
    menu &&
    !(window.CSS && CSS.supports && CSS.supports("selector(::details-content)")) &&
    window.matchMedia("(min-width: 48rem)").matches
  ) {
    menu.open = true;
  }
})();
