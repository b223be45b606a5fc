"""The public anonymous POSTs take requests from this site's pages only, by Fetch Metadata and Origin
(portal/crossorigin.py; README "Forms and cross-site requests"), with no CSRF token in any public page; staff and admin keep tokens."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.crossorigin import cross_origin_refusal
from portal.tracking.models import FlowSession, SessionEvent, Vote
from tests.edge.conftest import guarded
from tests.edge.test_bad_input import assert_refused
from tests.guide.helpers import start_url, step_url
from tests.precheck.test_page import DONE_WHEN

pytestmark = pytest.mark.django_db

ARTICLE = "/it/articles/fare-ricorso/"
OUTCOME = "appeal_spam"

#: Every public anonymous POST: (name, url, form). Each one writes something when accepted, but the template check.
PROTECTED = [
    ("start", start_url(), {}),
    ("answer", step_url("start"), {"answer": "continue"}),
    ("code", step_url(OUTCOME) + "code/", {}),
    ("vote", "/it/feedback/", {"target": "article:appeal", "helpful": "yes", "next": ARTICLE}),
    ("template check", "/it/template-check/", {"text": DONE_WHEN, "category": "utility"}),
]
CROSS_SITE = [
    {"HTTP_SEC_FETCH_SITE": "cross-site"},
    {"HTTP_SEC_FETCH_SITE": "same-site", "HTTP_ORIGIN": "http://other.testserver"},
    {"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": "http://testserver"},  # Sec-Fetch-Site decides
    {"HTTP_ORIGIN": "https://evil.example"},  # an older browser: no Sec-Fetch-Site, a foreign Origin
    {"HTTP_ORIGIN": "https://testserver"},  # another scheme is another origin
    {"HTTP_ORIGIN": "null"},  # a sandboxed frame or a data: URL
]
SAME_SITE = [
    {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "http://testserver"},  # a browser, from our page
    {"HTTP_SEC_FETCH_SITE": "none"},  # the person themselves (typed, bookmarked)
    {"HTTP_ORIGIN": "http://testserver"},  # an older browser from our page
    {},  # curl, a script: no browser was tricked into it (see portal/crossorigin.py)
]


def written() -> tuple[int, int, int]:
    return FlowSession.objects.count(), SessionEvent.objects.count(), Vote.objects.count()


def browser() -> Client:
    return guarded(Client(enforce_csrf_checks=True))


@pytest.mark.parametrize("headers", CROSS_SITE)
@pytest.mark.parametrize("name, url, form", PROTECTED)
def test_a_cross_site_post_is_refused_with_our_403_page_and_writes_nothing(imported, name, url, form, headers):
    client = guarded(Client())  # Django's token check off, as for these views: the cross-origin check refuses
    client.get(ARTICLE)
    before = written()
    response = client.post(url, form, **headers)
    assert_refused(response, status=403)
    assert "no-store" in response["Cache-Control"] and not response.cookies
    assert written() == before, name
    page = response.content.decode()
    assert "data-rule" not in page  # the template check did not run either
    # Its own page: the form came from another site (not the token failure's "reload, accept cookies").
    assert "Questo modulo arriva da un altro sito" in page and "cookie" not in page.lower()


@pytest.mark.parametrize("headers", SAME_SITE)
@pytest.mark.parametrize("name, url, form", PROTECTED)
def test_a_post_from_this_site_or_from_no_browser_works_without_a_token(imported, name, url, form, headers):
    client = browser()
    before = written()
    response = client.post(url, form, **headers)
    if name == "template check":
        assert response.status_code == 200 and "data-rule" in response.content.decode()
        assert written() == before  # it stores nothing, by design
        return
    assert response.status_code == 303, response.content.decode()[:500]
    assert written() != before, name


def test_a_trusted_origin_is_accepted_and_only_that_one(imported, settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://help.example", "https://*.partner.example"]
    vote = PROTECTED[3][2]
    client = browser()
    assert client.post("/it/feedback/", vote, HTTP_ORIGIN="https://help.example").status_code == 303
    assert client.post("/it/feedback/", vote, HTTP_ORIGIN="https://shop.partner.example",
                       HTTP_SEC_FETCH_SITE="cross-site").status_code == 303
    assert client.post("/it/feedback/", vote, HTTP_ORIGIN="http://help.example").status_code == 403
    assert client.post("/it/feedback/", vote, HTTP_ORIGIN="https://help.example.evil").status_code == 403
    assert client.post("/it/feedback/", vote, HTTP_ORIGIN="https://partner.example.evil").status_code == 403


def test_a_refused_htmx_post_is_a_403_that_htmx_does_not_swap_in(imported):
    """The page's htmx config swaps no 4xx but 400 (templates/base.html): guide.js then loads the page normally."""
    response = browser().post(step_url("start"), {"answer": "continue"}, HTTP_HX_REQUEST="true",
                              HTTP_SEC_FETCH_SITE="cross-site")
    assert response.status_code == 403


