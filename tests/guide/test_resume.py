"""Resume by reference code (the home page's box): GET /<lang>/resume/?code=… reads the tracked walk, sets only the
walk cookie, and sends the visitor to the step the walk reached; later answers go on in the same session."""

import pytest
from bs4 import BeautifulSoup
from django.db import DatabaseError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from portal.tracking.models import FlowSession, LinkOpen, SessionEvent

from .helpers import attr_values, node_of, step_url, walk_state
from .test_views import answer, walk_to

pytestmark = pytest.mark.django_db

RESUME = "/it/resume/"
PATH = (("start", "continue"), ("product", "platform"), ("review_requested", "no"))


def tracked_walk(code="K7QX-2M4P", steps=PATH):
    """A walk answered in some other browser, with a known code; returns its session."""
    other = Client()
    walk_to(other, *steps)
    session = FlowSession.objects.get(ref_code=walk_state(other)["ref"])
    FlowSession.objects.filter(pk=session.pk).update(ref_code=code)
    session.refresh_from_db()
    return session


def problem_of(response):
    found = BeautifulSoup(response.content, "html.parser").select_one("[data-resume-problem]")
    return found["data-resume-problem"] if found else None


@pytest.mark.parametrize("typed", ["K7QX-2M4P", "k7qx-2m4p", " k7qx 2m4p ", "K7QX2M4P", "K7QX–2M4P", "ｋ７ｑｘ２ｍ４ｐ"])
def test_a_code_however_typed_resumes_the_walk_at_its_last_step(client, typed):
    session = tracked_walk()
    response = client.get(RESUME, {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == step_url("reason")
    assert "no-store" in response["Cache-Control"]
    state = walk_state(client)
    assert (state["sid"], state["ref"], state["entry"]) == (str(session.pk), "K7QX-2M4P", "start")
    assert [tuple(step) for step in state["answers"]] == list(PATH)

    page = client.get(response["Location"])
    assert node_of(page) == "reason"
    assert not attr_values(page, "data-entered-by-link"), "the resumed step is on the visitor's own walk"


def test_look_alike_characters_are_read_as_the_staff_look_up_reads_them(client):
    tracked_walk(code="D7QX-2M4P")
    response = client.get(RESUME, {"code": "07QX-2M4P"})  # a zero for the D
    assert response.status_code == 302 and walk_state(client)["ref"] == "D7QX-2M4P"


def test_the_next_answer_continues_the_same_tracked_session(client):
    session = tracked_walk()
    client.get(RESUME, {"code": "K7QX-2M4P"})
    events_before = SessionEvent.objects.filter(session=session).count()
    response = answer(client, "reason", "spam")
    assert response.status_code == 303 and response["Location"] == step_url("spam_duration")
    assert FlowSession.objects.count() == 1, "no new session: the walk is the resumed one"
    session.refresh_from_db()
    assert session.last_node == "spam_duration"
    assert SessionEvent.objects.filter(session=session).count() == events_before + 1


def test_resuming_writes_nothing_to_the_database(client):
    tracked_walk()
    counts = (FlowSession.objects.count(), SessionEvent.objects.count(), LinkOpen.objects.count())
    with CaptureQueriesContext(connection) as queries:
        client.get(RESUME, {"code": "K7QX-2M4P"}, follow=True)
        client.get(RESUME, {"code": "K7QX-2M4Q"})
        client.get(RESUME, {"code": "nonsense"})
    writes = [q["sql"] for q in queries if q["sql"].lstrip().split()[0].upper() in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []
    assert (FlowSession.objects.count(), SessionEvent.objects.count(), LinkOpen.objects.count()) == counts


def test_a_walk_at_its_outcome_resumes_on_the_outcome_with_its_code(client):
    steps = PATH[:2] + (("review_requested", "in_review"),)
    tracked_walk(steps=steps)
    page = client.get(RESUME, {"code": "k7qx2m4p"}, follow=True)
    assert node_of(page) == "wait_review_pending"
    assert attr_values(page, "data-session-ref") == ["K7QX-2M4P"]


def test_a_changed_answer_resumes_where_the_walk_went_after_the_change(client):
    other = Client()
    walk_to(other, *PATH, ("reason", "spam"))
    answer(other, "reason", "website")  # back, and a different answer
    FlowSession.objects.update(ref_code="K7QX-2M4P")
    response = client.get(RESUME, {"code": "K7QX-2M4P"})
    assert response["Location"] == step_url("website_duration")


def test_a_walk_entered_from_a_link_resumes_from_that_entry(client):
    other = Client()
    response = other.post(step_url("reason"), {"answer": "spam", "from_link": "1"})
    assert response.status_code == 303
    FlowSession.objects.update(ref_code="K7QX-2M4P")
    client.get(RESUME, {"code": "K7QX-2M4P"})
    assert walk_state(client)["entry"] == "reason"
    assert node_of(client.get(step_url("spam_duration"))) == "spam_duration"


def test_an_unknown_code_says_so_with_a_404_and_sets_no_cookie(client):
    tracked_walk()
    response = client.get(RESUME, {"code": "K7QX-2M4Q"})
    assert response.status_code == 404
    assert problem_of(response) == "unknown"
    assert "K7QX-2M4Q" in response.content.decode()
    assert "walk" not in response.cookies


@pytest.mark.parametrize("typed", ["hello", "1234", "K7QX-2M4P-XX", "!!!!????", "x" * 500, "IIII-IIII"])
def test_a_malformed_code_says_so_with_a_400(client, typed):
    response = client.get(RESUME, {"code": typed})
    assert response.status_code == 400
    assert problem_of(response) == "malformed"
    assert "walk" not in response.cookies
    form = BeautifulSoup(response.content, "html.parser").select_one("form[data-resume-form]")
    assert form["method"] == "get" and form.select_one("input[name=code][aria-invalid=true]")


def test_an_empty_code_asks_for_one(client):
    response = client.get(RESUME, {"code": "  "})
    assert response.status_code == 400 and problem_of(response) == "empty"


def test_a_code_read_two_ways_asks_for_the_exact_code(client):
    tracked_walk(code="D7QX-2M4P")
    FlowSession.objects.create(ref_code="Q7QX-2M4P", flow_id="blocked_number", flow_version="x", locale="it",
                               entry_node="start")
    response = client.get(RESUME, {"code": "O7QX-2M4P"})
    assert response.status_code == 400 and problem_of(response) == "several"
    assert "walk" not in response.cookies


def test_a_purged_or_flowless_session_is_unknown(client):
    session = tracked_walk()
    FlowSession.objects.filter(pk=session.pk).update(flow_id="a_guide_that_is_gone")
    assert client.get(RESUME, {"code": "K7QX-2M4P"}).status_code == 404
    FlowSession.objects.all().delete()
    assert problem_of(client.get(RESUME, {"code": "K7QX-2M4P"})) == "unknown"


def test_without_a_code_the_page_shows_the_box(client):
    response = client.get(RESUME)
    assert response.status_code == 200
    assert problem_of(response) is None
    assert BeautifulSoup(response.content, "html.parser").select_one("form[data-resume-form] input[name=code]")
    assert '<meta name="robots" content="noindex">' in response.content.decode()


def test_the_database_being_down_is_a_503_page_not_a_500(client, monkeypatch):
    def down(typed):
        raise DatabaseError("down")

    monkeypatch.setattr("portal.guide.views.sessions_by_typed_code", down)
    response = client.get(RESUME, {"code": "K7QX-2M4P"})
    assert response.status_code == 503 and problem_of(response) == "unavailable"


def test_resume_is_get_only(client):
    assert client.post(RESUME, {"code": "K7QX-2M4P"}).status_code == 405


def test_a_nul_in_the_code_is_the_edge_400():
    from tests.edge.conftest import guarded

    response = guarded(Client()).get(RESUME + "?code=K7QX%002M4P")
    assert response.status_code == 400


@pytest.mark.parametrize("lang", ["it", "en"])
def test_the_home_page_has_the_resume_box_as_a_get_form(client, lang):
    home = BeautifulSoup(client.get(f"/{lang}/").content, "html.parser")
    form = home.select_one("form[data-resume-form]")
    assert form["method"] == "get" and form["action"] == f"/{lang}/resume/"
    assert form.select_one("input[name=code]") and not form.select_one("input[name=csrfmiddlewaretoken]")


def test_the_english_page_resumes_in_english(client):
    tracked_walk()
    response = client.get("/en/resume/", {"code": "K7QX-2M4P"})
    assert response["Location"] == step_url("reason", "en")
