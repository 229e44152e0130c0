// Sign-up and preference forms: once a postcode is typed, offer its communes at once instead
// of after sending the form. Progressive enhancement only: without this file, the server
// asks for the commune when the postcode has several.
(function () {
  "use strict";
  var form = document.querySelector("form[data-commune-lookup]");
  if (!form) return;
  var postcode = form.querySelector("#id_postcode");
  var slot = form.querySelector("[data-commune-slot]");
  if (!postcode || !slot) return;
  var endpoint = form.getAttribute("data-commune-lookup");
  var legend = form.getAttribute("data-commune-legend");
  var lastCode = "";

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function hidden(code) {
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = "commune";
    input.value = code;
    return input;
  }

  function radios(communes) {
    var fieldset = document.createElement("fieldset");
    var title = document.createElement("legend");
    title.textContent = legend;
    fieldset.appendChild(title);
    communes.forEach(function (commune, i) {
      var div = document.createElement("div");
      var label = document.createElement("label");
      var input = document.createElement("input");
      input.type = "radio";
      input.name = "commune";
      input.value = commune.insee_code;
      input.id = "id_commune_js_" + i;
      label.htmlFor = input.id;
      label.appendChild(input);
      label.appendChild(
        document.createTextNode(" " + commune.name + " (" + commune.department.code + ")")
      );
      div.appendChild(label);
      fieldset.appendChild(div);
    });
    return fieldset;
  }

  // Looked up as soon as five digits are typed, not only when the field is left: the choice
  // then appears right after the postcode before the next Tab, so a keyboard user meets it in
  // order instead of having to come back to it.
  function lookup() {
    var code = postcode.value.replace(/\s+/g, "");
    if (!/^[0-9]{5}$/.test(code) || code === lastCode) return;
    lastCode = code;
    fetch(endpoint + "?format=json&q=" + encodeURIComponent(code), {
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (!data || !data.results || !data.results.length) return;
        clear(slot);
        if (data.results.length === 1) {
          slot.appendChild(hidden(data.results[0].insee_code));
        } else {
          slot.appendChild(radios(data.results));
        }
      })
      .catch(function () {
        // The server asks for the commune after sending: nothing is lost.
      });
  }

  postcode.addEventListener("input", lookup);
  postcode.addEventListener("change", lookup);
})();
