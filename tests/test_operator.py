"""Who runs the site: operator settings from the environment change the header, the footer and the sentence
that says whose support the reference code is for."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from portal.flows.resolver import every_path
from portal.operator import DEFAULT_SITE_NAME, operator_from_env

from .guide.helpers import attr_values, start_url, step_url

SET = {"PORTAL_SITE_NAME": "Sblocca Subito", "PORTAL_OPERATOR_NAME": "Studio Rossi srl",
       "PORTAL_SUPPORT_URL": "https://aiuto.example.it/contatti/", "PORTAL_SUPPORT_HOURS": "lun-ven 9-18"}


class TestFromEnvironment:
    def test_a_web_address(self):
        assert operator_from_env(SET) == {
            "site_name": "Sblocca Subito", "name": "Studio Rossi srl",
            "support_href": "https://aiuto.example.it/contatti/", "support_label": "aiuto.example.it/contatti",
            "support_hours": "lun-ven 9-18",
        }

    @pytest.mark.parametrize("value", ["assistenza@example.it", "mailto:assistenza@example.it"])
    def test_an_email_address_becomes_a_mailto_link(self, value):
        operator = operator_from_env({"PORTAL_SUPPORT_URL": value})
        assert (operator["support_href"], operator["support_label"]) == (
            "mailto:assistenza@example.it", "assistenza@example.it")

    def test_nothing_set_gives_a_neutral_name_and_no_channel(self):
        operator = operator_from_env({"PORTAL_SUPPORT_HOURS": "lun-ven 9-18"})
        assert operator["site_name"] == DEFAULT_SITE_NAME
        assert not any(word in str(operator["site_name"]) for word in ("WhatsApp", "Meta"))
        assert operator["name"] == operator["support_href"] == operator["support_hours"] == ""  # no hours without a channel

    @pytest.mark.parametrize("value", ["call us", "ftp://example.it/", "https://", "a@b"])
    def test_a_support_address_that_is_neither_is_refused_at_start(self, value):
        with pytest.raises(ImproperlyConfigured, match="PORTAL_SUPPORT_URL"):
            operator_from_env({"PORTAL_SUPPORT_URL": value})


def reach_an_outcome(client: Client, flow, lang: str = "it"):
    """Walks the guide's first complete path by answering, as a visitor does; returns the outcome page."""
    client.post(start_url(lang))
    for node_id, answer_id in every_path(flow)[0]:
        response = client.post(step_url(node_id, lang), {"answer": answer_id})
        assert response.status_code == 303, (node_id, answer_id)
    return client.get(response["Location"])


@pytest.mark.django_db
class TestPages:
    def test_set_operator_names_the_site_the_operator_and_the_channel(self, client, settings):
        settings.OPERATOR = operator_from_env(SET)
        body = client.get("/it/").content.decode()
        # The header names the site, then who runs it.
        assert '<span class="site-name__text">Sblocca Subito<span class="site-name__operator">' in body
        assert 'href="/it/">' in body.split('class="site-name"', 1)[1][:20]
        assert "<title>" in body and "Sblocca Subito</title>" in body
        assert attr_values(client.get("/it/"), "data-operator") == ["Studio Rossi srl"]
        assert '<a href="https://aiuto.example.it/contatti/" data-support-channel>' in body
        assert "(lun-ven 9-18)" in body

    def test_unset_operator_shows_the_neutral_name_and_no_contact(self, client, settings):
        settings.OPERATOR = operator_from_env({})
        response = client.get("/en/")
        body = response.content.decode()
        assert f'<span class="site-name__text">{DEFAULT_SITE_NAME}</span>' in body
        assert "site-name__operator" not in body
        assert attr_values(response, "data-operator") == []
        assert "data-support-channel" not in body

    def test_site_name_is_translated_when_not_set(self, client, settings):
        settings.OPERATOR = operator_from_env({})
        italian = client.get("/it/").content.decode()
        assert "Help for blocked business numbers" not in italian  # the default has an Italian name

    @pytest.mark.parametrize("lang", ["it", "en"])
    def test_reference_code_is_for_our_support_when_a_channel_is_set(self, client, settings, flow, lang):
        settings.OPERATOR = operator_from_env({**SET, "PORTAL_SUPPORT_URL": "aiuto@example.it"})
        page = reach_an_outcome(client, flow, lang)
        assert attr_values(page, "data-session-ref") and attr_values(page, "data-ref-purpose") == ["support"]
        body = page.content.decode()
        hint = body[body.index('data-ref-purpose="support"'):]
        hint = hint[: hint.index("</p>")]
        assert '<a href="mailto:aiuto@example.it">aiuto@example.it</a>' in hint and "(lun-ven 9-18)" in hint
        assert "Sblocca Subito" in hint

    @pytest.mark.parametrize("lang", ["it", "en"])
    def test_reference_code_is_for_your_records_when_no_channel_is_set(self, client, settings, flow, lang):
        settings.OPERATOR = operator_from_env({"PORTAL_OPERATOR_NAME": "Studio Rossi srl"})
        page = reach_an_outcome(client, flow, lang)
        assert attr_values(page, "data-session-ref") and attr_values(page, "data-ref-purpose") == ["records"]
        assert "mailto:" not in page.content.decode()
