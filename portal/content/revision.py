"""The content revision token: read at most once per request, and from the shared cache when there is one.

Every save of an article, step text or guide text replaces the token (TextRevision.bump), so everything cached
under it (the guide's words, whole pages: portal/pagecache.py) is read again on the next request.

- Inside a request the token is read once and remembered until the request ends (request_started / finished),
  so a page that asks for it several times (step words, guide cards, the page cache) costs one query at most.
- With a shared cache (Redis: DJANGO_CACHE_URL), the token is kept there and set again by every bump once its
  transaction commits: a page then costs no query for it. It expires after TOKEN_TTL seconds anyway, which bounds
  how long a failed cache write could hide an edit. With the per-process memory cache the database is the only
  source, because a bump in one worker could not reach the memory of the others.
"""

from __future__ import annotations

import logging
import threading

from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import transaction

from portal.health import shared_cache_configured

logger = logging.getLogger(__name__)

CACHE_KEY = "portal:text-revision"
TOKEN_TTL = 300

_local = threading.local()


def _request_started(**kwargs) -> None:
    _local.memo = {}


def _request_finished(**kwargs) -> None:
    _local.memo = None


request_started.connect(_request_started, dispatch_uid="portal-revision-start")
request_finished.connect(_request_finished, dispatch_uid="portal-revision-finish")


def current_token(read_database) -> str:
    """The token: this request's remembered value, else the shared cache's, else `read_database()`."""
    memo = getattr(_local, "memo", None)
    if memo is not None and "token" in memo:
        return memo["token"]
    token = _from_shared_cache()
    if token is None:
        token = read_database()
        if shared_cache_configured():
            try:
                cache.add(CACHE_KEY, token, TOKEN_TTL)  # add: never overwrite a newer token a bump just set
            except Exception:  # a cache that is down: the database answered, the page goes on
                logger.warning("could not keep the revision token in the cache", exc_info=True)
    if memo is not None:
        memo["token"] = token
    return token


def token_replaced(token: str) -> None:
    """Called by TextRevision.bump: this thread reads the new token at once, other processes once it commits."""
    memo = getattr(_local, "memo", None)
    if memo is not None:
        memo.pop("token", None)
    if shared_cache_configured():
        def publish():
            try:
                cache.set(CACHE_KEY, token, TOKEN_TTL)
            except Exception:
                logger.warning("could not publish the revision token; it expires in %ss", TOKEN_TTL, exc_info=True)
                try:
                    cache.delete(CACHE_KEY)
                except Exception:
                    pass

        transaction.on_commit(publish)


def _from_shared_cache() -> str | None:
    if not shared_cache_configured():
        return None
    try:
        return cache.get(CACHE_KEY)
    except Exception:
        logger.warning("revision token not read from the cache; reading the database", exc_info=True)
        return None
