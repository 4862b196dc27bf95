// Refill the commune list when the province changes. Without this script the form's
// "Show the communes of this province" button does the same with a round trip.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var province = document.getElementById("id_province");
  var commune = document.getElementById("id_commune");
  if (!province || !commune) { return; }
  var url = "/learning/communes/?province=";
  // Moving through the provinces with the arrow keys fires one request per province, and the
  // answers may come back in any order: only the answer for the province selected now may fill
  // the list, or a late answer for an earlier province leaves communes the form then refuses.
  var pending = null;

  function fill(communes) {
    var placeholder = commune.options.length ? commune.options[0].text : "";
    commune.innerHTML = "";
    commune.add(new Option(placeholder, ""));
    communes.forEach(function (item) { commune.add(new Option(item.name, item.code)); });
    commune.disabled = false;
  }

  province.addEventListener("change", function () {
    if (pending && pending.controller) { pending.controller.abort(); }
    pending = null;
    var code = province.value;
    if (!code) { fill([]); return; }
    commune.disabled = true;
    var request = { controller: typeof AbortController === "function" ? new AbortController() : null };
    pending = request;
    fetch(url + encodeURIComponent(code), {
      headers: { "Accept": "application/json" },
      signal: request.controller ? request.controller.signal : undefined
    })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        if (pending !== request || province.value !== code) { return; }  // a later change owns the list
        pending = null;
        fill(data.communes);
      })
      .catch(function () {
        if (pending === request) { pending = null; commune.disabled = false; }
      });
  });
}());
