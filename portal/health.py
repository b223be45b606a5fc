"""Is the database (and a shared cache) reachable? Used by /readyz and by the error handlers (503, not 500)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, InterfaceError, OperationalError, connection

logger = logging.getLogger("portal.health")

#: Cache back-ends that live inside the process: nothing to check.
LOCAL_CACHES = {"django.core.cache.backends.locmem.LocMemCache", "django.core.cache.backends.dummy.DummyCache"}


def database_ready() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError as error:
        logger.warning("database not ready: %s", error)
        return False


def shared_cache_configured() -> bool:
    return settings.CACHES.get("default", {}).get("BACKEND") not in LOCAL_CACHES


def cache_ready() -> bool:
    if not shared_cache_configured():
        return True
    try:
        cache = caches["default"]
        cache.set("portal:readyz", "1", timeout=10)
        return cache.get("portal:readyz") == "1"
    except Exception as error:  # each cache back-end raises its own connection errors
        logger.warning("cache not ready: %s", error)
        return False


def is_unavailable(error: BaseException | None) -> bool:
    """True for errors that mean "the database or the cache cannot be reached", not "our code is wrong"."""
    if isinstance(error, (OperationalError, InterfaceError)):
        return True
    try:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError
    except ImportError:  # no Redis client installed: no Redis cache either
        return False
    return isinstance(error, (RedisConnectionError, RedisTimeoutError))
