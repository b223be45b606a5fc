"""The guide with JavaScript turned off: plain forms and full page loads reach every kind of outcome."""

import pytest

from .paths import OUTCOME_KINDS, path_to_outcome

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("kind", OUTCOME_KINDS)
def test_walk_without_js_reaches_the_outcome_through_full_page_loads(nojs_guide, kind):
    """Every step is its own page at its permalink, reached by a form post and a redirect; no request is an htmx
    one; the outcome page carries its kind and a reference code."""
    page = nojs_guide.page
    htmx_requests = []
    page.on("request", lambda request: htmx_requests.append(request.url) if request.headers.get("hx-request") else None)
    documents = []
    page.on("framenavigated", lambda frame: documents.append(frame.url) if frame == page.main_frame else None)

    moves, outcome = path_to_outcome(nojs_guide.flow, kind)
    nojs_guide.open_home()
    nojs_guide.start()
    nojs_guide.walk(moves, outcome)

    assert page.get_attribute("[data-outcome]", "data-outcome") == kind
    assert page.get_attribute("[data-session-ref]", "data-session-ref")
    assert htmx_requests == []
    step_pages = [nojs_guide.step_url(move.node) for move in moves] + [nojs_guide.step_url(outcome)]
    assert [url for url in documents if url in step_pages] == step_pages, "not one page load per step"
