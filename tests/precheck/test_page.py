"""The template pre-check page, as a browser without JavaScript uses it: a POST form that stores nothing."""

import logging

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse
from django.utils import translation

from portal.precheck.forms import MAX_TEXT
from portal.tracking.models import FlowSession, LinkOpen

pytestmark = pytest.mark.django_db

DONE_WHEN = "Ciao {{1}}{{2}}, il tuo ordine ti aspetta qui: https://bit.ly/3abcXY grazie"


def url(lang="it"):
    with translation.override(lang):
        return reverse("precheck:check")


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def findings(response):
    return {li["data-rule"]: li for li in soup(response).select("[data-rule]")}


def test_the_page_is_a_post_form_without_a_token_a_textarea_and_the_three_categories(client):
    response = client.get(url())
    assert response.status_code == 200 and "csrftoken" not in response.cookies
    form = soup(response).select_one("form.precheck-form")
    assert form["method"] == "post" and form["action"] == url()
    assert not form.select_one("input[name=csrfmiddlewaretoken]")  # portal/crossorigin.py protects it
    assert form.select_one("textarea[name=text]")
    assert [radio["value"] for radio in form.select("input[type=radio][name=category]")] == [
        "marketing", "utility", "authentication"]
    assert not soup(response).select("[data-precheck-results]")


@pytest.mark.parametrize("lang,words", [("it", ["Link accorciato", "Due variabili attaccate", "Come correggere"]),
                                        ("en", ["Shortened link", "Two variables side by side", "How to fix it"])])
def test_a_shortened_link_and_adjacent_variables_are_named_with_their_fixes(client, lang, words):
    """The issue's done-when, without JavaScript, in both languages."""
    response = client.post(url(lang), {"text": DONE_WHEN, "category": "utility"})
    assert response.status_code == 200
    found = findings(response)
    assert set(found) == {"link_shortener", "variable_adjacent"}
    page = soup(response).select_one("[data-precheck-results]").get_text(" ")
    for word in words:
        assert word in page
    assert "https://bit.ly/3abcXY" in found["link_shortener"].get_text()
    assert "{{1}}{{2}}" in found["variable_adjacent"].get_text()
    for li in found.values():
        source = li.select_one(".finding__source a")
        assert source["href"].startswith("https://developers.facebook.com/documentation/business-messaging/")
    # The text stays in the form, to fix and check again.
    assert soup(response).select_one("textarea[name=text]").get_text() == DONE_WHEN
    assert response["Cache-Control"].count("no-store") == 1


def test_a_clean_template_says_nothing_was_found(client):
    response = client.post(url(), {"text": "Ciao {{1}}, il tuo ordine {{2}} è partito. Grazie!",
                                   "category": "utility"})
    assert response.status_code == 200
    assert soup(response).select_one("[data-precheck-clean]")
    assert findings(response) == {}


def test_the_chosen_category_changes_the_review(client):
    text = "Ciao {{1}}, nuovi arrivi in negozio da lunedì, vieni a trovarci."
    assert "marketing_opt_out" in findings(client.post(url(), {"text": text, "category": "marketing"}))
    assert "marketing_opt_out" not in findings(client.post(url(), {"text": text, "category": "utility"}))


def test_the_website_field_tells_own_links_from_other_sites(client):
    text = "Ciao {{1}}, la fattura è su https://pagamenti-esterni.com/x e l'ordine su https://www.negozio.it/o ok."
    found = findings(client.post(url(), {"text": text, "category": "utility", "website": "negozio.it"}))
    assert "pagamenti-esterni.com" in found["link_other_site"].get_text()
    assert "negozio.it/o" not in found["link_other_site"].get_text()


@pytest.mark.parametrize("data,field", [
    ({"text": "", "category": "utility"}, "text"),
    ({"text": "   \n ", "category": "utility"}, "text"),
    ({"text": "Ciao {{1}}, grazie.", "category": ""}, "category"),
    ({"text": "Ciao {{1}}, grazie.", "category": "promo"}, "category"),
    ({"text": "Ciao {{1}}, grazie.", "category": "utility", "website": "w" * 201}, "website"),
])
def test_bad_input_is_a_form_error_not_a_500(client, data, field):
    response = client.post(url(), data)
    assert response.status_code == 400
    summary = soup(response).select_one("[data-precheck-errors]")
    assert summary is not None and summary.select("li a")
    assert not soup(response).select("[data-precheck-results]")


def test_a_huge_text_is_refused_with_the_limit(client):
    response = client.post(url(), {"text": "Ciao {{1}} " * (MAX_TEXT // 5), "category": "marketing"})
    assert response.status_code == 400
    error = soup(response).select_one("#text-error").get_text()
    assert str(MAX_TEXT) in error.replace(".", "").replace(",", "")
    assert not soup(response).select("[data-rule]")


def test_a_text_longer_than_django_accepts_is_a_400_page(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = client.post(url(), {"text": "x" * 20_000, "category": "utility"})
    assert response.status_code == 400


def test_a_nul_byte_is_the_edge_400():
    from tests.edge.conftest import guarded

    client = guarded(Client())
    response = client.post(url(), {"text": "Ciao\x00 {{1}}", "category": "utility"})
    assert response.status_code == 400
    assert not soup(response).select("[data-rule]")


def test_the_form_is_taken_from_this_site_only():
    client = Client(enforce_csrf_checks=True)
    form = {"text": DONE_WHEN, "category": "utility"}
    refused = client.post(url(), form, HTTP_SEC_FETCH_SITE="cross-site")
    assert refused.status_code == 403 and not findings(refused)
    assert client.post(url(), form, HTTP_ORIGIN="http://evil.example").status_code == 403
    response = client.post(url(), form, HTTP_SEC_FETCH_SITE="same-origin", HTTP_ORIGIN="http://testserver")
    assert response.status_code == 200 and findings(response)


def test_checking_stores_nothing_and_logs_nothing_of_the_text(client, django_assert_num_queries, caplog):
    caplog.set_level(logging.DEBUG)
    secret = "Ciao {{1}}{{2}} SEGRETO-7Q4 bit.ly/zz"
    with django_assert_num_queries(0):
        client.post(url(), {"text": secret, "category": "utility"})
        client.post(url(), {"text": secret, "category": "nope"})  # a 400 is logged: without the text
    assert "SEGRETO" not in caplog.text
    assert not FlowSession.objects.exists() and not LinkOpen.objects.exists()


def test_other_methods_get_a_405(client):
    response = client.put(url())
    assert response.status_code == 405


def test_the_home_page_links_to_the_check(client, imported):
    for lang in ("it", "en"):
        with translation.override(lang):
            home = client.get(reverse("home"))
        assert soup(home).select_one(f"[data-precheck-link] a[href='{url(lang)}']")


def test_the_prevention_articles_link_to_the_check(client, imported):
    from portal.content.models import Article

    linked = [article for article in Article.objects.filter(translation_key__in=[
        "template-quality-and-pausing", "spam-blocks", "scam-content", "what-not-to-do"])
        if f'href="{url(article.locale)}"' in article.body_html]
    assert len(linked) == 8, [a.slug for a in linked]