# --- staff, admin and login keep Django's tokens ----------------------------------------------------------------

@pytest.fixture
def staff_user(db):
    return get_user_model().objects.create_user("editor", password="a long pass phrase 42", is_staff=True,
                                                is_superuser=True)


def test_the_admin_login_still_needs_its_token_even_from_this_site():
    client = browser()
    credentials = {"username": "editor", "password": "a long pass phrase 42"}
    refused = client.post("/admin/login/", credentials, HTTP_SEC_FETCH_SITE="same-origin",
                          HTTP_ORIGIN="http://testserver")
    assert_refused(refused, status=403)
    page = client.get("/admin/login/")
    assert "csrftoken" in client.cookies
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    response = client.post("/admin/login/", {**credentials, "csrfmiddlewaretoken": token})
    assert response.status_code == 200  # the form again (no such user here), not a 403: the token was taken


def test_a_signed_in_staff_members_admin_post_still_needs_a_token(staff_user, imported):
    from portal.content.models import Article

    client = browser()
    client.force_login(staff_user)
    article = Article.objects.get(locale="it", slug="fare-ricorso")
    url = f"/admin/content/article/{article.pk}/delete/"
    refused = client.post(url, {"post": "yes"}, HTTP_SEC_FETCH_SITE="same-origin", HTTP_ORIGIN="http://testserver")
    assert refused.status_code == 403 and Article.objects.filter(pk=article.pk).exists()
    page = client.get(url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    assert client.post(url, {"post": "yes", "csrfmiddlewaretoken": token}).status_code == 302
    assert not Article.objects.filter(pk=article.pk).exists()


def _patterns(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def test_every_view_exempt_from_the_token_check_does_the_cross_origin_check_instead():
    """No view of ours drops CSRF protection altogether; the public POSTs are all covered."""
    exempt = {route: callback for route, callback in _patterns(get_resolver())
              if getattr(callback, "csrf_exempt", False) and callback.__module__.startswith("portal.")}
    assert exempt, "the public POST views are exempt from the token check"
    for route, callback in exempt.items():
        assert getattr(callback, "cross_origin_protected", False), route
    names = {callback.__name__ for callback in exempt.values()}
    assert {"flow_start", "step", "code_request", "feedback", "template_check"} <= names


# --- no token, no CSRF cookie in a public page ------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/it/", "/en/", ARTICLE, "/it/topics/capire/", "/it/search/?q=ricorso",
                                 step_url("start"), step_url(OUTCOME), "/it/template-check/",
                                 "/it/guide/blocked-number/restart/", "/it/resume/"])
def test_a_public_page_holds_no_token_and_sets_no_csrf_cookie(imported, url):
    client = browser()
    for _visit in range(2):  # the first render, and a hit of the page cache
        response = client.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        assert "csrfmiddlewaretoken" not in page and "X-CSRFToken" not in page
        assert "csrftoken" not in response.cookies and "csrftoken" not in client.cookies


