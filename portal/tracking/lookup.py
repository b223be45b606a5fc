"""Finding a tracked walk by the reference code a person typed, and reading back its answers.

Shared by the staff look-up (portal/staff/lookup.py) and the customer's "resume" box on the home page
(portal/guide/views.py): both read a code the same tolerant way (tracking/refcodes.py). Reads only.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import FlowSession, SessionEvent
from .refcodes import ref_code_candidates


@dataclass(frozen=True)
class Found:
    """What a typed code matched: no session, one, or (when unclear characters allow several) a few."""

    typed: str
    candidates: tuple[str, ...]
    sessions: tuple[FlowSession, ...]

    @property
    def well_formed(self) -> bool:
        return bool(self.candidates)


def sessions_by_typed_code(typed: str) -> Found:
    """The sessions whose code is what was typed, however it was typed (one query, none for a malformed code)."""
    candidates = tuple(ref_code_candidates(typed))
    sessions = tuple(FlowSession.objects.filter(ref_code__in=candidates).order_by("ref_code")) if candidates else ()
    return Found(typed=typed, candidates=candidates, sessions=sessions)


def session_history(session: FlowSession) -> list[tuple[str, str]]:
    """Every answer the walk recorded, in order, as (node id, answer id); a changed answer appears again later."""
    return [
        (node_id, answer_id)
        for node_id, answer_id in session.events.filter(kind=SessionEvent.Kind.ANSWERED)
        .order_by("id").values_list("node_id", "answer_id")
    ]
