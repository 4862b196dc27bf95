// The trainer's check-in page, made to keep working when the network drops.
//
// Every code, scanned by the camera or typed, becomes a scan with an id made on this phone (a UUID)
// and the moment it was seen, kept in localStorage until the server has answered it. Queued scans
// are posted as JSON to the page's scans address whenever the phone is online (at once, when the
// browser says the network is back, and every 20 seconds); the server answers each one (checked in,
// already checked in, refused and why) and counts a scan sent twice once, by its id. Without
// script the code form posts as an ordinary form.
//
// The camera is used only where there is one (getUserMedia): the vendored qr-scanner library is
// loaded on the first press of the camera button, never before.
(function () {
  "use strict";
  var root = document.getElementById("checkin");
  var form = document.getElementById("code-form");
  if (!root || !form || !window.fetch || !window.localStorage || !window.JSON) { return; }
  var storageKey = "onetouch.checkin.day." + root.getAttribute("data-day");
  var scansUrl = root.getAttribute("data-scans-url");
  var list = document.getElementById("scan-list");
  var log = document.getElementById("scan-log");
  var offline = document.getElementById("scan-offline");
  var input = form.querySelector("input[name=code]");
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var sending = false;

  function text(id) {
    var template = document.getElementById(id);
    return template ? template.innerHTML.trim() : "";
  }

  function load() {
    try { return JSON.parse(window.localStorage.getItem(storageKey) || "[]"); } catch (error) { return []; }
  }

  function save(scans) {
    // Answered scans are kept for the trainer to read, but only the last 100 of them.
    var answered = scans.filter(function (scan) { return scan.status !== "queued"; });
    var queued = scans.filter(function (scan) { return scan.status === "queued"; });
    window.localStorage.setItem(storageKey, JSON.stringify(answered.slice(-100).concat(queued)));
  }

  function uuid() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" + hex.slice(20);
  }

  function grouped(code) {
    return code.replace(/\D/g, "").replace(/(\d{4})(?=\d)/g, "$1 ");
  }

  function render() {
    var scans = load();
    list.textContent = "";
    log.hidden = scans.length === 0;
    scans.slice().reverse().forEach(function (scan) {
      var item = document.createElement("li");
      item.className = "scan scan-" + scan.status;
      item.setAttribute("data-scan", scan.scan_id);
      var time = new Date(scan.scanned_at);
      var head = document.createElement("strong");
      head.textContent = text("scan-status-" + scan.status);
      item.appendChild(head);
      item.appendChild(document.createTextNode(" · " + grouped(scan.code) + " · " +
        ("0" + time.getHours()).slice(-2) + ":" + ("0" + time.getMinutes()).slice(-2)));
      if (scan.message) {
        var why = document.createElement("span");
        why.className = "scan-message";
        why.textContent = scan.message;
        item.appendChild(why);
      }
      list.appendChild(item);
    });
  }

  function markPresent(learnerId) {
    var row = document.querySelector("tr[data-learner='" + learnerId + "']");
    if (!row || row.classList.contains("is-present")) { return; }
    row.classList.add("is-present");
    var count = document.getElementById("present-count");
    if (count) { count.textContent = String((parseInt(count.textContent, 10) || 0) + 1); }
    var cell = row.querySelector(".attendance-cell");
    cell.textContent = "";
    var mark = document.createElement("span");
    mark.className = "present-mark";
    mark.textContent = "✓ " + text("scan-present");
    cell.appendChild(mark);
  }

  function enqueue(code, method) {
    var digits = code.replace(/[\s-]/g, "");
    if (!digits) { return; }
    var scans = load();
    var now = Date.now();
    // The camera sees the same code many times a second: one scan per code and 10 seconds.
    var repeat = scans.some(function (scan) {
      return scan.code === digits && now - Date.parse(scan.scanned_at) < 10000;
    });
    if (repeat && method === "scanned") { return; }
    scans.push({ scan_id: uuid(), code: digits, scanned_at: new Date(now).toISOString(), method: method, status: "queued" });
    save(scans);
    render();
    send();
  }

  function send() {
    var queued = load().filter(function (scan) { return scan.status === "queued"; });
    if (sending || queued.length === 0) { return; }
    sending = true;
    var body = queued.slice(0, 200).map(function (scan) {
      return { scan_id: scan.scan_id, code: scan.code, scanned_at: scan.scanned_at, method: scan.method };
    });
    fetch(scansUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify({ scans: body })
    })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (answer) {
        sending = false;
        offline.hidden = true;
        var byId = {};
        answer.results.forEach(function (result) { byId[result.scan_id] = result; });
        var scans = load().map(function (scan) {
          var result = byId[scan.scan_id];
          if (!result) { return scan; }
          if (result.learner_id) { markPresent(result.learner_id); }
          scan.status = result.status;
          scan.message = result.message;
          return scan;
        });
        save(scans);
        render();
        if (scans.some(function (scan) { return scan.status === "queued"; })) { send(); }
      })
      .catch(function () {
        sending = false;
        offline.hidden = false;
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    enqueue(input.value, "typed");
    input.value = "";
    input.focus();
  });
  window.addEventListener("online", send);
  window.setInterval(send, 20000);
  render();
  send();

  // --- The camera, where there is one ---------------------------------------------------------------
  var scanner = document.getElementById("scanner");
  var toggle = document.getElementById("scanner-toggle");
  var video = document.getElementById("scanner-video");
  if (!scanner || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { return; }
  var startText = toggle.textContent;
  var qrScanner = null;
  scanner.hidden = false;

  function noCamera() {
    scanner.textContent = "";
    var note = document.createElement("p");
    note.className = "meta";
    note.textContent = text("scan-no-camera");
    scanner.appendChild(note);
  }

  function loadLibrary(then) {
    if (window.QrScanner) { then(); return; }
    var script = document.createElement("script");
    script.src = root.getAttribute("data-scanner-src");
    script.onload = then;
    script.onerror = noCamera;
    document.head.appendChild(script);
  }

  toggle.addEventListener("click", function () {
    if (qrScanner) {
      qrScanner.stop();
      qrScanner.destroy();
      qrScanner = null;
      video.hidden = true;
      toggle.textContent = startText;
      return;
    }
    loadLibrary(function () {
      window.QrScanner.hasCamera().then(function (has) {
        if (!has) { noCamera(); return; }
        video.hidden = false;
        qrScanner = new window.QrScanner(video, function (result) {
          enqueue(result.data || String(result), "scanned");
        }, { returnDetailedScanResult: true, preferredCamera: "environment", maxScansPerSecond: 5 });
        qrScanner.start().then(function () {
          toggle.textContent = toggle.getAttribute("data-stop");
        }).catch(function () {
          qrScanner = null;
          noCamera();
        });
      });
    });
  });
})();
