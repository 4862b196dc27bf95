// The progress of a roster's check or import: polls the page's small JSON address every second,
// moves the bar, and reloads the page once the job has finished (the page then shows its result).
(function () {
  "use strict";
  var box = document.getElementById("roster-progress");
  if (!box) return;
  var bar = box.querySelector("progress");
  var done = box.querySelector("[data-done]");
  var total = box.querySelector("[data-total]");
  var url = box.getAttribute("data-url");

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) { window.setTimeout(poll, 3000); return; }
        if (state.finished) { window.location.reload(); return; }
        bar.max = Math.max(state.total, 1);
        bar.value = state.done;
        done.textContent = state.done;
        total.textContent = state.total;
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
