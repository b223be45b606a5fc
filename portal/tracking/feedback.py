"""The "was this helpful?" state of one visitor, kept in their Django session (no IP address, no cookie of ours).

Limits: one vote per page (a second click changes it), and at most VOTES_PER_HOUR new votes per visitor.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.http import HttpRequest

SESSION_KEY = "feedback"
#: The tracked session of the visitor's latest walk; written by the guide, read when a vote is cast.
WALK_SESSION_KEY = "tracked_session"
VOTES_PER_HOUR = 20
HOUR = 3600


@dataclass(frozen=True)
class FeedbackState:
    target: str
    vote_id: int | None
    helpful: bool | None
    reason: str


def feedback_state(request: HttpRequest, target: str) -> FeedbackState:
    entry = request.session.get(SESSION_KEY, {}).get("votes", {}).get(target)
    if not isinstance(entry, dict):
        return FeedbackState(target, None, None, "")
    return FeedbackState(target, entry.get("id"), entry.get("helpful"), entry.get("reason", ""))


def feedback_remember(request: HttpRequest, target: str, *, vote_id: int, helpful: bool, reason: str = "") -> None:
    data = request.session.get(SESSION_KEY, {})
    data.setdefault("votes", {})[target] = {"id": vote_id, "helpful": helpful, "reason": reason}
    request.session[SESSION_KEY] = data


def feedback_rate_limited(request: HttpRequest, now: float | None = None) -> bool:
    """True when the visitor cast VOTES_PER_HOUR new votes in the last hour; otherwise counts this one."""
    now = time.time() if now is None else now
    data = request.session.get(SESSION_KEY, {})
    recent = [t for t in data.get("times", []) if isinstance(t, (int, float)) and now - t < HOUR]
    if len(recent) >= VOTES_PER_HOUR:
        return True
    data["times"] = recent + [now]
    request.session[SESSION_KEY] = data
    return False
