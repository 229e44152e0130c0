/*
 * The mailing report's figures, kept up to date while the mailing is scheduled or going
 * out: every 3 seconds, the JSON "progress" view is asked for the figures, which replace
 * those of the page. The page works without this script ("Mettre à jour" reloads it).
 */
(function () {
  "use strict";

  var INTERVAL = 3000;
  var ACTIVE = ["scheduled", "sending"];

  function start(root) {
    var url = root.getAttribute("data-url");
    if (!url || !window.fetch) {
      return;
    }
    var bar = root.querySelector("[data-progress-bar]");

    function apply(data) {
      var figures = root.querySelectorAll("[data-figure]");
      Array.prototype.forEach.call(figures, function (node) {
        var key = node.getAttribute("data-figure");
        var value;
        if (key === "status_label") {
          value = data.status_label.charAt(0).toUpperCase() + data.status_label.slice(1);
        } else if (key === "percent") {
          value = String(data.percent);
        } else if (data.display && key in data.display) {
          value = data.display[key];
        }
        // Touch the text only when it changes: the live region is then read only when
        // there is something new.
        if (value !== undefined && node.textContent !== value) {
          node.textContent = value;
        }
      });
      if (bar && String(bar.value) !== String(data.percent)) {
        bar.value = data.percent;
        bar.textContent = data.percent + " %";
      }
    }

    function poll() {
      fetch(url, {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        cache: "no-store",
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(response.status);
          }
          return response.json();
        })
        .then(function (data) {
          apply(data);
          if (ACTIVE.indexOf(data.status) !== -1) {
            window.setTimeout(poll, INTERVAL);
          }
        })
        .catch(function () {
          // A network hiccup: try again later, a little less often.
          window.setTimeout(poll, INTERVAL * 3);
        });
    }

    window.setTimeout(poll, INTERVAL);
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-mailing-progress]"), start);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
