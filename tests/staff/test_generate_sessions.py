"""generate_sessions: synthetic walks that follow real paths of the current flow, with consistent rows."""

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F
from django.utils import timezone

from portal.flows.resolver import resolve_node
from portal.tracking.models import FlowSession, LinkOpen, SessionEvent

pytestmark = pytest.mark.django_db


def test_generated_walks_follow_real_paths_with_consistent_outcomes_and_times(flow):
    call_command("generate_sessions", 400, "--days", "10", "--seed", "3", "--batch", "150", verbosity=0)
    assert FlowSession.objects.count() == 400
    assert len(set(FlowSession.objects.values_list("ref_code", flat=True))) == 400
    events = {}
    for event in SessionEvent.objects.order_by("id"):
        events.setdefault(event.session_id, []).append(event)
    now = timezone.now()
    kinds = set()
    for session in FlowSession.objects.all():
        mine = events[session.pk]
        assert mine[0].kind == "started" and mine[0].node_id == session.entry_node
        answers = [(e.node_id, e.answer_id) for e in mine if e.kind == "answered"]
        resolution = resolve_node(flow, answers, session.entry_node)
        assert resolution.valid, answers
        assert resolution.current.id == session.last_node
        times = [e.at for e in mine]
        assert times == sorted(times) and session.started_at <= now and session.last_seen_at <= now
        if resolution.current.is_outcome:
            assert session.outcome_node == resolution.current.id
            assert session.outcome_kind == resolution.current.outcome.value
            assert session.outcome_at is not None
            assert [e.node_id for e in mine if e.kind == "outcome"] == ([session.outcome_node] if answers else [])
        else:
            assert session.outcome_kind == "" and session.outcome_at is None
        kinds.add("link" if session.entry_node != flow.start else "start")
        kinds.add(session.outcome_kind or "none")
    assert {"start", "link", "appeal", "wait", "contact-meta", "none"} <= kinds
    assert LinkOpen.objects.exists()
    days = {timezone.localtime(s.started_at).date() for s in FlowSession.objects.all()}
    assert len(days) >= 8  # spread over the period, not all made "now"
    assert FlowSession.objects.filter(outcome_at__lt=F("started_at")).count() == 0


def test_bad_arguments_are_refused():
    with pytest.raises(CommandError):
        call_command("generate_sessions", -1, verbosity=0)
    with pytest.raises(CommandError):
        call_command("generate_sessions", 1, "--flow", "nope", verbosity=0)


@pytest.mark.postgres
def test_a_big_load_on_postgresql_rebuilds_every_index_it_dropped(monkeypatch):
    from django.db import connection

    from portal.staff.management.commands import generate_sessions

    def indexes():
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename LIKE 'tracking_%%' ORDER BY 1")
            return cursor.fetchall()

    before = indexes()
    monkeypatch.setattr(generate_sessions, "BIG_LOAD", 10)
    call_command("generate_sessions", 30, "--seed", "4", verbosity=0)
    assert FlowSession.objects.count() == 30
    assert indexes() == before


def test_no_generated_walk_is_seen_after_the_moment_it_was_generated(flow):
    """A walk started minutes before `now` stops at its last answer: it was once 'last seen' at the time of an
    answer it had not given yet, in the future (CI failed on it when run near the time of day of such a walk)."""
    import datetime as dt

    from portal.staff.synthetic import SESSION_COLUMNS, WalkGenerator

    now = dt.datetime(2026, 3, 18, 14, 0, tzinfo=dt.timezone.utc)  # the busiest hour of the generated day
    generator = WalkGenerator(flow, days=1, seed=5, now=now)
    started, seen = SESSION_COLUMNS.index("started_at"), SESSION_COLUMNS.index("last_seen_at")
    recent = 0
    for rows in generator.batches(3000, 1000):
        for session in rows.sessions:
            assert session[started] <= session[seen] <= now
            recent += now - session[started] < dt.timedelta(minutes=5)
        assert all(event[-1] <= now for event in rows.events)
    assert recent  # walks that the cut-off at `now` could reach were generated
