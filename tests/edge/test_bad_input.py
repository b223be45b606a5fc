"""Bad input gets a 4xx page in the visitor's language, with the security headers, never a 500.

Each case of issue 10 first, then the class: NUL and invalid text in the path, query string, cookies and form bodies,
broken Content-Type parameters and multipart bodies, refused at the edge.
"""

import pytest

pytestmark = pytest.mark.django_db

SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options",
                    "Cross-Origin-Opener-Policy")


def assert_refused(response, status=400, lang="it"):
    """A real page (the site's layout, in the language of the URL), the security headers, no cache."""
    body = response.content.decode()
    assert response.status_code == status, body[:500]
    assert f'<html lang="{lang}">' in body
    assert 'data-error-page="%d"' % status in body
    for header in SECURITY_HEADERS:
        assert header in response.headers, header
    assert "unsafe-inline" not in response["Content-Security-Policy"]


# --- the cases measured in issue 10 -----------------------------------------------------------------------------

def test_nul_in_the_search_query_is_a_400(edge_client, imported):
    assert_refused(edge_client.get("/it/search/?q=%00abc"))
    assert_refused(edge_client.get("/en/search/", {"q": "ab\x00c"}), lang="en")


def test_nul_in_the_session_cookie_is_a_400(edge_client):
    edge_client.cookies["sessionid"] = "\x00aaaaaaaaaaaaaaaa"
    assert_refused(edge_client.get("/admin/login/"))
    assert_refused(edge_client.get("/en/guide/blocked-number/"), lang="en")


def test_a_form_post_in_latin_1_is_a_400_page_with_security_headers(csrf_client):
    """A public form needs no token (portal/crossorigin.py): the body's charset is what is refused."""
    response = csrf_client.generic("POST", "/it/feedback/", "target=article:appeal",
                                   content_type="application/x-www-form-urlencoded; charset=latin-1",
                                   HTTP_SEC_FETCH_SITE="same-origin")
    assert_refused(response)


@pytest.mark.parametrize("content_type", [
    "application/x-www-form-urlencoded; charset*=BOGUS''utf-8",
    "multipart/form-data; boundary*=BOGUS''abc",
    "text/plain; charset*=x''%ff",
])
def test_content_type_parameters_django_cannot_parse_are_a_400(edge_client, content_type):
    """Django raises while building the request, before any middleware: the WSGI guard catches it."""
    assert_refused(edge_client.generic("POST", "/it/feedback/", b"target=x", content_type=content_type))
    assert_refused(edge_client.get("/en/", CONTENT_TYPE=content_type), lang="en")


def test_an_empty_multipart_boundary_is_a_400(edge_client):
    response = edge_client.generic("POST", "/it/feedback/", b"target=x",
                                   content_type="multipart/form-data; boundary*=utf-8''")
    assert_refused(response)


@pytest.mark.parametrize("url", ["/it/no-such-page/", "/it/feedback/", "/admin/login/"])
def test_a_broken_multipart_body_is_a_4xx_page_not_a_500(edge_client, url):
    response = edge_client.generic("POST", url, b"--x\r\nnonsense", content_type="multipart/form-data; boundary=")
    assert_refused(response)


# --- the class: refused at the edge -----------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/it/guide/blocked-number/%00/", "/it/search/%01x", "/it/%7f"])
def test_control_characters_in_the_path_are_a_400(edge_client, url):
    assert_refused(edge_client.get(url))


@pytest.mark.parametrize("query", ["q=%ff%fe", "q=\udcff", "%00=x", "q=%c3%28"])
def test_invalid_utf8_or_nul_in_the_query_string_is_a_400(edge_client, query):
    response = edge_client.generic("GET", "/en/search/", QUERY_STRING=query.encode("utf-8", "surrogateescape")
                                   .decode("latin-1"))
    assert_refused(response, lang="en")


@pytest.mark.parametrize("body", [b"target=article:appeal&helpful=%00", b"target=%ff", b"tar\x00get=1",
                                  "target=caf\u00e9".encode("latin-1")])
