"""Issue 8: an outcome prints on A4 with its instructions, reference code, date and ready text, and without the
header, search, feedback, navigation or form controls (Chromium's print media emulation, then a real PDF)."""

import pytest

pytestmark = pytest.mark.browser

HIDDEN_IN_PRINT = (".site-header", ".site-search", ".lang-switch", ".site-footer", ".feedback", ".step-restart",
                   ".answers a", "#tools button", "#tools input", ".ready-text__box textarea", ".skip-link")
SHOWN_IN_PRINT = ("[data-outcome] h1", "[data-outcome] .prose", "[data-session-ref]", "[data-review-due]",
                  "[data-website-fixed]", '[data-ready-text="it"] .ready-text__print')


def visible(page, selector) -> list[bool]:
    return [element.is_visible() for element in page.query_selector_all(selector)]


def test_an_outcome_prints_what_matters_and_nothing_else(guide, imported):
    guide.use_tools("appeal_website", {"website": "example.com", "fix": "website"})
    page = guide.page
    assert all(visible(page, ".site-header")) and not any(visible(page, ".ready-text__print"))  # the screen
    page.emulate_media(media="print")
    for selector in HIDDEN_IN_PRINT:
        assert not any(visible(page, selector)), f"{selector} shows in print"
    for selector in SHOWN_IN_PRINT:
        assert visible(page, selector) and all(visible(page, selector)), f"{selector} is missing in print"
    printed = page.inner_text('[data-ready-text="it"] .ready-text__print')
    assert "https://example.com" in printed
    pdf = page.pdf(format="A4", print_background=False)
    assert pdf.startswith(b"%PDF")
