// After htmx swaps a step in, behave like a page load for keyboard and screen-reader users:
// move focus to the error summary or the new heading, and update the document title.
document.addEventListener("htmx:afterSettle", function (event) {
  var step = document.getElementById("step");
  if (!step || !step.contains(event.detail.elt) && event.detail.elt !== step) {
    return;
  }
  if (step.dataset.title) {
    document.title = step.dataset.title;
  }
  var target = step.querySelector(".error-summary") || step.querySelector("h1");
  if (target) {
    if (!target.hasAttribute("tabindex")) {
      target.setAttribute("tabindex", "-1");
    }
    target.focus();
    if (target.scrollIntoView) {
      target.scrollIntoView({ block: "nearest" });
    }
  }
});
