"""The page cache (portal/pagecache.py): same page for everyone in a language (no CSRF token: the public forms are
protected by portal/crossorigin.py), an admin edit shows at once, conditional GET answers 304, and nothing of a walk
is ever stored. The token machinery kept for a page that does hold a token is tested on a page of its own."""

import re

import pytest
from django.http import HttpResponse
from django.test import Client

from portal.content.models import Article
from tests.content.test_admin import article_form_data
from tests.guide.helpers import answer_to_first_outcome, start_url, step_url

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
    assert client.get(ARTICLE).content == before.content  # stored: the same page again
    home = client.get("/it/").content.decode()
    assert article.title in home
    response = admin_client.post(f"/admin/content/article/{article.pk}/change/",
                                 article_form_data(article, title="Come fare ricorso, corretto dall'admin"))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert "Come fare ricorso, corretto dall&#x27;admin" in client.get(ARTICLE).content.decode()
    assert "Come fare ricorso, corretto dall&#x27;admin" in client.get("/it/").content.decode()
    assert "Come fare ricorso, corretto dall&#x27;admin" in client.get("/it/search/", {"q": "ricorso"}).content.decode()


@pytest.mark.parametrize("url", ["/it/", ARTICLE])
def test_home_and_article_are_the_same_page_for_every_visitor_and_their_forms_need_no_token(imported, url):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    one, two = first.get(url), second.get(url)  # the first render, then a hit
    assert one.content == two.content and "csrfmiddlewaretoken" not in two.content.decode()
    assert "X-CSRFToken" not in two.content.decode() and "\x00" not in two.content.decode()
    assert not one.cookies and not two.cookies and "csrftoken" not in second.cookies
    # The stored page's forms work without a token, from this site; from another site they are refused.
    if url == "/it/":
        assert second.post(start_url(), HTTP_SEC_FETCH_SITE="cross-site").status_code == 403
        assert second.post(start_url(), HTTP_SEC_FETCH_SITE="same-origin").status_code == 303
    else:
        vote = {"target": "article:appeal", "helpful": "yes", "next": ARTICLE}
        assert second.post("/it/feedback/", vote, HTTP_ORIGIN="https://evil.example").status_code == 403
        assert second.post("/it/feedback/", vote, HTTP_SEC_FETCH_SITE="same-origin").status_code == 303


