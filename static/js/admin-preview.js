// The admin's live preview, shown with the site's own stylesheet: htmx fetches the sanitized HTML into a hidden
// element (see MarkdownPreviewWidget); this copies it into a sandboxed frame whose document links site.css, so
// headings and lists look exactly as on the site and nothing of the admin's CSS leaks in. No inline script (CSP).
(function () {
  "use strict";

  function frameDocument(source, html) {
    var doc = document.implementation.createHTMLDocument("");
    doc.documentElement.lang = source.dataset.lang || "it";
    var link = doc.createElement("link");
    link.rel = "stylesheet";
    link.href = source.dataset.stylesheet;
    doc.head.appendChild(link);
    var main = doc.createElement("main");
    main.innerHTML = '<div class="wrap"><div class="prose"></div></div>';
    main.querySelector(".prose").innerHTML = html; // already sanitized by the server (nh3); the frame runs no script
    doc.body.appendChild(main);
    return "<!doctype html>" + doc.documentElement.outerHTML;
  }

  function show(source) {
    var frame = document.getElementById(source.dataset.frame);
    if (frame) {
      frame.srcdoc = frameDocument(source, source.innerHTML);
    }
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.classList && target.classList.contains("markdown-preview__source")) {
      show(target);
    }
  });

  // Grow the frame to its content once it has loaded (the sandbox keeps it from telling us, so we measure).
  document.addEventListener(
    "load",
    function (event) {
      var frame = event.target;
      if (frame.tagName === "IFRAME" && frame.classList.contains("markdown-preview__frame")) {
        try {
          frame.style.height = frame.contentDocument.documentElement.scrollHeight + 24 + "px";
        } catch (error) {
          // a sandbox without same-origin: keep the height from the stylesheet
        }
      }
    },
    true
  );
})();
