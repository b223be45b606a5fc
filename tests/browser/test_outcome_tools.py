"""Issue 8 with JavaScript: the copy button copies the ready text as it is in the text area (edits included), and
the English version copies too. Without JavaScript the button stays hidden and the text area is plain text."""

import pytest

pytestmark = pytest.mark.browser


def test_the_copy_button_copies_the_text_naming_the_reason(new_context, live_server, flow, imported):
    from portal.content.models import StepText

    from .driver import GuideBrowser

    context = new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    guide = GuideBrowser(context.new_page(), live_server.url, flow)
    guide.use_tools("appeal_website", {"website": "example.com", "fix": "website"})
    page = guide.page
    reason = StepText.objects.get(flow_id=flow.id, node_id="reason", locale="it").answers["website"]

    page.click('[data-copy-from="ready-text-it"]')
    copied = page.evaluate("navigator.clipboard.readText()")
    assert reason in copied and "https://example.com" in copied
    assert copied == page.input_value("#ready-text-it")

    # The customer fills in a placeholder before copying: the copy is what they see.
    page.fill("#ready-text-it", copied.replace("[NOME AZIENDA]", "Pizzeria Da Gino"))
    page.click('[data-copy-from="ready-text-it"]')
    assert "Pizzeria Da Gino" in page.evaluate("navigator.clipboard.readText()")

    page.click('[data-ready-text-switch="en"] summary')
    page.click('[data-copy-from="ready-text-en"]')
    english = page.evaluate("navigator.clipboard.readText()")
    assert "[BUSINESS NAME]" in english and english == page.input_value("#ready-text-en")


def test_without_javascript_the_text_is_there_and_the_button_is_not(nojs_guide, imported):
    nojs_guide.use_tools("contact_spam", {"fix": "opt_in"})
    page = nojs_guide.page
    assert not page.is_visible('[data-copy-from="ready-text-it"]')
    assert page.input_value("#ready-text-it").strip()
