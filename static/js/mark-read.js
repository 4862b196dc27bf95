// "Mark as read" on a text or document lesson without leaving the page: the form is posted as it
// would be without script, asking for JSON. The server answers whether the lesson is now completed
// (with the outline as it now sees it, which outline.js applies) or why not (its message). Should
// the post fail to arrive, the form is submitted the ordinary way.
(function () {
  "use strict";
  var form = document.querySelector("form.mark-read");
  if (!form || !window.fetch) { return; }
  var sending = false;

  function message(text, className) {
    var paragraph = document.createElement("p");
    paragraph.className = "message " + className;
    paragraph.textContent = text;
    return paragraph;
  }

  // The reason it was refused, shown above the form as the page's messages would show it.
  function refusal(text) {
    var old = document.getElementById("mark-read-answer");
    if (old) { old.remove(); }
    var messages = document.createElement("div");
    messages.className = "messages";
    messages.id = "mark-read-answer";
    messages.setAttribute("role", "status");
    messages.setAttribute("aria-live", "polite");
    messages.appendChild(message(text, "error"));
    return messages;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (sending) { return; }
    sending = true;
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    })
      .then(function (response) {
        if (response.status !== 200 && response.status !== 400) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (answer) {
        sending = false;
        if (answer.completed) {
          var old = document.getElementById("mark-read-answer");
          if (old) { old.remove(); }
          var done = message(answer.message, "success");
          done.id = "lesson-done";
          done.setAttribute("role", "status");
          form.replaceWith(done);
          document.dispatchEvent(new CustomEvent("onetouch:lesson-completed", { detail: answer }));
          return;
        }
        form.before(refusal(answer.error));
      })
      .catch(function () { form.submit(); });
  });
}());
