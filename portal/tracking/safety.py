"""Tracking is a side effect: when its write fails (the database is down or busy), the visitor's page still answers.

`tracking_write` wraps one tracking write: a DatabaseError is logged with the running count and counted per kind of
write in this process (`failed_writes()`), and the caller gets `default` instead. Writes the visitor asked for
themselves (a reference code) are not wrapped: without the database there is nothing to show them.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections import Counter

from django.db import DatabaseError

logger = logging.getLogger("portal.tracking")

_failed: Counter[str] = Counter()
_lock = threading.Lock()


def tracking_write(default=None):
    """Decorator for a tracking service function whose failure must never reach the visitor."""

    def decorate(write):
        @functools.wraps(write)
        def wrapper(*args, **kwargs):
            try:
                return write(*args, **kwargs)
            except DatabaseError as error:
                total = count_failed_write(write.__name__)
                logger.warning("tracking write %s failed (%d failed in this process): %s", write.__name__, total,
                               error)
                return default

        return wrapper

    return decorate


def count_failed_write(name: str) -> int:
    """Counts one failed tracking write of kind `name`; returns how many failed in this process."""
    with _lock:
        _failed[name] += 1
        return sum(_failed.values())


def failed_writes() -> dict[str, int]:
    """How many tracking writes of each kind failed in this process since it started."""
    with _lock:
        return dict(_failed)
