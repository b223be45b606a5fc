"""In the browser, a walk through the guide asks nothing of third parties and breaks no Content-Security-Policy rule."""

from urllib.parse import urlsplit

import pytest

from .driver import GuideBrowser
from .paths import OUTCOME_KINDS

pytestmark = pytest.mark.browser

# Reports every violation of the page's CSP to the test (init scripts run in every document, before its own scripts).
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", event => {
  window.__reportCspViolation(`${event.violatedDirective} blocked ${event.blockedURI || "inline"} ` +
                              `at ${event.sourceFile || document.URL}:${event.lineNumber}`);
});
"""


@pytest.fixture
def watched_page(new_context):
    """A page with JavaScript, and the list its CSP violations and CSP console errors are collected in."""
    context = new_context()
    problems = []
    context.expose_function("__reportCspViolation", lambda text: problems.append(text))
    context.add_init_script(REPORT_CSP_VIOLATIONS)
    page = context.new_page()
    page.on(
        "console",
        lambda message: problems.append(f"console: {message.text}")
        if "content security policy" in message.text.lower()
        else None,
    )
    return page, problems


def walk_every_outcome_kind(guide):
    for kind in OUTCOME_KINDS:
        guide.walk_to_outcome(kind)
        guide.page.wait_for_selector(f'[data-outcome="{kind}"]')


def test_walk_with_js_requests_only_our_own_host(guide, live_server):
    """Every request of a JS walk to each kind of outcome (pages, htmx, scripts, styles, icons) goes to the site."""
    own = urlsplit(live_server.url).netloc
    urls = []
    guide.page.on("request", lambda request: urls.append(request.url))
    walk_every_outcome_kind(guide)

    assert any("/static/" in url for url in urls), "no static file was requested: the recording missed them"
    elsewhere = sorted({url for url in urls if urlsplit(url).netloc != own})
    assert elsewhere == [], "requests to other hosts:\n" + "\n".join(elsewhere)


def test_walk_with_js_breaks_no_csp_rule(watched_page, live_server, flow):
    """No securitypolicyviolation event and no CSP console error during a JS walk to each kind of outcome."""
    page, problems = watched_page
    walk_every_outcome_kind(GuideBrowser(page, live_server.url, flow))
    page.wait_for_timeout(300)  # violation events are dispatched asynchronously
    assert problems == []


def test_csp_watch_reports_an_inline_script(watched_page, live_server):
    """The watch used above does see a violation: an inline script injected into a page is reported."""
    page, problems = watched_page
    page.goto(live_server.url + "/it/")
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.__ran = 1'; document.body.append(s); }"
    )
    page.wait_for_timeout(300)
    assert page.evaluate("window.__ran === undefined"), "the inline script ran: the CSP did not apply"
    assert any("script-src" in problem for problem in problems), problems
