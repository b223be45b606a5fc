// After htmx swaps content in, behave like a page load for keyboard and screen-reader users.
// A new step: move focus to its error summary or heading and update the document title.
// A "was this helpful?" answer: move focus to the box's message, not to the top of the step.

function focusOn(element) {
  if (!element) {
    return;
  }
  if (!element.hasAttribute("tabindex")) {
    element.setAttribute("tabindex", "-1");
  }
  element.focus();
  if (element.scrollIntoView) {
    element.scrollIntoView({ block: "nearest" });
  }
}

document.addEventListener("htmx:afterSettle", function (event) {
  var trigger = event.detail.requestConfig && event.detail.requestConfig.elt;
  if (trigger && trigger.closest && trigger.closest(".feedback")) {
    var box = document.getElementById("feedback");
    if (box) {
      focusOn(box.querySelector(".error-summary") || box.querySelector(".feedback__thanks"));
    }
    return;
  }
  var step = document.getElementById("step");
  if (!step || !step.contains(event.detail.elt) && event.detail.elt !== step) {
    return;
  }
  if (step.dataset.title) {
    document.title = step.dataset.title;
  }
  focusOn(step.querySelector(".error-summary") || step.querySelector("h1"));
});
