// Slides one page at a time without reloading: previous/next buttons and the arrow keys swap the
// page image and the next image is fetched ahead. Each page shown is reported with the page's
// signed token, and reported again once it has stayed on screen data-min-seconds: the server
// counts a page as seen only when its own clock agrees, and the deck completes when every page
// was seen. Without this script the same buttons are links that load the page with ?page=N,
// which the server records the same way, completing nothing (a GET changes nothing others see):
// the last page's "I have read the last page" button posts the page that completes the deck.
(function () {
  "use strict";
  var deck = document.querySelector(".slides");
  var pagesData = document.getElementById("slide-pages");
  if (!deck || !pagesData) { return; }
  var urls = JSON.parse(pagesData.textContent);
  var image = document.getElementById("slide-image");
  var counter = document.getElementById("slide-counter");
  var previous = document.getElementById("slide-prev");
  var next = document.getElementById("slide-next");
  var data = deck.dataset;
  var page = parseInt(data.page, 10) || 1;
  var count = urls.length;
  var dwellMs = (parseFloat(data.minSeconds) || 0) * 1000;
  var RETRY_MS = 1000;    // the server's clock said "not yet": ask again a little later
  var MAX_RETRIES = 5;
  var seen = {};          // pages the server counted as seen
  var timer = null;
  var stopped = false;    // the token expired or was refused: stop reporting

  function label(number) {
    return data.counter.replace("{page}", String(number));
  }

  function say(result) {
    var status = document.getElementById("slides-status");
    if (!result || !result.completed) { return; }
    if (status) { status.textContent = status.dataset.completed; }
    document.dispatchEvent(new CustomEvent("onetouch:lesson-completed", { detail: result }));  // outline.js applies result.outline
  }

  // Reports go one at a time, in the order the pages were shown: two quick page turns sent at once
  // could reach the server in the other order, and it would then time the wrong page.
  var reports = Promise.resolve();

  // Report that `number` is on screen; when `retries` is given this is the report that the page
  // stayed there long enough, repeated while the server has not counted it yet.
  function report(number, retries) {
    reports = reports.then(function () { return send(number, retries); });
  }

  function send(number, retries) {
    if (!data.heartbeatUrl || stopped) { return null; }
    return fetch(data.heartbeatUrl, {
      method: "POST",
      body: JSON.stringify({ token: data.token, page: number }),
      headers: { "Content-Type": "application/json" },
      credentials: "same-origin",
      keepalive: true
    }).then(function (response) {
      if (response.status === 403) { stopped = true; }
      return response.ok ? response.json() : null;
    }).then(function (result) {
      if (!result) { return; }
      result.pages_viewed.forEach(function (viewed) { seen[viewed] = true; });
      say(result);
      if (retries !== undefined && !seen[number] && number === page && retries < MAX_RETRIES) {
        schedule(number, RETRY_MS, retries + 1);
      }
    }).catch(function () { /* offline: the next page turn reports again */ });
  }

  function schedule(number, delay, retries) {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      if (number === page && !seen[number]) { report(number, retries); }
    }, delay);
  }

  function setLink(link, number) {
    if (number >= 1 && number <= count) {
      link.href = "?page=" + number;
      link.removeAttribute("aria-disabled");
    } else {
      link.removeAttribute("href");
      link.setAttribute("aria-disabled", "true");
    }
  }

  function show(number) {
    if (number < 1 || number > count || number === page) { return; }
    page = number;
    image.src = urls[page - 1];
    image.alt = label(page);
    counter.textContent = label(page);
    setLink(previous, page - 1);
    setLink(next, page + 1);
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", "?page=" + page);
    }
    if (page < count) { new Image().src = urls[page]; }
    report(page);
    if (!seen[page]) { schedule(page, dwellMs + 250, 0); }
  }

  previous.addEventListener("click", function (event) { event.preventDefault(); show(page - 1); });
  next.addEventListener("click", function (event) { event.preventDefault(); show(page + 1); });
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) { return; }
    if (event.key === "ArrowLeft") { show(page - 1); }
    if (event.key === "ArrowRight") { show(page + 1); }
  });
  if (page < count) { new Image().src = urls[page]; }
  // The server recorded the first page on screen when it rendered it.
  schedule(page, dwellMs + 250, 0);
}());
