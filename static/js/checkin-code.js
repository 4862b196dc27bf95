// The learner's check-in code: a new code every 30 seconds. The page shows the code of the current
// step and how many seconds it has left; when they run out, the next code is fetched as JSON
// (code.json) and the QR image and digits are swapped. Should the fetch fail, the countdown says so
// and the next second tries again; the old code stays on screen (a trainer's phone accepts it for
// another 30 seconds).
(function () {
  "use strict";
  var box = document.getElementById("checkin-code");
  if (!box || !window.fetch) { return; }
  var image = document.getElementById("checkin-qr");
  var digits = document.getElementById("checkin-digits");
  var countdown = document.getElementById("checkin-countdown");
  var countdownText = document.getElementById("checkin-countdown-text").innerHTML.trim();
  var offlineText = document.getElementById("checkin-offline-text").innerHTML.trim();
  var secondsLeft = parseInt(box.getAttribute("data-seconds-left"), 10) || 30;
  var fetching = false;

  function show() {
    countdown.textContent = countdownText.replace("%(seconds)s", String(Math.max(secondsLeft, 0)));
  }

  function refresh() {
    if (fetching) { return; }
    fetching = true;
    fetch(box.getAttribute("data-url"), { credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (answer) {
        fetching = false;
        image.src = answer.qr;
        digits.textContent = answer.grouped;
        secondsLeft = answer.seconds_left;
        show();
      })
      .catch(function () {
        fetching = false;
        countdown.textContent = offlineText;
      });
  }

  window.setInterval(function () {
    secondsLeft -= 1;
    if (secondsLeft <= 0) { refresh(); } else { show(); }
  }, 1000);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { refresh(); }
  });
  show();
})();
