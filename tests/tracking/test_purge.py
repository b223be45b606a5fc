"""Retention: purge_sessions deletes only old walks (and their events), keeps votes unlinked, clears sessions."""

import datetime
from io import StringIO

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.utils import timezone

from portal.tracking import services
from portal.tracking.models import FlowSession, LinkOpen, SessionEvent, Vote

pytestmark = pytest.mark.django_db


def _walk(days_ago: int, *, vote: bool = False) -> FlowSession:
    session = services.session_start(flow_id="blocked_number", flow_version="v", locale="it", entry_node="start")
    services.answer_record(session_id=session.pk, node_id="start", answer_id="continue", target_node="appeal_spam",
                           outcome_kind="appeal")
    if vote:
        services.vote_record(target_type="step", target_id="blocked_number:start", locale="it", helpful=True,
                             session_id=session.pk)
    seen = timezone.now() - datetime.timedelta(days=days_ago)
    FlowSession.objects.filter(pk=session.pk).update(started_at=seen, last_seen_at=seen)
    return session


def test_only_sessions_older_than_the_age_go_with_their_events_and_votes_stay():
    old = [_walk(200, vote=True), _walk(181), _walk(365)]
    recent = [_walk(179, vote=True), _walk(0)]
    services.link_open_count(flow_id="blocked_number", node_id="reason", locale="it")
    out = StringIO()
    call_command("purge_sessions", "--older-than", "180d", "--batch-size", "2", stdout=out)
    assert set(FlowSession.objects.values_list("pk", flat=True)) == {s.pk for s in recent}
    assert set(SessionEvent.objects.values_list("session_id", flat=True)) == {s.pk for s in recent}
    assert SessionEvent.objects.count() == 3 * len(recent)
    votes = {vote.session_id for vote in Vote.objects.all()}
    assert votes == {None, recent[0].pk} and Vote.objects.count() == 2  # the old walk's vote stays, unlinked
    assert LinkOpen.objects.count() == 1  # an anonymous daily count, not a walk
    assert "Deleted 3 guide sessions and 9 events" in out.getvalue() and "1 votes kept" in out.getvalue()
    assert old  # (kept for readability of the set-up)


def test_weeks_are_understood_and_nothing_recent_is_touched():
    _walk(10)
    call_command("purge_sessions", "--older-than", "2w", stdout=StringIO())
    assert FlowSession.objects.count() == 1
    call_command("purge_sessions", "--older-than", "1w", stdout=StringIO())
    assert not FlowSession.objects.exists() and not SessionEvent.objects.exists()


def test_expired_django_sessions_are_cleared_too():
    expired, alive = SessionStore(), SessionStore()
    expired.set_expiry(-10)
    for store in (expired, alive):
        store["x"] = 1
        store.create()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(days=1))
    call_command("purge_sessions", stdout=StringIO())
    assert list(Session.objects.values_list("session_key", flat=True)) == [alive.session_key]


@pytest.mark.parametrize("age", ["180", "d", "0d", "-5d", "1y", "180 days"])
def test_a_bad_age_is_a_usage_error(age):
    with pytest.raises(CommandError, match="180d"):
        call_command("purge_sessions", f"--older-than={age}")
