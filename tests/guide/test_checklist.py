"""The industry checklist step: checkboxes in a real form, no JavaScript needed; ticking nothing is an answer."""

import pytest
from bs4 import BeautifulSoup

from portal.tracking.models import FlowSession, SessionEvent

from .helpers import attr_values, node_of, step_url
from .test_views import answer, walk_to

pytestmark = pytest.mark.django_db

TO_CHECKLIST = (("start", "continue"), ("product", "platform"), ("review_requested", "no"), ("reason", "industry"))
CHECKLIST = step_url("industry_checklist")


def tick(client, *items, **extra):
    return client.post(CHECKLIST, {"items": list(items)}, **extra)


def test_the_checklist_is_a_form_of_checkboxes_in_two_separate_lists(client, flow):
    page = walk_to(client, *TO_CHECKLIST)
    assert node_of(page) == "industry_checklist"
    soup = BeautifulSoup(page.content, "html.parser")
    form = soup.select_one("form[data-checklist]")
    assert form["method"] == "post" and form["action"] == CHECKLIST
    assert not form.select("input[type=radio]")
    groups = {fieldset["data-group"]: [box["value"] for box in fieldset.select("input[type=checkbox][name=items]")]
              for fieldset in form.select("fieldset[data-group]")}
    node = flow.nodes["industry_checklist"]
    assert groups == {answer.id: list(answer.items) for answer in node.answers if answer.items}
    assert "gambling" in groups["excluded"] and "subscriptions" in groups["commerce"]
    assert not set(groups["excluded"]) & set(groups["commerce"]), "the two lists are kept apart"
    for fieldset in form.select("fieldset[data-group]"):
        assert fieldset.select_one("legend").get_text(strip=True)
        for box in fieldset.select("input[type=checkbox]"):
            assert soup.select_one(f"label[for={box['id']}]").get_text(strip=True)
    assert form.select_one("button[type=submit]")


def test_ticking_nothing_continues_to_the_end_date_question(client):
    walk_to(client, *TO_CHECKLIST)
    response = tick(client)
    assert response.status_code == 303 and response["Location"] == step_url("industry_duration")
    event = SessionEvent.objects.filter(kind="answered").last()
    assert (event.node_id, event.answer_id) == ("industry_checklist", "none")


def test_an_excluded_business_explains_a_likely_permanent_block_and_offers_appeal_and_contact(client):
    walk_to(client, *TO_CHECKLIST)
    response = tick(client, "gambling")
    assert response["Location"] == step_url("industry_appeal_button")
    page = client.get(response["Location"])
    assert "permanente" in page.content.decode()
    assert answer(client, "industry_appeal_button", "yes")["Location"] == step_url("appeal_industry")
    assert answer(client, "industry_appeal_button", "no")["Location"] == step_url("contact_industry")


def test_an_excluded_business_outranks_commerce_goods(client):
    walk_to(client, *TO_CHECKLIST)
    assert tick(client, "subscriptions", "dating")["Location"] == step_url("industry_appeal_button")


def test_commerce_goods_explain_the_catalogue_and_payments_limit_instead(client):
    walk_to(client, *TO_CHECKLIST)
    response = tick(client, "subscriptions", "supplements")
    assert response["Location"] == step_url("appeal_commerce_goods")
    page = client.get(response["Location"])
    body = page.content.decode()
    assert attr_values(page, "data-outcome") == ["appeal"]
    assert "catalogo e pagamenti" in body and "permanente" not in body


def test_ticking_nothing_asks_for_the_end_date_then_appeals(client):
    walk_to(client, *TO_CHECKLIST)
    tick(client)
    assert answer(client, "industry_duration", "temporary")["Location"] == step_url("wait_restriction_dated")
    assert answer(client, "industry_duration", "permanent")["Location"] == step_url("appeal_industry")


def test_the_answers_summary_names_the_list_that_was_ticked(client):
    walk_to(client, *TO_CHECKLIST)
    page = client.get(tick(client, "gambling")["Location"])
    answers = BeautifulSoup(page.content, "html.parser").select_one(".answers").get_text(" ")
    assert "Attività escluse dai messaggi" in answers


@pytest.mark.parametrize("items", [["not_an_item"], ["gambling", "nope"]])
def test_a_box_that_is_not_on_the_page_is_a_400_with_the_error_summary(client, items):
    walk_to(client, *TO_CHECKLIST)
    response = client.post(CHECKLIST, {"items": items})
    assert response.status_code == 400
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.select_one(".error-summary a[href='#item-firearms']")
    assert [box["value"] for box in soup.select("input[type=checkbox][checked]")] == [
        item for item in items if item == "gambling"]
    assert FlowSession.objects.get().last_node == "industry_checklist"


def test_a_radio_style_answer_is_not_how_a_checklist_is_answered(client):
    """`answer=excluded` ticks nothing: the form reads only its boxes."""
    walk_to(client, *TO_CHECKLIST)
    assert client.post(CHECKLIST, {"answer": "excluded"})["Location"] == step_url("industry_duration")


def test_over_htmx_the_checklist_swaps_in_like_any_step(client):
    walk_to(client, *TO_CHECKLIST)
    response = client.get(CHECKLIST, HTTP_HX_REQUEST="true")
    assert response.content.decode().lstrip().startswith('<div id="step"')
    assert len(attr_values(response, "data-checklist")) == 1


def test_opened_from_a_link_the_checklist_starts_a_walk_there(client):
    response = client.get(CHECKLIST)
    assert response.status_code == 200 and 'name="from_link"' in response.content.decode()
    response = client.post(CHECKLIST, {"from_link": "1", "items": ["mlm"]})
    assert response["Location"] == step_url("industry_appeal_button")
    assert FlowSession.objects.get().entry_node == "industry_checklist"


def test_english_words_for_every_box(client):
    page = client.get(step_url("industry_checklist", "en"))
    soup = BeautifulSoup(page.content, "html.parser")
    assert soup.select_one("label[for=item-gambling]").get_text(strip=True) == "Real-money gambling"
    assert not soup.select_one("[role=note].notice") or "Italian" not in soup.select_one(".notice").get_text()
