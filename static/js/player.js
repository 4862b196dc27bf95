// The lesson video: nothing is downloaded before the learner presses play (preload="none", no
// poster with "save data"). On the first play it picks a source: native HLS where the browser has it
// (Safari, iOS, recent Chromium), the vendored hls.js, fetched only then, where Media Source
// Extensions exist, else the MP4 in the page. The rendition fits the player's size in CSS pixels
// (a 328 px phone player gets 360p, whatever its pixel ratio); with "save data" always the lowest.
// It resumes at the saved position and reports the intervals actually played. Every ~10 s while
// playing (the server's HEARTBEAT_SECONDS, from the page and then from each answer), and on pause,
// end, leaving or hiding the page, it posts them with the page's signed token (and the session
// cookie, which the token is bound to), then with the token of the last answer, which also
// carries what the server recorded so the next report needs no read; the server merges them, caps
// them by the time since the page was opened and decides completion. Without this script the MP4 plays and
// nothing is recorded.
(function () {
  "use strict";
  var video = document.getElementById("lesson-video");
  if (!video) { return; }
  var data = video.dataset;
  var status = document.getElementById("player-status");
  var resume = parseFloat(data.resume) || 0;
  var heartbeatUrl = data.heartbeatUrl;
  var token = data.token;
  // How often a playing video reports: the server's choice, from the page, then from each answer.
  var heartbeatMs = (parseFloat(data.heartbeatSeconds) || 10) * 1000;
  // The lowest rendition's height (courses.media.transcoding.RENDITION_LOW): enough for a player
  // up to this many CSS pixels high.
  var LOWEST_HEIGHT = 360;
  var pending = [];       // closed intervals not yet acknowledged by the server
  var current = null;     // [start, end] growing while the video plays without a jump
  var lastTime = null;
  var sending = false;
  var stopped = false;    // the token expired or was refused: stop reporting
  var played = false;     // until the learner plays, there is no position worth saving
  var timer = null;

  function say(text) { if (status && text) { status.textContent = text; } }

  // --- Save data -----------------------------------------------------------------------------
  // The learner's choice (from the server, kept on the profile); never chosen: the browser's hint.
  var connection = navigator.connection || {};
  var saveData = data.saveData === "1" || (data.saveDataChosen !== "1" && connection.saveData === true);
  var saveDataBox = document.getElementById("save-data");
  var hls = null;         // the hls.js player, once started

  function posterShow() {
    if (saveData || played) { video.removeAttribute("poster"); }
    else if (data.poster) { video.setAttribute("poster", data.poster); }
  }

  function renditionApply() {
    if (!hls) { return; }
    // Save data: the lowest rendition only; else hls.js caps by the player's CSS size.
    hls.capLevelToPlayerSize = !saveData;
    hls.autoLevelCapping = saveData ? 0 : -1;
    if (saveData) { hls.nextLevel = 0; }
  }

  if (saveDataBox) {
    saveDataBox.checked = saveData;
    var submit = document.getElementById("save-data-submit");
    if (submit) { submit.hidden = true; }  // the box saves itself
    saveDataBox.addEventListener("change", function () {
      saveData = saveDataBox.checked;
      posterShow();
      renditionApply();
      if (nativeHls) { nativeRenditionApply(); }
      var form = saveDataBox.form;
      var body = new FormData(form);
      fetch(form.action, {
        method: "POST",
        body: body,
        headers: { "Accept": "application/json" },
        credentials: "same-origin"
      }).catch(function () { /* offline: the choice holds on this page */ });
    });
  }
  posterShow();

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

  // The MP4 <source>s: taken out while HLS is used so pressing play never fetches the MP4, and
  // put back if HLS fails.
  var sources = [];

  function mp4Restore() {
    video.removeAttribute("src");
    sources.forEach(function (source) { video.appendChild(source); });
    sources = [];
    video.load();
    video.play().catch(function () {});
  }

  function smallPlayer() {
    return saveData || (video.clientHeight || 0) <= LOWEST_HEIGHT;
  }

  // Native HLS: the src is set now, but with preload="none" nothing is fetched before play. The
  // browser picks among the master's renditions by bandwidth, not size: a small player (or save
  // data) gets the lowest rendition's own playlist instead.
  function nativeSourceFor() {
    return smallPlayer() && data.hlsLowestUrl ? data.hlsLowestUrl : data.hlsUrl;
  }

  function useNativeHls() {
    video.src = nativeSourceFor();
    video.addEventListener("error", function onError() {
      if (!video.getAttribute("src")) { return; }
      video.removeEventListener("error", onError);
      video.removeAttribute("src");
      video.load();  // the MP4 <source>s
    });
  }

  function nativeRenditionApply() {
    var wanted = nativeSourceFor();
    if (!video.getAttribute("src") || video.getAttribute("src") === wanted) { return; }
    var at = video.currentTime;
    var wasPlaying = !video.paused;
    video.src = wanted;
    if (played) { resume = at; }
    if (wasPlaying) { video.play().catch(function () {}); }
  }

  function useHlsJs() {
    loadScript(data.hlsScript, function () {
      var Hls = window.Hls;
      if (!Hls || !Hls.isSupported()) { mp4Restore(); return; }
      // No worker: it would run from a blob: URL, which our Content-Security-Policy refuses.
      // CSS pixels, not device pixels: a 2x phone's 328 px player gets 360p, not 720p.
      hls = new Hls({
        enableWorker: false,
        capLevelToPlayerSize: !saveData,
        ignoreDevicePixelRatio: true,
        startLevel: smallPlayer() ? 0 : -1,
        startPosition: resume > 0 ? resume : -1
      });
      resume = 0;
      hls.on(Hls.Events.ERROR, function (event, info) {
        if (info.fatal) {
          // Fall back to the MP4 in the page.
          hls.destroy();
          hls = null;
          mp4Restore();
        }
      });
      hls.on(Hls.Events.MANIFEST_PARSED, function () {
        renditionApply();
        video.play().catch(function () {});
      });
      hls.loadSource(data.hlsUrl);
      hls.attachMedia(video);
    });
  }

  var nativeHls = data.hlsUrl && video.canPlayType("application/vnd.apple.mpegurl");
  var mse = data.hlsUrl && (window.MediaSource || window.ManagedMediaSource);
  if (nativeHls) {
    useNativeHls();
  } else if (mse) {
    // hls.js (about 190 KB) is fetched on the first play only; until then the MP4 <source>s are
    // out of the element, so pressing play cannot start the MP4 download.
    sources = Array.prototype.slice.call(video.querySelectorAll("source"));
    sources.forEach(function (source) { video.removeChild(source); });
    var started = false;
    video.addEventListener("play", function () {
      if (started) { return; }
      started = true;
      useHlsJs();
    });
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
      if (result && result.token) { token = result.token; }
      if (result && result.next_seconds > 0 && result.next_seconds * 1000 !== heartbeatMs) {
        heartbeatMs = result.next_seconds * 1000;
        if (timer) { window.clearInterval(timer); timer = window.setInterval(send, heartbeatMs); }
      }
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
    if (!timer) { timer = window.setInterval(send, heartbeatMs); }
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
