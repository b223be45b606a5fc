"""Liveness (/healthz), readiness (/readyz), and a 503 with Retry-After, not a 500, when the database is down."""

import contextlib
from unittest import mock

import pytest
from django.db import OperationalError, connections

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def database_down():
    """Every new query fails as it does when the server is stopped or unreachable."""
    with mock.patch.object(connections["default"], "ensure_connection",
                           side_effect=OperationalError("connection refused (test)")):
        yield


def test_healthz_is_tiny_and_needs_no_database(edge_client, django_assert_num_queries):
    with django_assert_num_queries(0), database_down():
        response = edge_client.get("/healthz")
    assert (response.status_code, response.content, response["Content-Type"]) == (200, b"ok", "text/plain")


def test_readyz_is_200_when_the_database_answers(edge_client):
    response = edge_client.get("/readyz")
    assert (response.status_code, response.content) == (200, b"ready\n")
    assert "no-cache" in response["Cache-Control"]


def test_readyz_is_503_when_the_database_is_down(edge_client):
    with database_down():
        response = edge_client.get("/readyz")
    assert response.status_code == 503
    assert response.content == b"unavailable: database\n"
    assert int(response["Retry-After"]) > 0


def test_readyz_checks_a_shared_cache_when_one_is_configured(edge_client, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                                   "LOCATION": "no_such_cache_table"}}  # a cache whose every call fails
    response = edge_client.get("/readyz")
    assert (response.status_code, response.content) == (503, b"unavailable: cache\n")


@pytest.mark.parametrize("url, lang", [("/it/articles/fare-ricorso/", "it"), ("/en/search/?q=appeal", "en"),
                                       ("/it/", "it")])
def test_pages_that_need_the_database_answer_503_with_retry_after(edge_client, imported, url, lang):
    edge_client.raise_request_exception = False
    with database_down():
        response = edge_client.get(url)
    body = response.content.decode()
    assert response.status_code == 503, body[:300]
    assert int(response["Retry-After"]) > 0
    assert f'<html lang="{lang}">' in body and 'data-error-page="503"' in body
    assert "Content-Security-Policy" in response.headers


def test_a_bug_is_still_a_500(edge_client, monkeypatch):
    from portal.content import views

    monkeypatch.setattr(views, "search_kb", mock.Mock(side_effect=ValueError("a bug")))
    edge_client.raise_request_exception = False
    assert edge_client.get("/it/search/?q=x").status_code == 500


def test_step_words_come_from_memory_while_the_database_is_down(imported, flow):
    from portal.content import steps

    steps._cache.clear()
    with database_down(), pytest.raises(OperationalError):
        steps.step_texts(flow, "it")  # nothing read yet: no words to show, the page will be a 503
    title = steps.step_texts(flow, "en")[flow.start].title
    with database_down():
        assert steps.step_texts(flow, "en")[flow.start].title == title


def test_the_guide_walks_with_the_database_down_once_its_words_were_read(edge_client, imported, caplog):
    """Steps render from the words in memory; answers move the walk in its cookie; the tracking writes that fail
    (link-open count, session, answer) are logged and counted, never shown."""
    from portal.tracking.safety import failed_writes
    from tests.guide.helpers import node_of, start_url, step_url

    assert edge_client.get(step_url("start")).status_code == 200  # this process has now read the words
    before = sum(failed_writes().values())
    edge_client.raise_request_exception = False
    with database_down():
        page = edge_client.get(step_url("reason"))  # opened from a link: its count fails quietly
        assert page.status_code == 200 and node_of(page) == "reason"
        response = edge_client.post(step_url("start"), {"answer": "continue"})
        assert response.status_code == 303
        follow = edge_client.get(response["Location"])
        assert follow.status_code == 200 and node_of(follow) != "start"
        assert edge_client.post(start_url()).status_code == 303  # "start again": an untracked walk
        assert edge_client.get("/it/").status_code == 503  # the home page lists articles: it needs the database
    assert sum(failed_writes().values()) >= before + 3
    assert "tracking write" in caplog.text
