// Staff "copy link" bars: the field is selectable without JavaScript; with it, a button copies the link.
// Delegated on the document so it keeps working after htmx swaps the step.
(function () {
  "use strict";
  function reveal() {
    document.querySelectorAll("[data-copy-target][hidden]").forEach(function (button) { button.hidden = false; });
  }
  document.addEventListener("DOMContentLoaded", reveal);
  document.addEventListener("htmx:afterSettle", reveal);
  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("input[data-copy-source]")) { event.target.select(); }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy-target]");
    if (!button) { return; }
    var field = document.getElementById(button.getAttribute("data-copy-target"));
    if (!field) { return; }
    field.select();
    var done = function () { button.setAttribute("data-copied", ""); button.textContent = button.getAttribute("data-copied-label"); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () { document.execCommand("copy"); done(); });
    } else {
      document.execCommand("copy");
      done();
    }
  });
})();
