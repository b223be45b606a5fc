"""Fuzz every input the site takes (paths, query strings, headers, cookies, POST bodies with odd charsets and
multipart) against the guide, votes, search and the admin login, through the same guard as portal/wsgi.py: no
response may be a 5xx, and every one carries the security headers.

Size: FUZZ_EXAMPLES examples per test (default 40, CI's small run). The full run, ≥ 5,000 cases on one database:

    FUZZ_EXAMPLES=1000 .venv/bin/python -m pytest tests/edge/test_fuzz.py
    FUZZ_EXAMPLES=1000 REQUIRE_POSTGRES=1 DATABASE_URL=postgres://…/name .venv/bin/python -m pytest tests/edge/test_fuzz.py
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=os.environ.get("FUZZ_RANDOM") != "1",
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])

PAGES = [
    "/", "/it/", "/en/", "/healthz", "/readyz", "/robots.txt", "/sitemap.xml",
    "/it/search/", "/en/search/", "/it/feedback/", "/en/feedback/",
    "/it/guide/blocked-number/", "/en/guide/blocked-number/", "/it/guide/blocked-number/start/",
    "/it/articles/fare-ricorso/", "/en/articles/", "/admin/login/", "/admin/", "/static/css/site.css",
    # The outcome tools (GET forms and the .ics reminder, issue 8).
    "/it/guide/blocked-number/appeal-website/", "/en/guide/blocked-number/website-review-button/",
    "/it/guide/blocked-number/wait-restriction-dated/", "/it/guide/blocked-number/appeal-spam/",
    "/it/guide/blocked-number/appeal-website/reminder.ics", "/en/guide/blocked-number/wait-restriction-dated/reminder.ics",
]
POST_TARGETS = ["/it/feedback/", "/en/feedback/", "/it/guide/blocked-number/", "/it/search/", "/admin/login/",
                "/it/no-such-page/", "/it/template-check/", "/it/guide/blocked-number/appeal-spam/code/"]
NASTY = ["\x00", "\x01", "\x7f", "\ufffd", "\ud800", "%00", "%ff", "%c3%28", "../", "//", "\u202e", "😀", "è", "'",
         '"', "<script>", "\r\n", " ", "+", "&", "=", ";", "%", "\\", "\t"]

nasty_text = st.one_of(st.text(), st.lists(st.sampled_from(NASTY), max_size=6).map("".join),
                       st.text(alphabet=st.characters(codec="utf-8"), max_size=30))
raw_bytes = st.one_of(st.binary(max_size=80), nasty_text.map(lambda t: t.encode("utf-8", "surrogatepass")))


def wsgi_text(data: bytes) -> str:
    """Bytes as a WSGI server hands them to the application (decoded as latin-1)."""
    return data.decode("latin-1")


def assert_no_server_error(response) -> None:
    assert response.status_code < 500, (response.status_code, response.content[:300])
    if response.status_code >= 400:
        assert "X-Content-Type-Options" in response.headers and "Referrer-Policy" in response.headers
        if response.get("Content-Type", "").startswith("text/html"):  # a page, not whitenoise's empty 405
            assert "Content-Security-Policy" in response.headers
            assert "X-Frame-Options" in response.headers


@pytest.fixture
def fuzz_client(edge_client, imported):
    edge_client.raise_request_exception = True  # an exception is a failure, with its traceback
    return edge_client


@FUZZ
@given(method=st.sampled_from(["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "BREW"]),
       page=st.sampled_from(PAGES), suffix=raw_bytes)
def test_fuzz_paths(fuzz_client, method, page, suffix):
    path = wsgi_text(page.encode() + suffix)
    assert_no_server_error(fuzz_client.generic(method, page, PATH_INFO=path))


@FUZZ
@given(page=st.sampled_from(PAGES), query=st.one_of(
    raw_bytes,
    st.dictionaries(st.sampled_from(["q", "page", "next", "lang", "answer", "x", "website", "requested", "end",
                                     "fix"]), nasty_text, max_size=4).map(
        lambda d: "&".join(f"{k}={v}" for k, v in d.items()).encode("utf-8", "surrogatepass"))))
def test_fuzz_query_strings(fuzz_client, page, query):
    assert_no_server_error(fuzz_client.get(page, QUERY_STRING=wsgi_text(query)))


HEADERS = ["HTTP_ACCEPT_LANGUAGE", "HTTP_HX_REQUEST", "HTTP_HX_CURRENT_URL", "HTTP_HX_TARGET", "HTTP_REFERER",
           "HTTP_ORIGIN", "HTTP_X_CSRFTOKEN", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_RANGE",
           "HTTP_ACCEPT", "HTTP_ACCEPT_ENCODING", "HTTP_USER_AGENT", "HTTP_X_FORWARDED_PROTO", "HTTP_HX_HISTORY_RESTORE_REQUEST",
           "HTTP_HOST", "CONTENT_TYPE", "CONTENT_LENGTH", "HTTP_X_FORWARDED_FOR", "HTTP_SEC_FETCH_SITE"]


@FUZZ
@given(page=st.sampled_from(PAGES), method=st.sampled_from(["GET", "POST"]),
       headers=st.dictionaries(st.sampled_from(HEADERS), raw_bytes.map(wsgi_text), max_size=5))
def test_fuzz_headers(fuzz_client, page, method, headers):
    assert_no_server_error(fuzz_client.generic(method, page, **headers))


COOKIES = ["sessionid", "csrftoken", "votes", "django_language", "walks", "walk", "messages"]


@FUZZ
@given(page=st.sampled_from(PAGES + ["/it/guide/blocked-number/start/"]), method=st.sampled_from(["GET", "POST"]),
       cookies=st.one_of(
           raw_bytes.map(wsgi_text),
           st.dictionaries(st.sampled_from(COOKIES), raw_bytes, max_size=4).map(
               lambda d: "; ".join(f"{k}={wsgi_text(v)}" for k, v in d.items())),
           st.dictionaries(st.sampled_from(COOKIES), nasty_text, max_size=4).map(
               lambda d: "; ".join(f'{k}="{v}"' for k, v in d.items()).encode("utf-8", "surrogatepass").decode(
                   "latin-1"))))
def test_fuzz_cookies(fuzz_client, page, method, cookies):
    assert_no_server_error(fuzz_client.generic(method, page, HTTP_COOKIE=cookies))


CONTENT_TYPES = [
    "application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=utf-8",
    "application/x-www-form-urlencoded; charset=latin-1", "application/x-www-form-urlencoded; charset=utf-16",
    "application/x-www-form-urlencoded; charset*=BOGUS''utf-8", "application/x-www-form-urlencoded; charset=",
    "multipart/form-data; boundary=", "multipart/form-data; boundary=b", "multipart/form-data; boundary*=BOGUS''b",
    "multipart/form-data; boundary=b; charset=utf-16", "multipart/form-data", "multipart/mixed; boundary=b",
    "text/plain", "application/json", "", ";;;", "multipart/form-data; boundary=\"b\"",
]
FIELDS = ["target", "helpful", "reason", "next", "answer", "csrfmiddlewaretoken", "username", "password", "q"]
GOOD_VALUES = ["article:appeal", "step:blocked_number:start", "outcome:blocked_number:appeal_spam", "yes", "no",
               "unclear", "continue", "/it/", "admin"]

form_fields = st.dictionaries(st.sampled_from(FIELDS), st.one_of(st.sampled_from(GOOD_VALUES), nasty_text),
                              max_size=6)


def urlencoded(fields: dict[str, str]) -> bytes:
    return "&".join(f"{k}={v}" for k, v in fields.items()).encode("utf-8", "surrogatepass")


def multipart(fields: dict[str, str], boundary: str = "b") -> bytes:
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in fields.items()]
    return ("".join(parts) + f"--{boundary}--\r\n").encode("utf-8", "surrogatepass")


@FUZZ
@given(url=st.sampled_from(POST_TARGETS), content_type=st.one_of(st.sampled_from(CONTENT_TYPES),
                                                                  nasty_text.map(lambda t: "multipart/form-data; " + t)),
       body=st.one_of(raw_bytes, form_fields.map(urlencoded), form_fields.map(multipart),
                      st.tuples(form_fields, st.binary(max_size=40)).map(lambda fb: multipart(fb[0]) + fb[1])),
       htmx=st.booleans(), length=st.one_of(st.none(), st.sampled_from(["0", "-1", "1e3", "", "x", " 3", "½"])))
def test_fuzz_post_bodies(fuzz_client, url, content_type, body, htmx, length):
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    if length is not None:  # never more than the body: the test client's payload refuses to read past its end
        extra["CONTENT_LENGTH"] = length
    content_type = content_type.encode("utf-8", "surrogatepass").decode("latin-1")
    assert_no_server_error(fuzz_client.generic("POST", url, body, content_type=content_type, **extra))


@FUZZ
@given(step=st.sampled_from(["start", "reason", "review_requested", "appeal_spam", "nowhere"]),
       fields=form_fields, lang=st.sampled_from(["it", "en"]))
def test_fuzz_guide_answers_and_votes(fuzz_client, step, fields, lang):
    """Well-formed forms with odd values, in the order a visitor would send them."""
    page = f"/{lang}/guide/blocked-number/{step.replace('_', '-')}/"
    assert_no_server_error(fuzz_client.get(page))
    assert_no_server_error(fuzz_client.post(page, {k: v.replace("\ud800", "") for k, v in fields.items()}))
    assert_no_server_error(fuzz_client.post(f"/{lang}/feedback/", {k: v.replace("\ud800", "")
                                                                    for k, v in fields.items()}))


def test_the_fuzz_reaches_the_views(fuzz_client):
    """Guard against a fuzz that only ever meets the edge: good input gets through to real pages."""
    assert fuzz_client.get("/it/search/", QUERY_STRING="q=ricorso").status_code == 200
    assert fuzz_client.post("/it/feedback/", urlencoded({"target": "article:appeal", "helpful": "yes"}),
                            content_type=CONTENT_TYPES[0]).status_code == 303
