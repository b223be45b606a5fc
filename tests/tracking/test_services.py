"""The tracking services: the only writers of FlowSession, SessionEvent and LinkOpen."""

import datetime
from unittest import mock

import pytest
from django.db import IntegrityError, transaction

from portal.tracking import services
from portal.tracking.models import FlowSession, LinkOpen, SessionEvent

pytestmark = pytest.mark.django_db(transaction=False)


def _start(entry="start"):
    return services.session_start(flow_id="blocked_number", flow_version="v1", locale="it", entry_node=entry)


def _events(session):
    return [(e.kind, e.node_id, e.answer_id) for e in SessionEvent.objects.filter(session=session).order_by("id")]


def test_a_session_starts_with_a_started_event_at_its_entry():
    session = _start("reason")
    assert _events(session) == [("started", "reason", "")]
    assert session.last_node == "reason" and session.outcome_at is None and session.outcome_kind == ""


def test_an_answer_moves_the_last_step_and_logs_one_event():
    session = _start()
    before = FlowSession.objects.get().last_seen_at
    assert services.answer_record(session_id=session.pk, node_id="start", answer_id="continue",
                                  target_node="review_requested")
    session.refresh_from_db()
    assert session.last_node == "review_requested" and session.last_seen_at >= before
    assert session.outcome_kind == "" and session.outcome_at is None
    assert _events(session) == [("started", "start", ""), ("answered", "start", "continue")]


def test_the_same_answer_posted_twice_in_a_row_is_recorded_once():
    session = _start()
    for _ in range(3):
        services.answer_record(session_id=session.pk, node_id="start", answer_id="continue",
                               target_node="review_requested")
    assert _events(session) == [("started", "start", ""), ("answered", "start", "continue")]


def test_a_changed_answer_is_recorded():
    session = _start()
    services.answer_record(session_id=session.pk, node_id="reason", answer_id="spam", target_node="spam_duration")
    services.answer_record(session_id=session.pk, node_id="reason", answer_id="scam", target_node="x")
    services.answer_record(session_id=session.pk, node_id="reason", answer_id="spam", target_node="spam_duration")
    assert [e[2] for e in _events(session)] == ["", "spam", "scam", "spam"]


def test_an_outcome_is_stored_once_per_session_and_outcome_step():
    session = _start()
    for _ in range(2):
        services.answer_record(session_id=session.pk, node_id="q", answer_id="a", target_node="appeal_spam",
                               outcome_kind="appeal")
    session.refresh_from_db()
    first_at = session.outcome_at
    assert (session.outcome_kind, session.outcome_node, session.last_node) == ("appeal", "appeal_spam", "appeal_spam")
    # Back, another answer to another outcome, then back to the first one: each outcome node counted once,
    # the latest outcome is the session's, and outcome_at keeps the first time.
    services.answer_record(session_id=session.pk, node_id="q", answer_id="b", target_node="wait_review",
                           outcome_kind="wait")
    services.answer_record(session_id=session.pk, node_id="q", answer_id="a", target_node="appeal_spam",
                           outcome_kind="appeal")
    session.refresh_from_db()
    assert session.outcome_at == first_at and session.outcome_kind == "appeal"
    assert _events(session) == [
        ("started", "start", ""), ("answered", "q", "a"), ("outcome", "appeal_spam", ""),
        ("answered", "q", "b"), ("outcome", "wait_review", ""), ("answered", "q", "a"),
    ]


def test_the_database_refuses_a_second_outcome_event_for_the_same_step():
    session = _start()
    SessionEvent.objects.create(session=session, kind="outcome", node_id="appeal_spam")
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionEvent.objects.create(session=session, kind="outcome", node_id="appeal_spam")
    SessionEvent.objects.create(session=session, kind="answered", node_id="appeal_spam")  # only outcomes are unique
    SessionEvent.objects.create(session=session, kind="answered", node_id="appeal_spam")


def test_an_answer_for_a_session_that_is_gone_records_nothing():
    session = _start()
    FlowSession.objects.all().delete()
    assert not services.answer_record(session_id=session.pk, node_id="start", answer_id="continue",
                                      target_node="review_requested")
    assert not SessionEvent.objects.exists()


def test_a_code_request_starts_a_session_entered_at_the_outcome():
    session = services.code_request(flow_id="blocked_number", flow_version="v1", locale="en",
                                    node_id="appeal_spam", outcome_kind="appeal")
    assert (session.entry_node, session.last_node, session.outcome_node, session.outcome_kind, session.locale) == (
        "appeal_spam", "appeal_spam", "appeal_spam", "appeal", "en")
    assert session.outcome_at is not None
    assert _events(session) == [("started", "appeal_spam", ""), ("code_requested", "appeal_spam", "")]


