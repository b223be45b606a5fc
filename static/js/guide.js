// The guide with JavaScript: htmx swaps #step in place; this file makes each swap behave like a page load and
// makes sure nobody is ever stranded. No inline scripts anywhere (the CSP forbids them).
//
// - After a new step: focus its error summary or heading (without scrolling it to the top), put the page back at
//   its top so the header and the progress line stay in view, and update the document title. The header's
//   language links come with the step as an out-of-band swap (templates/includes/language_switch.html).
// - After a "was this helpful?" answer: focus the box's message, not the top of the step.
// - A failed request (403, 5xx, a dropped connection): say so inside the step, then fall back to a normal page
//   request, which gets the same helpful page a browser without JavaScript gets.
// - The reference code and the ready-to-send text get a copy button.

(function () {
  "use strict";

  function focusOn(element, scroll) {
    if (!element) {
      return;
    }
    if (!element.hasAttribute("tabindex")) {
      element.setAttribute("tabindex", "-1");
    }
    element.focus({ preventScroll: true });
    if (scroll && element.scrollIntoView) {
      element.scrollIntoView({ block: "nearest" });
    }
  }

  function isInFeedback(element) {
    return Boolean(element && element.closest && element.closest(".feedback"));
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    var trigger = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (isInFeedback(trigger)) {
      var box = document.getElementById("feedback");
      if (box) {
        focusOn(box.querySelector(".error-summary") || box.querySelector(".feedback__thanks"), true);
      }
      return;
    }
    var step = document.getElementById("step");
    if (!step || (!step.contains(event.detail.elt) && event.detail.elt !== step)) {
      return;
    }
    if (step.dataset.title) {
      document.title = step.dataset.title;
    }
    var summary = step.querySelector(".error-summary");
    // A new step starts where a new page would: at the top, header and progress in view.
    if (summary) {
      focusOn(summary, true);
    } else {
      window.scrollTo(0, 0);
      focusOn(step.querySelector("h1"), false);
    }
    enhance(step);
  });

  // Browser Back restores a page through htmx; when the server answered with another step (a redirect: the walk
  // has moved on, e.g. after "start again"), the address bar must name the step on screen.
  document.addEventListener("htmx:historyRestore", function () {
    var step = document.getElementById("step");
    if (step && step.dataset.url && step.dataset.url !== window.location.pathname) {
      window.history.replaceState(window.history.state, "", step.dataset.url);
    }
    if (step && step.dataset.title) {
      document.title = step.dataset.title;
    }
  });

  // Failed requests. The message names what happened; then the same request goes out as a normal page request.

  function showProblem(step, kind) {
    var template = document.getElementById("request-problem");
    if (!step || !template) {
      return null;
    }
    var old = step.querySelector(".request-problem");
    if (old) {
      old.remove();
    }
    var box = document.createElement("div");
    box.className = "request-problem notice notice--error";
    box.setAttribute("role", "alert");
    box.setAttribute("tabindex", "-1");
    box.dataset.problem = kind;
    var text = document.createElement("p");
    text.textContent = template.dataset[kind] || template.dataset.server;
    box.appendChild(text);
    step.insertBefore(box, step.firstChild);
    focusOn(box, true);
    return box;
  }

  function fallBack(detail) {
    var config = detail.requestConfig || {};
    var elt = config.elt || detail.elt;
    var verb = (config.verb || "get").toLowerCase();
    var form = elt && (elt.tagName === "FORM" ? elt : elt.closest && elt.closest("form"));
    if (verb !== "get" && form) {
      HTMLFormElement.prototype.submit.call(form); // submit() fires no submit event, so htmx stays out of it
    } else {
      window.location.assign(config.path || (elt && elt.getAttribute("href")) || window.location.href);
    }
  }

  function onFailure(kind) {
    return function (event) {
      var detail = event.detail;
      var trigger = detail.requestConfig && detail.requestConfig.elt;
      var container = isInFeedback(trigger) ? document.getElementById("feedback") : document.getElementById("step");
      showProblem(container, kind);
      // Let the message be seen and read out, then load the page the way a browser without JavaScript would.
      window.setTimeout(function () {
        fallBack(detail);
      }, 1200);
    };
  }

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    onFailure(status === 403 ? "expired" : "server")(event);
  });
  document.addEventListener("htmx:sendError", onFailure("offline"));
  document.addEventListener("htmx:timeout", onFailure("offline"));

  // The reference code: a copy button (the code itself stays in the element with data-session-ref).

  // The ready-to-send text: a button copies its text area as it is now (edits included; nothing is sent).
  function textToCopy(button) {
    if (button.dataset.copyFrom) {
      var field = document.getElementById(button.dataset.copyFrom);
      return field ? field.value : "";
    }
    return button.dataset.copy;
  }

  function enhance(root) {
    var buttons = root.querySelectorAll("[data-copy], [data-copy-from]");
    Array.prototype.forEach.call(buttons, function (button) {
      if (!navigator.clipboard || button.dataset.ready) {
        return;
      }
      button.dataset.ready = "1";
      button.hidden = false;
      var label = button.textContent;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(textToCopy(button)).then(function () {
          button.textContent = button.dataset.copiedLabel || label;
          window.setTimeout(function () {
            button.textContent = label;
          }, 2500);
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    enhance(document);
  });
})();
