// The catalogue's filters, instantly on the page. Without this file the same form filters
// on the server (GET); here we apply the same rules to the data attributes of each gesture.
(function () {
  "use strict";
  var form = document.querySelector("[data-gesture-filters]");
  if (!form) return;
  var items = Array.prototype.slice.call(document.querySelectorAll("[data-gesture-item]"));
  var groups = Array.prototype.slice.call(document.querySelectorAll("[data-gesture-group]"));
  var selects = Array.prototype.slice.call(form.querySelectorAll("select[data-filter]"));
  var status = document.querySelector("[data-gesture-count]");

  function valuesOf(item, name) {
    return (item.getAttribute("data-" + name) || "").split(",");
  }

  function matches(item, active, skip) {
    return Object.keys(active).every(function (name) {
      return name === skip || valuesOf(item, name).indexOf(active[name]) !== -1;
    });
  }

  function apply() {
    var active = {};
    selects.forEach(function (select) {
      if (select.value) active[select.name] = select.value;
    });
    var visible = 0;
    items.forEach(function (item) {
      var show = matches(item, active);
      item.hidden = !show;
      if (show) visible += 1;
    });
    groups.forEach(function (group) {
      group.hidden = !group.querySelector("[data-gesture-item]:not([hidden])");
    });
    // Counts per value, the other filters kept (as the server computes them).
    selects.forEach(function (select) {
      var pool = items.filter(function (item) { return matches(item, active, select.name); });
      Array.prototype.forEach.call(select.options, function (option) {
        var count = option.value
          ? pool.filter(function (item) { return valuesOf(item, select.name).indexOf(option.value) !== -1; }).length
          : pool.length;
        option.textContent = option.getAttribute("data-label") + " (" + count + ")";
      });
    });
    if (status) {
      var key = visible === 0 ? "data-none" : visible === 1 ? "data-one" : "data-other";
      status.textContent = status.getAttribute(key).replace("NOMBRE", String(visible));
    }
    var params = new URLSearchParams(new FormData(form));
    Array.from(params.keys()).forEach(function (name) {
      // Empty filters and the default order stay out of the address.
      if (!params.get(name) || (name === "tri" && params.get(name) === "categorie")) {
        params.delete(name);
      }
    });
    var query = params.toString();
    history.replaceState(null, "", window.location.pathname + (query ? "?" + query : ""));
  }

  selects.forEach(function (select) { select.addEventListener("change", apply); });
  // Changing the order needs the server (it regroups the list): submit the form.
  Array.prototype.forEach.call(form.querySelectorAll("input[name=tri]"), function (radio) {
    radio.addEventListener("change", function () { form.submit(); });
  });
  form.addEventListener("submit", function (event) {
    var sortChanged = form.querySelector("input[name=tri]:checked");
    if (sortChanged && sortChanged.defaultChecked) {
      event.preventDefault();
      apply();
    }
  });
})();
