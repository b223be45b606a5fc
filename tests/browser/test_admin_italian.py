"""The admin in Italian, from edit to revert: no English left on the history, revert and edit pages, a preview
drawn with the site's own stylesheet, and no CSP violation or failed request on the way."""

import re

import pytest

pytestmark = pytest.mark.browser

#: What django-simple-history and Django's admin would show in English (or in wrong Italian) without our work.
ENGLISH = [
    r"Choose a date",
    r"\bObject\b",
    r"\bComment\b",
    r"Changed by",
    r"\bChanged\b",
    r"\bNone\b",
    r"\bRevert\b",
    r"Historical",
    r"Change history",
    r"Date/time",
    r"Change reason",
    r"Press the",
    r"\bentries\b",
    r"\bTrue\b",
    r"\bFalse\b",
    r"successfully",
    r"You may edit",
    r"\bPreview\b",
    r"\bIl articolo\b",
]

CSP_LISTENER = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", e => window.__violations.push(e.violatedDirective + " " + e.blockedURI));
"""


@pytest.fixture
def admin_page(new_context, live_server, admin_user, imported):
    context = new_context(locale="it-IT", extra_http_headers={"Accept-Language": "it"})
    page = context.new_page()
    page.add_init_script(CSP_LISTENER)
    problems = []
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "password")
    page.click("[type=submit]")
    page.wait_for_url(live_server.url + "/admin/")
    page.problems = problems
    return page


def english_on(page) -> list[str]:
    text = page.inner_text("body")
    # The article's own words (Meta's screen labels are quoted in English) are not the admin's.
    for selector in ("textarea", ".version-diff td", ".history-changes"):
        for element in page.query_selector_all(selector):
            text = text.replace(element.inner_text(), "")
    return [pattern for pattern in ENGLISH if re.search(pattern, text)]


def assert_clean(page, where):
    assert english_on(page) == [], f"{where}: English left: {english_on(page)}"
    violations = page.evaluate("window.__violations")
    assert violations == [], f"{where}: CSP violations {violations}"
    assert page.problems == [], f"{where}: {page.problems}"


def test_edit_history_and_revert_are_italian_and_keep_the_csp(admin_page, live_server):
    from portal.content.models import Article

    page = admin_page
    article = Article.objects.get(locale="it", translation_key="appeal")
    change = f"{live_server.url}/admin/content/article/{article.pk}/change/"

    page.goto(change)
    assert page.locator("#id_steps input[type=checkbox]").count() > 3, "guide steps are not a choice of steps"
    assert page.locator("textarea#id_tags").count() == 0, "tags are still a JSON text area"
    assert "[" not in page.input_value("#id_sources"), "sources are still JSON"
    page.fill("#id_summary", "Riassunto cambiato dall'admin.")
    page.click("[name=_continue]")
    page.wait_for_selector(".messagelist")
    assert_clean(page, "after saving")
    message = page.inner_text(".messagelist")
    assert "Il articolo" not in message and article.title in message

    page.goto(change.replace("/change/", "/history/"))
    assert page.locator("#change-history tbody tr").count() >= 2
    assert_clean(page, "history")

    page.click("#change-history tbody tr:last-child td a")
    page.wait_for_selector(".version-diff")
    assert page.locator(".version-diff tbody tr").count() >= 1, "the revert page shows no difference"
    assert "Riassunto cambiato" in page.inner_text(".version-diff")
    assert_clean(page, "revert")


def test_preview_uses_the_site_stylesheet_in_a_sandboxed_frame(admin_page, live_server):
    from portal.content.models import Article

    page = admin_page
    article = Article.objects.get(locale="it", translation_key="appeal")
    page.goto(f"{live_server.url}/admin/content/article/{article.pk}/change/")
    page.fill("#id_body", "## Titolo\n\n1. uno\n2. due\n\n- punto")
    frame_element = page.wait_for_selector("iframe.markdown-preview__frame")
    assert frame_element.get_attribute("sandbox") is not None
    page.wait_for_function(
        "() => { const f = document.querySelector('iframe.markdown-preview__frame');"
        " return f.contentDocument && f.contentDocument.querySelector('.prose h2'); }"
    )
    frame = frame_element.content_frame()
    frame.wait_for_function("() => document.styleSheets.length > 0 && document.styleSheets[0].cssRules.length > 10")
    # The site's list style: numbers inside the column, bullets shown (the admin's CSS removes them).
    assert frame.evaluate("getComputedStyle(document.querySelector('.prose ul')).listStyleType") == "disc"
    assert frame.evaluate("getComputedStyle(document.querySelector('.prose h2')).backgroundColor") in (
        "rgba(0, 0, 0, 0)", "transparent",
    ), "the heading is styled by the admin, not the site"
    assert_clean(page, "preview")
