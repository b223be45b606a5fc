"""The page cache (portal/pagecache.py): same page for everyone in a language, an admin edit shows at once, every
visitor gets their own CSRF token, conditional GET answers 304, and nothing of a walk is ever stored."""

import re

import pytest
from django.test import Client

from portal.content.models import Article
from tests.content.test_admin import article_form_data
from tests.guide.helpers import start_url, step_url

pytestmark = pytest.mark.django_db

ARTICLE = "/it/articles/fare-ricorso/"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def untokened(response) -> str:
    page = response.content.decode()
    for token in TOKEN.findall(page):
        page = page.replace(token, "TOKEN")
    return page


def test_an_admin_edit_shows_on_the_next_request_with_the_page_cached(admin_client, client, imported):
    article = Article.objects.get(locale="it", slug="fare-ricorso")
    before = client.get(ARTICLE)
    assert untokened(client.get(ARTICLE)) == untokened(before)  # stored: the same page again (the token aside)
    home = client.get("/it/").content.decode()
    assert article.title in home
    response = admin_client.post(f"/admin/content/article/{article.pk}/change/",
                                 article_form_data(article, title="Come fare ricorso, corretto dall'admin"))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert "Come fare ricorso, corretto dall&#x27;admin" in client.get(ARTICLE).content.decode()
    assert "Come fare ricorso, corretto dall&#x27;admin" in client.get("/it/").content.decode()
    assert "Come fare ricorso, corretto dall&#x27;admin" in client.get("/it/search/", {"q": "ricorso"}).content.decode()


def test_each_visitor_gets_their_own_csrf_token_and_the_form_works(imported):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    page_one = first.get("/it/").content.decode()
    page_two = second.get("/it/").content.decode()  # a cache hit
    token_one, token_two = TOKEN.findall(page_one)[0], TOKEN.findall(page_two)[0]
    assert "\x00" not in page_two and f'"X-CSRFToken": "{token_two}"' in page_two
    assert first.cookies["csrftoken"].value != second.cookies["csrftoken"].value
    # The cached page's form starts the guide, with this visitor's token (and not with the other's).
    assert second.post(start_url(), {"csrfmiddlewaretoken": token_one}).status_code == 403
    response = second.post(start_url(), {"csrfmiddlewaretoken": token_two})
    assert response.status_code == 303


def test_articles_answer_a_conditional_get_with_304(client, imported):
    response = client.get(ARTICLE)
    etag, modified = response["ETag"], response["Last-Modified"]
    assert etag.startswith('W/"') and "must-revalidate" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]
    again = client.get(ARTICLE, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    assert client.get(ARTICLE, headers={"If-Modified-Since": modified}).status_code == 304
    # Another CSRF secret is another page (its forms carry a token of that secret).
    other = Client()
    assert other.get(ARTICLE, headers={"If-None-Match": etag}).status_code == 200
    # An edit is another page.
    Article.objects.get(locale="it", slug="fare-ricorso").save()
    assert client.get(ARTICLE, headers={"If-None-Match": etag}).status_code == 200


@pytest.mark.parametrize("url", ["/it/", "/it/search/?q=ricorso", "/it/topics/capire/"])
def test_other_public_pages_revalidate_too(client, imported, url):
    etag = client.get(url)["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304


def test_a_walk_is_never_stored_in_a_page(imported, flow):
    walker = Client()
    walker.post(start_url())
    node = flow.nodes[flow.start]
    while not node.is_outcome:
        answer = node.answers[0].id if node.answers else "continue"
        walker.post(step_url(node.id), {"answer": answer})
        node = flow.nodes[node.target(answer)]
    mine = walker.get(step_url(node.id))
    code = re.search(r'data-session-ref="([^"]+)"', mine.content.decode()).group(1)
    assert "no-store" in mine["Cache-Control"] and "ETag" not in mine
    stranger = Client().get(step_url(node.id)).content.decode()
    assert code not in stranger and "data-session-ref" not in stranger


def test_a_visitor_whose_page_is_their_own_is_not_served_from_the_cache(client, imported):
    client.get(ARTICLE)  # stored for everyone
    token = TOKEN.findall(client.get(ARTICLE).content.decode())[0]
    response = client.post("/it/feedback/", {"target": "article:appeal", "helpful": "yes", "next": ARTICLE,
                                             "csrfmiddlewaretoken": token})
    assert response.status_code in (200, 302, 303)
    page = client.get(ARTICLE)
    assert "feedback__thanks" in page.content.decode()  # their vote, not the stored page
    assert "ETag" not in page


def test_search_counting_has_a_place_outside_the_cache():
    from portal.content import views

    assert getattr(views.search_page, "page_cached", False)
    assert not getattr(views.search, "page_cached", False)
