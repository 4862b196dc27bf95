// Slides one page at a time without reloading: previous/next buttons and the arrow keys swap the
// page image, the next image is fetched ahead, and each page shown is reported with the page's
// signed token (the deck completes when every page was viewed). Without this script the same
// buttons are links that load the page with ?page=N, which the server records.
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
  var seen = {};
  seen[page] = true;  // the server recorded the first page when it rendered it
  var unsent = [];

  function label(number) {
    return data.counter.replace("{page}", String(number));
  }

  function report() {
    if (!data.heartbeatUrl || !unsent.length) { return; }
    var body = JSON.stringify({ token: data.token, pages: unsent });
    var batch = unsent;
    unsent = [];
    fetch(data.heartbeatUrl, {
      method: "POST",
      body: body,
      headers: { "Content-Type": "application/json" },
      credentials: "omit",
      keepalive: true
    }).then(function (response) {
      if (response.status >= 500) { unsent = batch.concat(unsent); }
      return response.ok ? response.json() : null;
    }).then(function (result) {
      var status = document.getElementById("slides-status");
      if (result && result.completed && status) { status.textContent = status.dataset.completed; }
    }).catch(function () { unsent = batch.concat(unsent); });
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
    if (!seen[page]) { seen[page] = true; unsent.push(page); report(); }
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
}());
