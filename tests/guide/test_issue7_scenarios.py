"""Issue 7's "Done when" scenarios, walked with form posts (no JavaScript) in Italian and English.

Each asserts where the walk ends (node id, data-outcome) and what the page offers (links), not its sentences.
"""

import pytest

from .helpers import attr_values, node_of, start_url

LANGS = ("it", "en")
ARTICLE = {
    "app-ban": {"it": "blocco-app-whatsapp-business", "en": "whatsapp-business-app-ban"},
    "industries": {"it": "settori-vietati", "en": "prohibited-types-of-business"},
    "limits": {"it": "limiti-di-messaggi", "en": "messaging-limits-are-not-a-block"},
    "glossary": {"it": "glossario", "en": "glossary"},
}
CONTACT_FORM = "https://www.facebook.com/business-support-home/contact-support"
BUSINESS_SUPPORT_HOME = "https://business.facebook.com/business-support-home"


def walk(client, lang, *answers):
    """Start the guide and post each answer on the page it belongs to; returns the final response."""
    response = client.post(start_url(lang), follow=True)
    for node_id, answer_id in answers:
        assert node_of(response) == node_id
        assert f'value="{answer_id}"' in response.content.decode()
        response = client.post(response.redirect_chain[-1][0], {"answer": answer_id}, follow=True)
        assert response.status_code == 200
    return response


def article_href(lang, key):
    return f'href="/{lang}/articles/{ARTICLE[key][lang]}/"'


PLATFORM_NO_REVIEW = (("start", "continue"), ("product", "platform"), ("review_requested", "no"))


@pytest.mark.django_db
@pytest.mark.parametrize("lang", LANGS)
class TestDoneWhen:
    def test_a_business_using_the_phone_app_appeals_in_the_app(self, client, lang):
        response = walk(client, lang, ("start", "continue"), ("product", "app"), ("app_review", "not_yet"))
        body = response.content.decode()
        assert node_of(response) == "appeal_app"
        assert attr_values(response, "data-outcome") == ["appeal"]
        assert article_href(lang, "app-ban") in body
        assert BUSINESS_SUPPORT_HOME not in body and CONTACT_FORM not in body

    def test_the_phone_app_has_its_own_wait_and_contact(self, client, lang):
        waiting = walk(client, lang, ("start", "continue"), ("product", "app"), ("app_review", "in_review"))
        assert (node_of(waiting), attr_values(waiting, "data-outcome")) == ("wait_app_review", ["wait"])
        kept = walk(client, lang, ("start", "continue"), ("product", "app"), ("app_review", "rejected"))
        assert (node_of(kept), attr_values(kept, "data-outcome")) == ("contact_app", ["contact-meta"])
        assert CONTACT_FORM not in kept.content.decode()

    def test_a_gym_selling_subscriptions_is_told_apart_from_banned_businesses(self, client, lang):
        step = walk(client, lang, *PLATFORM_NO_REVIEW, ("reason", "industry"))
        body = step.content.decode()
        assert node_of(step) == "industry_checklist"  # issue 8: which list, as checkboxes
        assert "https://faq.whatsapp.com/933578044281252" in body  # the Commerce Policy: catalogue and payments
        assert "https://www.whatsapp.com/legal/business-policy" in body  # the Business Messaging Policy
        assert article_href(lang, "industries") in body
        gym = client.post(step.redirect_chain[-1][0], {"items": ["subscriptions"]}, follow=True)
        assert (node_of(gym), attr_values(gym, "data-outcome")) == ("appeal_commerce_goods", ["appeal"])
        assert "https://faq.whatsapp.com/933578044281252" in gym.content.decode()
        step = walk(client, lang, *PLATFORM_NO_REVIEW, ("reason", "industry"))
        banned = client.post(step.redirect_chain[-1][0], {"items": ["dating"]}, follow=True)
        assert node_of(banned) == "industry_appeal_button"
        response = client.post(banned.redirect_chain[-1][0], {"answer": "yes"}, follow=True)
        assert (node_of(response), attr_values(response, "data-outcome")) == ("appeal_industry", ["appeal"])
        assert "https://faq.whatsapp.com/933578044281252" in response.content.decode()

    def test_a_seven_day_restriction_for_a_policy_reason_is_a_wait(self, client, lang):
        response = walk(client, lang, *PLATFORM_NO_REVIEW, ("reason", "policy"), ("policy_duration", "temporary"))
        assert node_of(response) == "wait_restriction_dated"
        assert attr_values(response, "data-outcome") == ["wait"]
        assert CONTACT_FORM not in response.content.decode()

    def test_an_owner_who_only_hit_a_messaging_limit_gets_advice_not_support(self, client, lang):
        response = walk(client, lang, *PLATFORM_NO_REVIEW, ("reason", "unknown"), ("not_sure", "limit"))
        body = response.content.decode()
        assert node_of(response) == "advice_messaging_limit"
        assert attr_values(response, "data-outcome") == ["wait"]
        assert article_href(lang, "limits") in body and article_href(lang, "glossary") in body
        assert CONTACT_FORM not in body and "direct-support" not in body


