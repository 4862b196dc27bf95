// Refill the commune list when the province changes. Without this script the form's
// "Show the communes of this province" button does the same with a round trip.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var province = document.getElementById("id_province");
  var commune = document.getElementById("id_commune");
  if (!province || !commune) { return; }
  var url = "/learning/communes/?province=";

  function fill(communes) {
    var placeholder = commune.options.length ? commune.options[0].text : "";
    commune.innerHTML = "";
    commune.add(new Option(placeholder, ""));
    communes.forEach(function (item) { commune.add(new Option(item.name, item.code)); });
    commune.disabled = false;
  }

  province.addEventListener("change", function () {
    if (!province.value) { fill([]); return; }
    commune.disabled = true;
    fetch(url + encodeURIComponent(province.value), { headers: { "Accept": "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) { fill(data.communes); })
      .catch(function () { commune.disabled = false; });
  });
}());