def test_a_walkers_pages_hold_no_token_and_the_walk_needs_none(imported, flow):
    """Start, answer to an outcome and ask for nothing else: the whole walk without a token or a CSRF cookie."""
    client = browser()
    same = {"HTTP_SEC_FETCH_SITE": "same-origin", "HTTP_ORIGIN": "http://testserver"}
    response = client.post(start_url(), **same)
    assert response.status_code == 303
    node = flow.nodes[flow.start]
    while not node.is_outcome:
        page = client.get(step_url(node.id)).content.decode()
        assert "csrfmiddlewaretoken" not in page and "X-CSRFToken" not in page
        answer = node.answers[0].id if node.answers else "continue"
        data = {"items": list(node.answers[0].items[:1])} if node.is_checklist else {"answer": answer}
        assert client.post(step_url(node.id), data, **same).status_code == 303
        node = flow.nodes[node.target(answer)]
    outcome = client.get(step_url(node.id)).content.decode()
    assert "data-session-ref" in outcome and "csrfmiddlewaretoken" not in outcome
    assert "csrftoken" not in client.cookies


# --- the algorithm, and odd headers ---------------------------------------------------------------------------

@pytest.mark.parametrize("method, headers, refused", [
    ("GET", {"HTTP_SEC_FETCH_SITE": "cross-site"}, False),
    ("HEAD", {"HTTP_ORIGIN": "https://evil.example"}, False),
    ("OPTIONS", {"HTTP_SEC_FETCH_SITE": "cross-site"}, False),
    ("POST", {"HTTP_SEC_FETCH_SITE": "same-origin"}, False),
    ("POST", {"HTTP_SEC_FETCH_SITE": "Same-Origin"}, False),
    ("POST", {"HTTP_SEC_FETCH_SITE": "none"}, False),
    ("POST", {"HTTP_SEC_FETCH_SITE": "same-site"}, True),
    ("POST", {"HTTP_SEC_FETCH_SITE": "cross-site"}, True),
    ("POST", {"HTTP_SEC_FETCH_SITE": "whatever"}, True),
    ("POST", {"HTTP_SEC_FETCH_SITE": "", "HTTP_ORIGIN": "https://evil.example"}, True),  # empty: as if absent
    ("POST", {"HTTP_ORIGIN": "http://testserver"}, False),
    ("POST", {"HTTP_ORIGIN": "HTTP://TESTSERVER"}, False),
    ("POST", {"HTTP_ORIGIN": "http://testserver:8000"}, True),
    ("POST", {"HTTP_ORIGIN": "http://testserver.evil"}, True),
    ("POST", {"HTTP_ORIGIN": "null"}, True),
    ("POST", {}, False),
    ("PUT", {"HTTP_SEC_FETCH_SITE": "cross-site"}, True),
    ("DELETE", {"HTTP_ORIGIN": "https://evil.example"}, True),
])
def test_the_go_algorithm(rf, method, headers, refused):
    assert (cross_origin_refusal(rf.generic(method, "/it/feedback/", **headers)) is not None) is refused


ODD = st.one_of(
    st.sampled_from(["same-origin", "none", "same-site", "cross-site", "", " ", "same-origin, cross-site", "null",
                     "http://testserver", "https://testserver", "http://[::1", "http://[", "http://testserver:0",
                     "http://testserver:99999", "http://*.testserver", "file://", "//testserver", "\x00", "é"]),
    st.binary(max_size=60).map(lambda data: data.decode("latin-1")),  # what a WSGI server hands on, as latin-1
    st.text(max_size=40).map(lambda text: text.encode("utf-8", "surrogatepass").decode("latin-1")),
)


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(target=st.sampled_from(PROTECTED), fetch_site=st.none() | ODD, origin=st.none() | ODD)
def test_odd_origin_and_sec_fetch_site_values_never_give_a_500(imported, target, fetch_site, origin):
    _name, url, form = target
    headers = {}
    if fetch_site is not None:
        headers["HTTP_SEC_FETCH_SITE"] = fetch_site
    if origin is not None:
        headers["HTTP_ORIGIN"] = origin
    client = guarded(Client(raise_request_exception=True))
    response = client.post(url, form, **headers)
    assert response.status_code < 500, response.content[:300]
    if response.status_code == 403:
        assert 'data-error-page="403"' in response.content.decode()