def test_articles_answer_a_conditional_get_with_304(client, imported):
    response = client.get(ARTICLE)
    etag, modified = response["ETag"], response["Last-Modified"]
    assert etag.startswith('W/"') and "must-revalidate" in response["Cache-Control"]
    assert "Cookie" in response["Vary"]
    again = client.get(ARTICLE, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    assert client.get(ARTICLE, headers={"If-Modified-Since": modified}).status_code == 304
    # No token in the page: another visitor's copy is the same page.
    other = Client()
    assert other.get(ARTICLE, headers={"If-None-Match": etag}).status_code == 304
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
    node = answer_to_first_outcome(walker, flow)
    mine = walker.get(step_url(node.id))
    code = re.search(r'data-session-ref="([^"]+)"', mine.content.decode()).group(1)
    assert "no-store" in mine["Cache-Control"] and "ETag" not in mine
    stranger = Client().get(step_url(node.id)).content.decode()
    assert code not in stranger and "data-session-ref" not in stranger


def test_a_visitor_whose_page_is_their_own_is_not_served_from_the_cache(client, imported):
    client.get(ARTICLE)  # stored for everyone
    response = client.post("/it/feedback/", {"target": "article:appeal", "helpful": "yes", "next": ARTICLE})
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


def _token_page(path: str):
    """A page that does hold a token (no public page does any more): what the machinery kept for one works on."""
    from django.middleware.csrf import get_token

    from portal.pagecache import cached_page

    @cached_page
    def view(request):
        words = " ".join(f"parola{n}" for n in range(400))
        return HttpResponse(f'<body data-hx-headers=\'{{"X-CSRFToken": "{get_token(request)}"}}\'><p>{words}</p>'
                            f'<form method="post"><input name="csrfmiddlewaretoken" value="{get_token(request)}">'
                            f"</form></body>")

    def visit(rf, secret: str, encoding: str):
        from portal.compression import CompressionMiddleware

        request = rf.get(path, headers={"Accept-Encoding": encoding})
        request.META["CSRF_COOKIE"] = secret  # what CsrfViewMiddleware reads from the visitor's cookie
        return CompressionMiddleware(view)(request)  # a Brotli client's token page is compressed per response

    return visit


def _secret() -> str:
    from django.middleware.csrf import _get_new_csrf_string

    return _get_new_csrf_string()


def test_a_stored_page_with_a_token_sent_gzipped_carries_this_responses_token_of_its_secret(rf, db):
    from django.middleware.csrf import _unmask_cipher_token

    visit = _token_page("/it/a-page-with-a-token/")
    one, two = _secret(), _secret()
    plain = visit(rf, one, "").content.decode()  # the first render, stored
    gzipped = visit(rf, two, "gzip")  # a hit, from the stored segments
    assert gzipped["Content-Encoding"] == "gzip" and "Accept-Encoding" in gzipped["Vary"]
    page = _gunzip_checked(gzipped.content).decode()
    tokens = set(TOKEN.findall(page))
    assert len(tokens) == 1 and f'"X-CSRFToken": "{next(iter(tokens))}"' in page and "\x00" not in page
    assert untokened(HttpResponse(page)) == untokened(HttpResponse(plain))
    assert _unmask_cipher_token(tokens.pop()) == two
    # Every gzipped hit has a new masking of the visitor's own secret.
    again = _gunzip_checked(visit(rf, two, "gzip").content).decode()
    token, other = TOKEN.findall(page)[0], TOKEN.findall(again)[0]
    assert token != other and _unmask_cipher_token(other) == two


def test_a_brotli_hit_of_a_page_with_a_token_is_compressed_with_this_responses_token(rf, db):
    import brotli

    visit = _token_page("/it/another-page-with-a-token/")
    visit(rf, _secret(), "")
    secret = _secret()
    first = brotli.decompress(visit(rf, secret, "gzip, br").content).decode()
    second = brotli.decompress(visit(rf, secret, "br").content).decode()
    assert TOKEN.findall(first)[0] != TOKEN.findall(second)[0] and "\x00" not in first + second
    assert untokened(HttpResponse(first)) == untokened(HttpResponse(second))


@pytest.mark.parametrize("url", ["/it/", ARTICLE, "/it/search/?q=ricorso", "/it/topics/capire/"])
def test_a_public_page_is_the_same_stored_bytes_for_everyone_and_sets_no_cookie(imported, url):
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


@pytest.mark.parametrize("url, query", [
    ("/it/", "?junk=1"), ("/it/", "?&"), (ARTICLE, "?utm_source=x"),
    ("/it/search/", "?q=ricorso&junk=1"), ("/it/search/", "?q=ricorso&q=blocco"), ("/it/search/", "?q=ricorso&"),
])
def test_a_public_page_with_a_query_its_view_does_not_read_is_rendered_and_not_stored(monkeypatch, imported, url,
                                                                                      query):
    from portal import pagecache

    stored = []
    monkeypatch.setattr(pagecache, "_cache_set", lambda key, entry, timeout: stored.append(key))
    response = Client().get(url + query)
    assert response.status_code == 200 and "<html" in response.content.decode()
    assert stored == []
    plain = "?q=ricorso" if "search" in url else ""
    assert Client().get(url + plain).status_code == 200 and len(stored) == 1


def test_a_topic_page_number_is_stored_and_an_unread_parameter_is_not(monkeypatch, imported):
    from portal import pagecache

    stored = []
    monkeypatch.setattr(pagecache, "_cache_set", lambda key, entry, timeout: stored.append(key))
    topic = "/it/topics/" + __import__("portal.content.models", fromlist=["Topic"]).Topic.values[0] + "/"
    assert Client().get(topic + "?page=1&junk=2").status_code == 200 and stored == []
    assert Client().get(topic + "?page=1").status_code == 200 and len(stored) == 1


def test_a_public_page_asked_with_an_htmx_header_that_is_not_true_is_stored_as_the_full_page(monkeypatch, imported):
    from portal import pagecache

    stored = []
    real = pagecache._cache_set
    monkeypatch.setattr(pagecache, "_cache_set", lambda key, entry, timeout: (stored.append(key),
                                                                               real(key, entry, timeout)))
    full = Client().get("/it/", headers={"HX-Request": "1"}).content
    assert Client().get("/it/").content == full and len(stored) == 1  # django-htmx counts only "true": no htmx
    Client().get("/it/", headers={"HX-Request": "true"})
    assert len(stored) == 2