@pytest.mark.django_db
@pytest.mark.parametrize("lang", LANGS)
class TestErrorsFixed:
    def test_website_fixed_and_button_shown_is_an_appeal(self, client, lang):
        response = walk(client, lang, *PLATFORM_NO_REVIEW, ("reason", "website"), ("website_duration", "permanent"),
                        ("website_review_button", "yes"))
        assert node_of(response) == "appeal_website"
        assert attr_values(response, "data-outcome") == ["appeal"]

    def test_a_ticket_already_open_is_a_wait(self, client, lang):
        response = walk(client, lang, ("start", "continue"), ("product", "platform"), ("review_requested", "ticket"))
        assert (node_of(response), attr_values(response, "data-outcome")) == ("wait_ticket_pending", ["wait"])

    def test_unchanged_but_dated_still_ends_and_only_permanent_goes_to_support(self, client, lang):
        unchanged = (("start", "continue"), ("product", "platform"), ("review_requested", "unchanged"))
        dated = walk(client, lang, *unchanged, ("unchanged_end_date", "temporary"))
        assert (node_of(dated), attr_values(dated, "data-outcome")) == ("wait_restriction_dated", ["wait"])
        permanent = walk(client, lang, *unchanged, ("unchanged_end_date", "permanent"))
        assert (node_of(permanent), attr_values(permanent, "data-outcome")) == ("contact_after_unchanged",
                                                                                 ["contact-meta"])

    def test_not_sure_and_another_reason_continues_to_the_button_question(self, client, lang):
        response = walk(client, lang, *PLATFORM_NO_REVIEW, ("reason", "unknown"), ("not_sure", "other"))
        assert node_of(response) == "no_reason_appeal_button"
        assert attr_values(response, "data-outcome") == []

    def test_glossary_is_linked_on_the_first_platform_step(self, client, lang):
        response = walk(client, lang, ("start", "continue"), ("product", "platform"))
        assert node_of(response) == "review_requested"
        assert article_href(lang, "glossary") in response.content.decode()


@pytest.mark.django_db
def test_progress_says_step_n_of_total_without_at_most(client):
    italian = client.post(start_url("it"), follow=True).content.decode()
    english = client.post(start_url("en"), follow=True).content.decode()
    assert "Passo 1 di 6" in italian and "Passo 1 di massimo" not in italian
    assert "Step 1 of 6" in english and "Step 1 of at most" not in english


@pytest.mark.django_db
@pytest.mark.parametrize("lang", LANGS)
def test_the_old_website_wait_step_now_answers_301_to_the_appeal(client, lang):
    from .helpers import step_url

    response = client.get(step_url("wait_website_review", lang))
    assert (response.status_code, response["Location"]) == (301, step_url("appeal_website", lang))
    assert attr_values(client.get(response["Location"]), "data-outcome") == ["appeal"]
