"""Users of every kind, and a helper that builds tracked walks with exact times (the staff figures' known answers)."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

from portal.staff.access import SUPPORT_GROUP
from portal.staff.synthetic import _Codes
from portal.tracking.models import FlowSession, SessionEvent, Vote


def staff_member(username: str, group: str) -> User:
    """A staff user (password "x") in `group`."""
    user = User.objects.create_user(username, password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def support_user(db):
    return staff_member("support", SUPPORT_GROUP)


@pytest.fixture
def support_client(client, support_user):
    client.force_login(support_user)
    return client


@pytest.fixture
def plain_staff(db):
    """Staff (may sign in to the admin) but in no group: no right to read the walks."""
    return User.objects.create_user("staffer", password="x", is_staff=True)


@pytest.fixture
def customer_user(db):
    """Signed in, but not staff."""
    return User.objects.create_user("customer", password="x")


#: A fixed "now" for hand-built sets: midday in the site's time zone, so days never straddle midnight.
NOW = timezone.make_aware(dt.datetime(2026, 11, 20, 12, 0))


def walk(flow, *, answers=(), entry=None, started=None, locale="it", version=None, gaps=None, last_seen=None,
         ref_code=None, code_requested=False) -> FlowSession:
    """One walk as the tracking services would have recorded it, with chosen times.

    `answers`: (node, answer) pairs from `entry`; `gaps`: seconds spent on each step before answering (default 10).
    """
    entry = entry or flow.start
    started = started or NOW - dt.timedelta(hours=2)
    gaps = list(gaps or [10] * len(answers))
    session = FlowSession.objects.create(
        ref_code=ref_code or _next_code(), flow_id=flow.id, flow_version=version or flow.version, locale=locale,
        entry_node=entry, last_node=entry,
    )
    events = [(SessionEvent.Kind.STARTED, entry, "", started)]
    at, node_id = started, entry
    outcome = {}
    for (node, answer), gap in zip(answers, gaps):
        at = at + dt.timedelta(seconds=gap)
        events.append((SessionEvent.Kind.ANSWERED, node, answer, at))
        node_id = flow.nodes[node].target(answer)
        if flow.nodes[node_id].is_outcome and not outcome:
            outcome = dict(outcome_kind=flow.nodes[node_id].outcome.value, outcome_node=node_id, outcome_at=at)
            events.append((SessionEvent.Kind.OUTCOME, node_id, "", at))
    if code_requested:
        outcome = dict(outcome_kind=flow.nodes[entry].outcome.value, outcome_node=entry, outcome_at=started)
        events.append((SessionEvent.Kind.CODE_REQUESTED, entry, "", started))
    for kind, node, answer, when in events:
        event = SessionEvent.objects.create(session=session, kind=kind, node_id=node, answer_id=answer)
        SessionEvent.objects.filter(pk=event.pk).update(at=when)
    FlowSession.objects.filter(pk=session.pk).update(
        started_at=started, last_seen_at=last_seen or at, last_node=node_id, **outcome)
    session.refresh_from_db()
    return session


def vote(*, target_type, target_id, helpful, reason="", locale="it", session=None, at=None) -> Vote:
    row = Vote.objects.create(target_type=target_type, target_id=target_id, locale=locale, helpful=helpful,
                              reason=reason, session=session)
    Vote.objects.filter(pk=row.pk).update(created_at=at or NOW - dt.timedelta(hours=1))
    row.refresh_from_db()
    return row


_codes = _Codes(random.Random(7))


def _next_code() -> str:
    return _codes.next()
