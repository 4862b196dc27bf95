// The lesson page's outline follows a completion without a reload. The lesson's own script (the
// player, the slides, the "Mark as read" form) dispatches "onetouch:lesson-completed" on the
// document with the server's answer as the event's detail; the answer that completed the lesson
// carries `outline`, the state the server computed (learners.views.learning.outline_state): the
// course percentage, the lessons done and locked, and the previous and next links. This script
// only applies that state to the page, so the page shows what a reload would: the rules (what
// counts, what is locked) are the server's alone. An answer that says "completed" without it makes
// this script ask the server for the same state (data-outline-url).
(function () {
  "use strict";
  var outline = document.querySelector("nav.outline[data-marks]");
  if (!outline) { return; }
  var data = outline.dataset;
  var asked = false;  // the outline was asked for once: the answer shows the lesson done from then on

  function setMark(item, symbol, text) {
    var mark = item.querySelector(".mark");
    var label = item.querySelector(".mark-label");
    if (mark) { mark.textContent = symbol; }
    if (label) { label.textContent = text; }
  }

  function setPercent(percent) {
    var bar = document.getElementById("course-progress");
    var label = outline.querySelector("label[for='course-progress']");
    if (bar) { bar.value = percent; bar.textContent = percent + "%"; }
    if (label) { label.textContent = data.progressLabel.replace("{percent}", String(percent)); }
  }

  // A lesson's title is a link when it is open, plain text when locked.
  function setLink(item, isOpen) {
    var text = item.querySelector(".outline-text");
    var title = text && text.firstElementChild;
    if (!title || (title.tagName === "A") === isOpen) { return; }
    var replacement = document.createElement(isOpen ? "a" : "span");
    if (isOpen) { replacement.href = item.dataset.href; }
    replacement.textContent = title.textContent;
    title.replaceWith(replacement);
  }

  function applyLessons(state) {
    var done = {}, locked = {};
    state.done.forEach(function (id) { done[id] = true; });
    state.locked.forEach(function (id) { locked[id] = true; });
    outline.querySelectorAll(".outline-lesson[data-lesson]").forEach(function (item) {
      var id = item.dataset.lesson;
      item.classList.toggle("is-done", !!done[id]);
      item.classList.toggle("is-locked", !!locked[id]);
      setLink(item, !locked[id]);
      if (done[id]) { setMark(item, "✓", data.doneLabel); }
      else if (locked[id]) { setMark(item, "⊘", data.lockedLabel); }
      else { setMark(item, "○", data.openLabel); }
    });
  }

  // The previous and next links: a locked step is a <span data-href>, an open one a link.
  function applyStep(name, step) {
    var element = document.querySelector(".lesson-steps [data-step='" + name + "']");
    if (!element || !step) { return; }
    var isLink = element.tagName === "A";
    if (isLink === !step.locked) { return; }
    var replacement = document.createElement(step.locked ? "span" : "a");
    replacement.dataset.step = name;
    if (step.locked) {
      replacement.className = "step-locked";
      replacement.dataset.href = step.url;
    } else {
      replacement.href = step.url;
      replacement.rel = name;
    }
    Array.prototype.forEach.call(element.childNodes, function (child) {
      if (!(child.classList && child.classList.contains("visually-hidden"))) {
        replacement.appendChild(child.cloneNode(true));
      }
    });
    element.replaceWith(replacement);
  }

  function apply(state) {
    setPercent(state.percent);
    applyLessons(state);
    applyStep("prev", state.previous);
    applyStep("next", state.next);
  }

  document.addEventListener("onetouch:lesson-completed", function (event) {
    var state = event.detail && event.detail.outline;
    if (state) { apply(state); return; }
    // An answer saying "completed" without the outline (the completing answer was lost, or a script
    // that passes no detail): ask the server once, unless the page already shows the lesson done.
    var current = outline.querySelector(".outline-lesson.is-current");
    if (!data.outlineUrl || !current || current.classList.contains("is-done") || asked) { return; }
    asked = true;
    fetch(data.outlineUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) { if (answer && answer.outline) { apply(answer.outline); } })
      .catch(function () { asked = false; });
  });
}());
