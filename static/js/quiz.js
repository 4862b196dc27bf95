// A quiz attempt: each answer is saved as soon as it is chosen (JSON to the attempt's autosave
// endpoint, sent again when the connection comes back), and a countdown runs to the server's
// deadline. The server is the judge of time: the countdown takes the seconds left from the
// server's answers, and at zero the form is submitted; the server grades only the answers it saved
// in time. Without this script the form still works: "Submit" saves every answer, then submits.
(function () {
  "use strict";
  var form = document.getElementById("quiz-form");
  if (!form) { return; }
  var data = form.dataset;
  var status = document.getElementById("quiz-save-status");
  var timer = document.getElementById("quiz-timer");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var pending = {};      // question id -> choice values not yet acknowledged by the server
  var sending = false;
  var closed = false;    // submitted elsewhere or out of time: nothing more is sent
  var submitting = false;
  var retryDelay = 2000;
  var endsAt = null;     // performance.now() at which the time is up
  var warned = false;

  function say(text) { if (status && text) { status.textContent = text; } }

  function submit() {
    if (submitting) { return; }
    submitting = true;
    HTMLFormElement.prototype.submit.call(form);
  }

  function sync(body) {
    if (!body) { return; }
    if (body.result_url) { closed = true; window.location.assign(body.result_url); return; }
    if (typeof body.seconds_left === "number") { endsAt = performance.now() + body.seconds_left * 1000; }
    if (body.closed) { closed = true; submit(); }
  }

  // --- Autosave ------------------------------------------------------------------------------
  function picked(fieldset) {
    // The values are opaque strings, this attempt's own: the server alone knows which choice each is.
    return Array.prototype.map.call(fieldset.querySelectorAll("input:checked"), function (input) {
      return input.value;
    });
  }

  function flush() {
    if (sending || closed) { return; }
    var ids = Object.keys(pending);
    if (!ids.length) { return; }
    var question = ids[0];
    var choices = pending[question];
    delete pending[question];
    sending = true;
    fetch(data.answerUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ question: parseInt(question, 10), choices: choices })
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (result) {
      sending = false;
      retryDelay = 2000;
      say(result.ok ? status.dataset.saved : result.body.error);
      sync(result.body);
      flush();
    }).catch(function () {
      // No answer, or not JSON (offline, a proxy's error page): keep the newest choice and retry.
      sending = false;
      if (!(question in pending)) { pending[question] = choices; }
      say(status.dataset.failed);
      window.setTimeout(flush, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 30000);
    });
  }

  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest("fieldset[data-question]");
    if (!fieldset) { return; }
    pending[fieldset.getAttribute("data-question")] = picked(fieldset);
    flush();
  });
  form.addEventListener("submit", function (event) {
    if (submitting) { event.preventDefault(); return; }
    submitting = true;
  });
  window.addEventListener("online", flush);

  // --- Countdown -----------------------------------------------------------------------------
  if (!timer) { return; }
  var deadline = parseInt(timer.dataset.deadline, 10) * 1000;
  endsAt = performance.now() + (deadline - Date.now());  // until the server says otherwise

  function two(number) { return (number < 10 ? "0" : "") + number; }

  function tick() {
    if (endsAt === null || submitting) { return; }
    var left = Math.max(0, Math.ceil((endsAt - performance.now()) / 1000));
    var hours = Math.floor(left / 3600);
    var clock = (hours ? hours + ":" + two(Math.floor(left / 60) % 60) : Math.floor(left / 60)) + ":" + two(left % 60);
    timer.textContent = timer.dataset.left.replace("{time}", clock);
    timer.classList.toggle("is-short", left <= 60);
    if (left <= 60 && !warned) { warned = true; say(timer.dataset.lastMinute); }
    if (left === 0) {
      timer.textContent = timer.dataset.over;
      submit();
    }
  }

  function askServer() {
    if (closed) { return; }
    fetch(data.statusUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(sync)
      .catch(function () { /* offline: the local countdown goes on */ });
  }

  tick();
  askServer();
  window.setInterval(tick, 1000);
  window.setInterval(askServer, 60000);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { askServer(); tick(); }
  });
  window.addEventListener("online", askServer);
})();