def test_link_opens_are_counted_per_day_step_and_language_in_one_statement(django_assert_num_queries):
    today = datetime.date(2026, 12, 1)
    with django_assert_num_queries(1):
        services.link_open_count(flow_id="blocked_number", node_id="reason", locale="it", day=today)
    for _ in range(2):
        services.link_open_count(flow_id="blocked_number", node_id="reason", locale="it", day=today)
    services.link_open_count(flow_id="blocked_number", node_id="reason", locale="en", day=today)
    services.link_open_count(flow_id="blocked_number", node_id="start", locale="it", day=today)
    services.link_open_count(flow_id="blocked_number", node_id="reason", locale="it",
                             day=today + datetime.timedelta(days=1))
    counts = {(o.day.day, o.node_id, o.locale): o.count for o in LinkOpen.objects.all()}
    assert counts == {(1, "reason", "it"): 3, (1, "reason", "en"): 1, (1, "start", "it"): 1, (2, "reason", "it"): 1}
    assert not FlowSession.objects.exists() and not SessionEvent.objects.exists()


def test_a_link_open_without_a_day_counts_today():
    services.link_open_count(flow_id="f", node_id="n", locale="it")
    from django.utils import timezone

    assert LinkOpen.objects.get().day == timezone.localdate()


@pytest.mark.parametrize("garbage", [None, "", "not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_session_exists_is_false_for_garbage(garbage):
    assert services.session_exists(session_id=garbage) is False


def test_a_link_open_that_cannot_be_written_is_logged_not_raised(caplog):
    from unittest import mock

    from django.db import OperationalError

    with mock.patch("portal.tracking.services.connection.cursor", side_effect=OperationalError("database is down")):
        assert services.link_open_count(flow_id="f", node_id="n", locale="it") is False
    assert "link open not counted" in caplog.text
    assert services.link_open_count(flow_id="f", node_id="n", locale="it") is True


def _synchronous_commit():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


@pytest.mark.postgres
def test_on_postgresql_only_a_walks_answer_commits_without_waiting_for_the_disk(settings):
    """The answer's transaction sets synchronous_commit off for itself (SET LOCAL: it ends with the transaction);
    a session's start (its reference code) waits for the disk, and so does an answer with the setting off."""
    with transaction.atomic():
        session = _start()
        assert _synchronous_commit() == "on"
    settings.TRACKING_ASYNC_COMMIT = False
    with transaction.atomic():
        services.answer_record(session_id=session.pk, node_id="start", answer_id="continue", target_node="reason")
        assert _synchronous_commit() == "on"
    settings.TRACKING_ASYNC_COMMIT = True
    with transaction.atomic():
        services.answer_record(session_id=session.pk, node_id="reason", answer_id="spam", target_node="appeal_spam",
                               outcome_kind="appeal")
        assert _synchronous_commit() == "off"
    assert _events(session) == [("started", "start", ""), ("answered", "start", "continue"),
                                ("answered", "reason", "spam"), ("outcome", "appeal_spam", "")]


@pytest.mark.postgres
def test_on_postgresql_a_new_session_for_an_answer_to_a_purged_one_waits_for_the_disk(settings):
    """An answer to a purged session starts a new one in the same transaction: its reference code is shown to the
    customer, so that commit waits for the disk (the SET LOCAL of an answer must not reach it)."""
    from portal.flows.registry import get_flow
    from portal.guide.walks import Walk, _track_answer

    settings.TRACKING_ASYNC_COMMIT = True
    flow = get_flow("blocked-number")
    purged = _start()
    walk = Walk(session_id=str(purged.pk), ref_code=purged.ref_code, entry=flow.start)
    FlowSession.objects.filter(pk=purged.pk).delete()
    seen = []
    real_start = services.session_start

    def start_and_look(**fields):
        session = real_start(**fields)
        seen.append(_synchronous_commit())
        return session

    with mock.patch.object(services, "session_start", start_and_look), transaction.atomic():
        _track_answer(flow, walk, flow.nodes["start"], "continue", flow.nodes["reason"], locale="it")
    assert seen == ["on"] and walk.session_id != str(purged.pk)


@pytest.mark.postgres
def test_on_postgresql_an_answers_statements_are_prepared_once_per_connection():
    """The server parses and plans an answer's UPDATE and INSERT once per connection, not once per answer."""
    from django.db import connection

    session = _start()
    for node in ("start", "reason", "spam_duration"):
        services.answer_record(session_id=session.pk, node_id=node, answer_id="a", target_node="x")
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE statement LIKE %s OR statement LIKE %s",
                       ["UPDATE %tracking_flowsession%", "INSERT INTO %tracking_sessionevent%"])
        prepared = [row[0] for row in cursor.fetchall()]
    assert any(s.startswith("UPDATE") for s in prepared), prepared
    assert any(s.startswith("INSERT") and "UNION" not in s for s in prepared), prepared
    assert len(_events(session)) == 4


@pytest.mark.postgres
def test_on_postgresql_the_client_cursor_an_answers_prepared_cursor_replaces_is_closed(monkeypatch):
    """The cursor Django opened is swapped for a server-binding one: the one it opened is closed, not left open."""
    from django.db import connection

    opened = []
    real = connection.cursor

    def recording():
        cursor = real()
        opened.append(cursor.cursor)
        return cursor

    monkeypatch.setattr(connection, "cursor", recording)
    with services._prepared_cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.cursor is not opened[0]
    assert opened[0].closed
