"""The pages issue 6 adds, in a real browser: an outcome opened from a link with its "Get a reference code" form,
the staff "copy link" bar (selectable without JavaScript, a copy button with it) and the privacy page."""

import pytest
from django.test import Client

from .paths import step_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _outcome(flow):
    return next(node for node in flow.nodes.values() if node.is_outcome)


def _question(flow):
    return next(node for node in flow.nodes.values() if node.is_question)


def _staff_context(new_context, live_server, django_user_model, **options):
    """A browser context signed in as a staff member (the session cookie of a test-client login)."""
    user = django_user_model.objects.create_user("support", password="unused", is_staff=True)
    client = Client()
    client.force_login(user)
    context = new_context(**options)
    cookie = client.cookies["sessionid"]
    context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])
    return context


def test_an_outcome_opened_from_a_link_gives_a_code_on_request(page, live_server, flow, imported, axe):
    outcome = _outcome(flow)
    page.goto(live_server.url + step_url(flow, outcome))
    assert page.get_attribute("[data-outcome]", "data-outcome") == outcome.outcome.value
    assert page.locator("[data-session-ref]").count() == 0
    assert axe(page) == []
    page.click("[data-code-request] button")
    page.wait_for_selector("[data-session-ref]")
    code = page.get_attribute("[data-session-ref]", "data-session-ref")
    assert code and code in page.inner_text("#step")
    assert page.locator("[data-code-request]").count() == 0


def test_staff_copy_bar_copies_with_javascript(new_context, live_server, flow, imported, django_user_model, axe):
    context = _staff_context(new_context, live_server, django_user_model)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    node = _question(flow)
    page.goto(live_server.url + step_url(flow, node))
    field = page.locator("[data-staff-copy-link] input")
    assert field.input_value() == live_server.url + step_url(flow, node)
    button = page.locator("[data-copy-target]")
    button.wait_for(state="visible")
    assert axe(page) == []
    button.click()
    page.wait_for_selector("[data-copy-target][data-copied]")
    assert page.evaluate("navigator.clipboard.readText()") == live_server.url + step_url(flow, node)


def test_staff_copy_bar_without_javascript_is_a_selectable_field(new_context, live_server, flow, imported,
                                                                  django_user_model):
    context = _staff_context(new_context, live_server, django_user_model, java_script_enabled=False)
    page = context.new_page()
    node = _question(flow)
    page.goto(live_server.url + step_url(flow, node))
    field = page.locator("[data-staff-copy-link] input")
    assert field.get_attribute("readonly") is not None
    assert field.input_value().endswith(step_url(flow, node))
    assert not page.locator("[data-copy-target]").is_visible()  # no button that could not work


def test_the_new_pages_are_valid_html(client, flow, imported, django_user_model, vnu):
    pages = {"privacy": client.get("/it/privacy/"), "outcome-from-link": client.get(step_url(flow, _outcome(flow)))}
    client.force_login(django_user_model.objects.create_user("support", password="unused", is_staff=True))
    pages["staff-bar"] = client.get(step_url(flow, _question(flow)))
    for name, response in pages.items():
        assert response.status_code == 200, name
        assert vnu(response.content) == [], name


def test_the_privacy_page_has_no_axe_violations(page, live_server, imported, axe):
    page.goto(live_server.url + "/it/privacy/")
    assert axe(page) == []
