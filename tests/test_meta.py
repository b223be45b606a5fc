"""Every page says what it is to search engines and link previews: a description and Open Graph tags."""

import re

import pytest

from tests.guide.helpers import start_url, step_url

pytestmark = pytest.mark.django_db


def meta(body: str, key: str, attribute: str = "name") -> list[str]:
    return re.findall(rf'<meta {attribute}="{re.escape(key)}" content="([^"]*)"', body)


def page_bodies(client):
    client.post(start_url())
    return {
        "home": client.get("/it/"),
        "home-en": client.get("/en/"),
        "step": client.get(step_url("review_requested")),
        "outcome": client.get(step_url("appeal_spam")),
        "article": client.get("/it/articles/fare-ricorso/"),
        "search": client.get("/it/search/?q=ricorso"),
        "not-found": client.get("/it/articles/nessuno/"),
        "restart": client.get("/it/guide/blocked-number/restart/"),
    }


def test_every_page_has_one_description_and_open_graph_tags(client, imported):
    for name, response in page_bodies(client).items():
        body = response.content.decode()
        descriptions = meta(body, "description")
        assert len(descriptions) == 1 and len(descriptions[0]) > 20, f"{name}: description {descriptions}"
        for key in ("og:title", "og:description", "og:locale", "og:site_name", "og:type"):
            values = meta(body, key, "property")
            assert len(values) == 1 and values[0].strip(), f"{name}: {key} is {values}"


def test_open_graph_names_the_page_and_its_language(client, imported):
    pages = page_bodies(client)
    article = pages["article"].content.decode()
    assert meta(article, "og:title", "property") == ["Come fare ricorso contro il blocco"]
    assert meta(article, "og:type", "property") == ["article"]
    assert meta(article, "og:locale", "property") == ["it_IT"]
    assert meta(article, "description") == meta(article, "og:description", "property")
    assert meta(pages["home-en"].content.decode(), "og:locale", "property") == ["en_GB"]
    outcome = pages["outcome"].content.decode()
    title = re.search(r'<h1 id="step-title"[^>]*>([^<]*)</h1>', outcome)[1]
    assert meta(outcome, "og:title", "property") == [title]


def test_site_name_and_operator_come_from_settings(client, imported, settings):
    settings.OPERATOR = {"site_name": "Sblocca Numero", "name": "Studio Rossi", "support_href": "mailto:a@b.it",
                         "support_label": "a@b.it", "support_hours": "lun–ven 9–18"}
    body = client.get("/it/").content.decode()
    assert meta(body, "og:site_name", "property") == ["Sblocca Numero"]
    assert "<title>" in body and "Sblocca Numero</title>" in body
    assert "WhatsApp Business help" not in body and "Aiuto WhatsApp Business" not in body
