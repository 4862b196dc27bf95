// "Mark as read" on a text or document lesson without leaving the page: the form is posted as it
// would be without script, asking for JSON. The server answers whether the lesson is now completed
// (with the outline as it now sees it, which outline.js applies) or why not (its message). Should
// the post fail to arrive, the form is submitted the ordinary way.
(function () {
  "use strict";
  var form = document.querySelector("form.mark-read");
  if (!form || !window.fetch) { return; }
  var sending = false;

  function tell(text, className, id) {
    var old = document.getElementById("mark-read-answer");
    if (old) { old.remove(); }
    var message = document.createElement("p");
    message.className = "message " + className;
    message.id = id;
    message.setAttribute("role", "status");
    message.textContent = text;
    return message;
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
          form.replaceWith(tell(answer.message, "success", "lesson-done"));
          document.dispatchEvent(new CustomEvent("onetouch:lesson-completed", { detail: answer }));
          return;
        }
        form.before(tell(answer.error, "error", "mark-read-answer"));
      })
      .catch(function () { form.submit(); });
  });
}());
