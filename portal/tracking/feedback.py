"""The "was this helpful?" state of one visitor, kept in a signed cookie; the vote limit, kept in a shared counter.

The cookie (`votes`) holds a random visitor id and, for the latest pages voted on, the vote's id, yes/no and reason:
so a second click changes a vote instead of adding one, and the widget shows what the visitor answered. It is signed
(a visitor cannot claim another's vote) and holds nothing personal. Django's database session is not involved.

The limit: at most VOTES_PER_HOUR new votes per visitor id and clock hour, counted atomically (a cache counter when a
shared cache is configured, else one database row per visitor and hour, raised by `UPDATE … WHERE count < limit`), so
concurrent requests cannot overshoot it. Only a keyed hash of the visitor id is stored, and only for the current hour.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import caches
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import salted_hmac

from portal.health import shared_cache_configured

COOKIE = "votes"
COOKIE_SALT = "portal.tracking.votes"
COOKIE_AGE = 60 * 60 * 24 * 30
#: How many pages' votes the cookie remembers (the oldest are forgotten: the cookie stays well under 4 KB).
REMEMBERED = 30
VOTES_PER_HOUR = 20
HOUR = 3600


@dataclass(frozen=True)
class FeedbackState:
    target: str
    vote_id: int | None
    helpful: bool | None
    reason: str


class VisitorVotes:
    """The visitor's votes as read from their cookie; `write` puts them back on the response if they changed."""

    def __init__(self, visitor: str | None, votes: dict[str, list]):
        self._visitor = visitor
        self.votes = votes
        self.changed = False

    @classmethod
    def of(cls, request: HttpRequest) -> VisitorVotes:
        if not hasattr(request, "_visitor_votes"):
            request._visitor_votes = cls._read(request.COOKIES.get(COOKIE))
        return request._visitor_votes

    @classmethod
    def _read(cls, value: str | None) -> VisitorVotes:
        try:
            data = signing.loads(value, salt=COOKIE_SALT, max_age=COOKIE_AGE) if value else {}
        except (signing.BadSignature, ValueError, TypeError):
            data = {}  # tampered, expired or from an older format: start afresh
        if not isinstance(data, dict):
            data = {}
        visitor = data.get("v") if isinstance(data.get("v"), str) else None
        votes = {
            target: entry
            for target, entry in (data.get("t") or {}).items()
            if isinstance(target, str) and isinstance(entry, list) and len(entry) == 3
            and isinstance(entry[0], int) and entry[1] in (0, 1) and isinstance(entry[2], str)
        } if isinstance(data.get("t"), dict) else {}
        return cls(visitor, votes)

    @property
    def visitor(self) -> str:
        """The visitor's random id, made on their first vote."""
        if self._visitor is None:
            self._visitor = secrets.token_urlsafe(16)
            self.changed = True
        return self._visitor

    def state(self, target: str) -> FeedbackState:
        entry = self.votes.get(target)
        if entry is None:
            return FeedbackState(target, None, None, "")
        return FeedbackState(target, entry[0], bool(entry[1]), entry[2])

    def remember(self, target: str, *, vote_id: int, helpful: bool, reason: str = "") -> None:
        self.votes.pop(target, None)
        self.votes[target] = [vote_id, int(helpful), reason]
        while len(self.votes) > REMEMBERED:
            self.votes.pop(next(iter(self.votes)))
        self.changed = True

    def write(self, response: HttpResponse) -> HttpResponse:
        if self.changed:
            value = signing.dumps({"v": self.visitor, "t": self.votes}, salt=COOKIE_SALT, compress=True)
            response.set_cookie(COOKIE, value, max_age=COOKIE_AGE, httponly=True, samesite="Lax",
                                secure=settings.SESSION_COOKIE_SECURE)
        return response


def visitor_votes(request: HttpRequest) -> VisitorVotes:
    return VisitorVotes.of(request)


def feedback_state(request: HttpRequest, target: str) -> FeedbackState:
    return visitor_votes(request).state(target)


def vote_allowed(visitor: str, now: float | None = None) -> bool:
    """Counts one new vote for `visitor` in this clock hour; False (and nothing counted) once the limit is reached."""
    now = time.time() if now is None else now
    window = int(now // HOUR)
    key = salted_hmac("portal.tracking.vote-quota", visitor).hexdigest()[:32]
    cache = _shared_cache()
    if cache is not None:
        cache_key = f"vote-quota:{window}:{key}"
        cache.add(cache_key, 0, timeout=HOUR * 2)
        return cache.incr(cache_key) <= VOTES_PER_HOUR
    return _database_quota(key, window)


def _database_quota(key: str, window: int) -> bool:
    from .models import VoteQuota

    raise_count = VoteQuota.objects.filter(visitor=key, window=window, count__lt=VOTES_PER_HOUR)
    if raise_count.update(count=F("count") + 1):
        return True
    if VoteQuota.objects.filter(visitor=key, window=window).exists():
        return False  # the row is at the limit
    try:
        with transaction.atomic():
            VoteQuota.objects.create(visitor=key, window=window, count=1)
    except IntegrityError:  # a concurrent first vote created the row: count against it
        return raise_count.update(count=F("count") + 1) == 1
    VoteQuota.objects.filter(window__lt=window).delete()  # earlier hours are no longer needed
    return True


def _shared_cache():
    """The default cache if it is shared between processes (e.g. Redis), else None."""
    return caches["default"] if shared_cache_configured() else None
