// The lesson video: picks a source (native HLS on Safari and iOS, the vendored hls.js where Media
// Source Extensions exist, else the MP4 in the page), resumes at the saved position, and reports
// the intervals actually played. Every ~10 s while playing, and on pause, end, leaving or hiding
// the page, it posts them with the page's signed token (and the session cookie, which the token is
// bound to); the server merges them, caps them by the time since the page was opened and decides
// completion. Without this script the MP4 plays and nothing is recorded.
(function () {
  "use strict";
  var video = document.getElementById("lesson-video");
  if (!video) { return; }
  var data = video.dataset;
  var status = document.getElementById("player-status");
  var resume = parseFloat(data.resume) || 0;
  var heartbeatUrl = data.heartbeatUrl;
  var token = data.token;
  var HEARTBEAT_MS = 10000;
  var pending = [];       // closed intervals not yet acknowledged by the server
  var current = null;     // [start, end] growing while the video plays without a jump
  var lastTime = null;
  var sending = false;
  var stopped = false;    // the token expired or was refused: stop reporting
  var played = false;     // until the learner plays, there is no position worth saving
  var timer = null;

  function say(text) { if (status && text) { status.textContent = text; } }

  // --- Source ------------------------------------------------------------------------------
  function loadScript(src, done) {
    var script = document.createElement("script");
    script.src = src;
    script.onload = done;
    document.head.appendChild(script);
  }

  function resumeOnce() {
    if (resume > 0 && video.currentTime < 1) {
      try { video.currentTime = resume; } catch (error) { /* not seekable yet */ }
    }
    resume = 0;
  }

  function useHlsJs(url) {
    loadScript(data.hlsScript, function () {
      var Hls = window.Hls;
      if (!Hls || !Hls.isSupported()) { return; }
      // No worker: it would run from a blob: URL, which our Content-Security-Policy refuses.
      var hls = new Hls({ enableWorker: false, capLevelToPlayerSize: true, autoStartLoad: false });
      var started = false;
      hls.on(Hls.Events.ERROR, function (event, info) {
        if (info.fatal) {
          // Fall back to the MP4 in the page.
          hls.destroy();
          video.removeAttribute("src");
          video.load();
        }
      });
      hls.loadSource(url);
      hls.attachMedia(video);
      // Nothing is downloaded until the learner presses play (slow and metered connections).
      video.addEventListener("play", function () {
        if (!started) { started = true; hls.startLoad(resume > 0 ? resume : -1); resume = 0; }
      });
    });
  }

  var hlsUrl = data.hlsUrl;
  var nativeHls = video.canPlayType("application/vnd.apple.mpegurl");
  var mse = window.MediaSource || window.ManagedMediaSource;
  if (hlsUrl && nativeHls && (!window.MediaSource || /Apple/.test(navigator.vendor || ""))) {
    video.src = hlsUrl;
  } else if (hlsUrl && mse) {
    useHlsJs(hlsUrl);
  }
  video.addEventListener("loadedmetadata", resumeOnce);

  // --- Watched intervals ---------------------------------------------------------------------
  function closeCurrent() {
    if (current && current[1] > current[0]) { pending.push(current); }
    current = null;
  }

  video.addEventListener("timeupdate", function () {
    var now = video.currentTime;
    if (video.paused || video.seeking) { lastTime = now; return; }
    var step = lastTime === null ? -1 : now - lastTime;
    // timeupdate fires about four times a second; a larger step is a jump, not playing.
    if (step > 0 && step <= 1.5 * Math.max(1, video.playbackRate)) {
      if (!current) { current = [lastTime, now]; } else { current[1] = now; }
    } else if (step !== 0) {
      closeCurrent();
    }
    lastTime = now;
  });
  video.addEventListener("seeking", function () { closeCurrent(); lastTime = null; });
  // Count from where playing (re)starts, not from the first timeupdate a quarter second later.
  video.addEventListener("seeked", function () { lastTime = video.currentTime; });

  // --- Heartbeats ----------------------------------------------------------------------------
  function round(value) { return Math.round(value * 100) / 100; }

  function report() {
    closeCurrent();
    var intervals = pending.map(function (pair) { return [round(pair[0]), round(pair[1])]; })
      .filter(function (pair) { return pair[1] > pair[0]; });
    return { token: token, intervals: intervals, position: round(video.currentTime || 0) };
  }

  function send() {
    if (!heartbeatUrl || stopped || sending || !played) { return; }
    var body = report();
    var batch = pending;
    pending = [];
    sending = true;
    fetch(heartbeatUrl, {
      method: "POST",
      body: JSON.stringify(body),
      headers: { "Content-Type": "application/json" },
      credentials: "same-origin",
      keepalive: true
    }).then(function (response) {
      sending = false;
      if (response.status === 403) { stopped = true; say(status && status.dataset.expired); return null; }
      // 400: the server refused this batch; sending it again would be refused again.
      return response.ok ? response.json() : null;
    }).then(function (result) {
      if (result && result.completed) {
        say(status && status.dataset.completed);
        document.dispatchEvent(new CustomEvent("onetouch:lesson-completed", { detail: result }));  // outline.js applies result.outline
      }
    }).catch(function () {
      sending = false;
      pending = batch.concat(pending);  // offline: keep the intervals for the next heartbeat
    });
  }

  function beacon() {
    if (!heartbeatUrl || stopped || !played) { return; }
    var body = JSON.stringify(report());
    pending = [];
    if (!(navigator.sendBeacon && navigator.sendBeacon(heartbeatUrl, body))) {
      fetch(heartbeatUrl, { method: "POST", body: body, credentials: "same-origin", keepalive: true }).catch(function () {});
    }
  }

  video.addEventListener("playing", function () {
    played = true;
    if (lastTime === null) { lastTime = video.currentTime; }
  });
  video.addEventListener("play", function () {
    if (!timer) { timer = window.setInterval(send, HEARTBEAT_MS); }
  });
  video.addEventListener("pause", function () {
    window.clearInterval(timer);
    timer = null;
    send();
  });
  video.addEventListener("ended", send);
  window.addEventListener("pagehide", beacon);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { beacon(); }
  });
}());
