// The "Print" button of a printable page (a learner's day-long code, a sign-in sheet): the browser's
// own print dialog; the print style sheet hides the site's header and the button itself.
(function () {
  "use strict";
  var button = document.getElementById("print-page");
  if (button) { button.addEventListener("click", function () { window.print(); }); }
})();
