// The lesson page's outline follows a completion without a reload. The lesson's own script (the
// player, the slides, the "Mark as read" form) dispatches "onetouch:lesson-completed" on the
// document once the server answered that the lesson is completed; this marks the current lesson
// done, recounts the course percentage the way the server does (required published lessons done,
// rounded down) and, in a course taken in order, opens the lessons the completion unlocked. The
// next page load shows the same from the server.
(function () {
  "use strict";
  var outline = document.querySelector("nav.outline[data-marks]");
  if (!outline) { return; }
  var data = outline.dataset;

  function setMark(item, symbol, text) {
    var mark = item.querySelector(".mark");
    var label = item.querySelector(".mark-label");
    if (mark) { mark.textContent = symbol; }
    if (label) { label.textContent = text; }
  }

  function recount() {
    var counted = outline.querySelectorAll(".outline-lesson[data-counted]");
    var done = outline.querySelectorAll(".outline-lesson[data-counted].is-done").length;
    var percent = counted.length ? Math.floor(100 * done / counted.length) : 0;
    var bar = document.getElementById("course-progress");
    var label = outline.querySelector("label[for='course-progress']");
    if (bar) { bar.value = percent; bar.textContent = percent + "%"; }
    if (label) { label.textContent = data.progressLabel.replace("{percent}", String(percent)); }
  }

  // Locks, as courses.selectors.outline decides them: after a required lesson not done, every lesson is locked.
  function unlock() {
    if (!("requiresOrder" in data)) { return; }
    var blocked = false;
    outline.querySelectorAll(".outline-lesson").forEach(function (item) {
      if (!blocked && item.classList.contains("is-locked")) {
        var title = item.querySelector(".outline-text > span:first-child");
        var link = document.createElement("a");
        link.href = item.dataset.href;
        link.textContent = title ? title.textContent : "";
        if (title) { title.replaceWith(link); }
        item.classList.remove("is-locked");
        setMark(item, "○", data.openLabel);
      }
      if ("counted" in item.dataset && !item.classList.contains("is-done")) { blocked = true; }
    });
  }

  document.addEventListener("onetouch:lesson-completed", function () {
    var current = outline.querySelector(".outline-lesson.is-current");
    if (!current || current.classList.contains("is-done")) { return; }
    current.classList.add("is-done");
    setMark(current, "✓", data.doneLabel);
    recount();
    unlock();
  });
}());
