// Staff pages: "Copy" buttons next to the read-only link fields. Without JavaScript the buttons stay hidden and
// the fields are plain selectable text; nothing here is needed to read or use any staff page.
(function () {
  "use strict";

  function announce(text) {
    var status = document.getElementById("copy-status");
    if (!status) return;
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  function copyField(button) {
    var field = document.getElementById(button.getAttribute("data-copy-field"));
    if (!field) return;
    var status = document.getElementById("copy-status");
    var done = function () {
      button.setAttribute("data-copied", "true");
      announce(status ? status.getAttribute("data-copied-text") : "");
    };
    field.focus();
    field.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () {
        if (document.execCommand("copy")) done();
      });
    } else if (document.execCommand("copy")) {
      done();
    }
  }

  function init() {
    var buttons = document.querySelectorAll("[data-copy-field]");
    Array.prototype.forEach.call(buttons, function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { copyField(button); });
    });
    // A click in a link field selects the whole link, ready to copy by hand.
    Array.prototype.forEach.call(document.querySelectorAll("input[data-permalink]"), function (field) {
      field.addEventListener("focus", function () { field.select(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
