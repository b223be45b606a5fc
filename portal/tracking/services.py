"""The only code that writes tracking rows. Called by the guide views as a side effect of a walk."""

from __future__ import annotations

import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import FlowSession, SessionEvent, Vote
from .refcodes import new_ref_code

_REF_CODE_ATTEMPTS = 5


def session_start(*, flow_id: str, flow_version: str, locale: str, entry_node: str) -> FlowSession:
    """A new tracked session with a fresh, unique reference code."""
    for attempt in range(_REF_CODE_ATTEMPTS):
        try:
            with transaction.atomic():
                return FlowSession.objects.create(
                    ref_code=new_ref_code(),
                    flow_id=flow_id,
                    flow_version=flow_version,
                    locale=locale,
                    entry_node=entry_node,
                )
        except IntegrityError:
            if attempt == _REF_CODE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def session_touch(*, session_id: uuid.UUID | str) -> bool:
    """Marks the session as seen now. False if it no longer exists (e.g. the database was reset)."""
    return FlowSession.objects.filter(pk=session_id).update(last_seen_at=timezone.now()) == 1


def event_record_shown(*, session_id: uuid.UUID | str, node_id: str) -> None:
    SessionEvent.objects.create(session_id=session_id, kind=SessionEvent.Kind.SHOWN, node_id=node_id)


def event_record_answer(*, session_id: uuid.UUID | str, node_id: str, answer_id: str) -> None:
    SessionEvent.objects.create(
        session_id=session_id, kind=SessionEvent.Kind.ANSWERED, node_id=node_id, answer_id=answer_id
    )


def event_record_outcome(*, session_id: uuid.UUID | str, node_id: str, kind: str) -> None:
    """Stores the outcome on the session (the latest one wins after a changed answer) and logs it."""
    FlowSession.objects.filter(pk=session_id).update(outcome_kind=kind, outcome_node=node_id)
    SessionEvent.objects.create(session_id=session_id, kind=SessionEvent.Kind.OUTCOME, node_id=node_id)


def vote_record(*, target_type: str, target_id: str, locale: str, helpful: bool,
                session_id: uuid.UUID | str | None) -> Vote:
    session_exists = session_id is not None and FlowSession.objects.filter(pk=session_id).exists()
    return Vote.objects.create(
        target_type=target_type, target_id=target_id, locale=locale, helpful=helpful,
        session_id=session_id if session_exists else None,
    )


def vote_change(*, vote_id: int, helpful: bool | None = None, reason: str | None = None) -> bool:
    """Changes a visitor's own vote (they may change their mind, or add a reason). False if it is gone."""
    fields = {}
    if helpful is not None:
        fields.update(helpful=helpful, reason="")
    if reason is not None:
        fields["reason"] = reason
    return bool(fields) and Vote.objects.filter(pk=vote_id).update(**fields) == 1
