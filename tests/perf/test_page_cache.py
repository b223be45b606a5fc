"""The page cache (portal/pagecache.py): same page for everyone in a language, an admin edit shows at once, every
visitor gets their own CSRF token, conditional GET answers 304, and nothing of a walk is ever stored."""

import re

import pytest
from django.http import HttpResponse
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


# Stored compressed (issue #9): a hit compresses nothing, and every response still carries its own token.

def _gunzip_checked(data: bytes) -> bytes:
    import gzip
    import zlib

    assert data[:2] == b"\x1f\x8b"
    body = gzip.decompress(data)  # checks the CRC and the length in the trailer
    assert zlib.decompressobj(-15).decompress(data[10:-8]) == body  # one raw deflate stream
    return body


def test_a_stored_page_sent_gzipped_carries_this_responses_token_and_its_secret_matches(imported):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    plain = first.get(ARTICLE).content.decode()  # the first render, stored
    gzipped = second.get(ARTICLE, headers={"Accept-Encoding": "gzip"})  # a hit, from the stored segments
    assert gzipped["Content-Encoding"] == "gzip" and "Accept-Encoding" in gzipped["Vary"]
    page = _gunzip_checked(gzipped.content).decode()
    tokens = set(TOKEN.findall(page))
    assert len(tokens) == 1 and f'"X-CSRFToken": "{tokens.pop()}"' in page and "\x00" not in page
    assert untokened(HttpResponse(page)) == untokened(HttpResponse(plain))
    # Every gzipped hit has a new masking of the visitor's own secret, and the form takes it.
    again = _gunzip_checked(second.get(ARTICLE, headers={"Accept-Encoding": "gzip"}).content).decode()
    token, other = TOKEN.findall(page)[0], TOKEN.findall(again)[0]
    assert token != other
    response = second.post("/it/feedback/", {"target": "article:appeal", "helpful": "yes", "next": ARTICLE,
                                             "csrfmiddlewaretoken": other})
    assert response.status_code in (200, 302, 303)
    assert first.post("/it/feedback/", {"target": "article:appeal", "helpful": "yes", "next": ARTICLE,
                                        "csrfmiddlewaretoken": other}).status_code == 403


def test_a_brotli_hit_of_a_page_with_a_form_is_compressed_with_this_responses_token(imported):
    import brotli

    Client().get(ARTICLE)
    visitor = Client(enforce_csrf_checks=True)
    first = brotli.decompress(visitor.get(ARTICLE, headers={"Accept-Encoding": "gzip, br"}).content).decode()
    second = brotli.decompress(visitor.get(ARTICLE, headers={"Accept-Encoding": "br"}).content).decode()
    assert TOKEN.findall(first)[0] != TOKEN.findall(second)[0] and "\x00" not in first + second
    assert untokened(HttpResponse(first)) == untokened(HttpResponse(second))


@pytest.mark.parametrize("url", ["/it/search/?q=ricorso", "/it/topics/capire/"])
def test_a_page_without_a_form_that_posts_is_the_same_bytes_for_everyone_and_sets_no_cookie(imported, url):
    import brotli

    one = Client().get(url, headers={"Accept-Encoding": "br"})
    two = Client().get(url, headers={"Accept-Encoding": "br"})  # a hit: the stored Brotli bytes
    three = Client().get(url, headers={"Accept-Encoding": "gzip"})
    assert one["Content-Encoding"] == two["Content-Encoding"] == "br" and three["Content-Encoding"] == "gzip"
    assert one.content == two.content and not one.cookies and not two.cookies and not three.cookies
    page = brotli.decompress(two.content)
    assert page == _gunzip_checked(three.content) == Client().get(url).content
    assert b"csrf" not in page.lower()
    assert Client().get(url, headers={"If-None-Match": two["ETag"]}).status_code == 304


def test_every_token_of_the_request_is_taken_out_of_a_stored_page_wherever_it_is(rf):
    """Not only form fields: a token in an attribute or a script would otherwise go to every later visitor."""
    from django.middleware.csrf import get_token

    from portal.pagecache import PLACEHOLDER, _entry

    request = rf.get("/it/somewhere/")
    token = get_token(request)
    other_secret_token = get_token(rf.get("/it/somewhere/"))
    html = (f'<body data-x=\'{{"X-CSRFToken": "{token}"}}\'><p>{token}</p><code>{other_secret_token}</code>'
            f'<p>{"a" * 64}</p></body>')
    entry = _entry(request, HttpResponse(html), "page:" + "0" * 64)
    stored = entry["body"].decode()
    assert token not in stored and stored.count(PLACEHOLDER) == 2
    assert other_secret_token in stored and "a" * 64 in stored  # not this request's: left as they are
