// "Mark as read" on a text or document lesson without leaving the page: the form is posted as it
// would be without script, and the lesson page the server answers with (after its redirect) says
// whether the lesson is now completed (#lesson-done) or why not (its messages). The answer takes
// the form's place and, on completion, outline.js marks the outline. Should the post fail to
// arrive, the form is submitted the ordinary way.
(function () {
  "use strict";
  var form = document.querySelector("form.mark-read");
  if (!form || !window.fetch || !window.DOMParser) { return; }
  var sending = false;

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (sending) { return; }
    sending = true;
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        sending = false;
        var answer = new DOMParser().parseFromString(html, "text/html");
        var done = answer.getElementById("lesson-done");
        var old = document.getElementById("mark-read-answer");
        if (old) { old.remove(); }
        if (done) {
          done.setAttribute("role", "status");
          form.replaceWith(document.importNode(done, true));
          document.dispatchEvent(new CustomEvent("onetouch:lesson-completed"));
          return;
        }
        var messages = answer.querySelector(".messages");
        if (messages) {
          messages = document.importNode(messages, true);
          messages.id = "mark-read-answer";
          form.before(messages);
        }
      })
      .catch(function () { form.submit(); });
  });
}());