def test_nul_or_invalid_utf8_in_a_form_body_is_a_400(edge_client, body):
    response = edge_client.generic("POST", "/it/feedback/", body, content_type="application/x-www-form-urlencoded")
    assert_refused(response)


def test_nul_in_a_multipart_field_is_a_400(edge_client):
    body = (b"--b\r\nContent-Disposition: form-data; name=\"target\"\r\n\r\narticle:\x00appeal\r\n--b--\r\n")
    response = edge_client.generic("POST", "/it/feedback/", body, content_type="multipart/form-data; boundary=b")
    assert_refused(response)


@pytest.mark.parametrize("length", ["1e3", "-1", "½", "0x10"])
@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "multipart/form-data; boundary=b"])
def test_a_content_length_that_is_not_a_number_is_a_400(edge_client, length, content_type):
    response = edge_client.generic("POST", "/it/feedback/", b"target=article:appeal", content_type=content_type,
                                   CONTENT_LENGTH=length)
    assert_refused(response)


def test_a_cookie_with_invalid_utf8_is_a_400(edge_client):
    response = edge_client.get("/it/", HTTP_COOKIE="csrftoken=\xff\xfe".encode("latin-1").decode("latin-1"))
    assert_refused(response)


def test_good_text_passes_the_edge(edge_client, imported):
    """Italian accents, emoji and newlines in forms are text, not bad input."""
    response = edge_client.get("/it/search/", {"q": "perché è bloccato 📵"})
    assert response.status_code == 200
    response = edge_client.post("/it/feedback/", {"target": "article:appeal", "helpful": "yes", "next": "/it/\nà"})
    assert response.status_code == 303


@pytest.mark.parametrize("status, url, method", [(404, "/it/no-such-page/", "GET"), (405, "/it/feedback/", "GET"),
                                                 (404, "/en/articles/none/", "GET")])
def test_every_error_page_has_the_security_headers_and_the_language(edge_client, status, url, method):
    lang = url.split("/")[1]
    assert_refused(edge_client.generic(method, url), status=status, lang=lang)


def test_a_csrf_failure_is_a_403_page_with_the_security_headers(csrf_client):
    """Both kinds: a public form posted from another site, and the admin's login without its token."""
    assert_refused(csrf_client.post("/en/feedback/", {"target": "article:appeal"}, HTTP_SEC_FETCH_SITE="cross-site"),
                   status=403, lang="en")
    assert_refused(csrf_client.post("/admin/login/", {"username": "a", "password": "b"}), status=403)


def test_the_500_page_has_the_security_headers_and_reads_no_body(edge_client, settings, monkeypatch):
    from portal.content import views

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(views, "search_kb", broken)
    edge_client.raise_request_exception = False
    response = edge_client.get("/en/search/?q=x")
    assert_refused(response, status=500, lang="en")


def test_a_host_we_do_not_serve_is_our_400_page(edge_client):
    assert_refused(edge_client.get("/en/", HTTP_HOST="evil.example"), lang="en")


def test_a_body_over_the_limit_is_our_400_page_and_is_not_read_again(edge_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    response = edge_client.post("/it/feedback/", {"target": "article:appeal", "next": "x" * 500})
    assert_refused(response)


def test_the_wsgi_application_is_guarded():
    """Production's entry point goes through the same guard as the tests' client."""
    from portal.edge import EdgeGuard
    from portal.wsgi import application

    assert isinstance(application, EdgeGuard)


def test_a_walk_or_vote_cookie_with_a_nul_is_a_400(edge_client):
    edge_client.cookies["walk"] = "\x00"
    assert_refused(edge_client.get("/it/guide/blocked-number/"))
    edge_client.cookies["walk"] = ""
    edge_client.cookies["votes"] = "abc\x00"
    assert_refused(edge_client.post("/en/feedback/", {"target": "article:appeal", "helpful": "yes"}), lang="en")
