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
})();
