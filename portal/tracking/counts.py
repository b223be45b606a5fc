"""Aggregate counters that a page view may raise without writing to the database on that request.

A `CountBuffer` adds counts up in this process (thread-safe) and writes them in one bulk upsert: at the end of a
request once PORTAL_COUNT_FLUSH_SECONDS have passed since the last write (after the response is sent, so no
visitor waits for it), at once when PORTAL_COUNT_FLUSH_ENTRIES different keys are waiting, and when the process
exits. With PORTAL_COUNT_FLUSH_SECONDS = 0 (the tests) every count is written at once.

What a crash can lose: the counts of at most the last PORTAL_COUNT_FLUSH_SECONDS seconds of this process (a
clean gunicorn restart runs the exit flush). A write that fails keeps its counts for the next try (up to the
entry limit), and is logged and counted like every failed tracking write (safety.py).
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections import Counter
from typing import Callable, Hashable

from django.conf import settings
from django.core.signals import request_finished
from django.db import DatabaseError

from .safety import count_failed_write

logger = logging.getLogger("portal.tracking")

_buffers: list[CountBuffer] = []


def flush_seconds() -> float:
    return float(getattr(settings, "PORTAL_COUNT_FLUSH_SECONDS", 10))


def flush_entries() -> int:
    return int(getattr(settings, "PORTAL_COUNT_FLUSH_ENTRIES", 500))


class CountBuffer:
    def __init__(self, name: str, write: Callable[[dict[Hashable, int]], None]):
        self.name = name
        self._write = write
        self._counts: Counter = Counter()
        self._lock = threading.Lock()
        self._last_flush = time.monotonic()
        _buffers.append(self)

    def add(self, key: Hashable, count: int = 1) -> bool:
        """Counts `count` for `key`. True unless it was written at once and the write failed."""
        with self._lock:
            self._counts[key] += count
            full = len(self._counts) >= flush_entries()
        if full or flush_seconds() <= 0:
            return self.flush()
        return True

    def pending(self) -> dict:
        with self._lock:
            return dict(self._counts)

    def discard(self) -> None:
        """Forgets what is waiting (tests: a count kept from a failed write must not land in the next test)."""
        with self._lock:
            self._counts.clear()

    def due(self) -> bool:
        with self._lock:
            return bool(self._counts) and time.monotonic() - self._last_flush >= flush_seconds()

    def flush(self) -> bool:
        """Writes what is waiting (one bulk upsert). False if the write failed (the counts wait for the next)."""
        with self._lock:
            counts, self._counts = self._counts, Counter()
            self._last_flush = time.monotonic()
        if not counts:
            return True
        try:
            self._write(dict(counts))
        except DatabaseError:
            count_failed_write(self.name)
            logger.warning("%s: %d counts not written yet", self.name, sum(counts.values()), exc_info=True)
            with self._lock:
                if len(self._counts) + len(counts) <= flush_entries():
                    self._counts.update(counts)
            return False
        return True


def discard_all() -> None:
    for buffer in _buffers:
        buffer.discard()


def flush_all() -> None:
    for buffer in _buffers:
        buffer.flush()


def _flush_due(**kwargs) -> None:
    for buffer in _buffers:
        if buffer.due():
            buffer.flush()


request_finished.connect(_flush_due, dispatch_uid="portal-count-buffers")


@atexit.register
def _flush_at_exit() -> None:
    try:
        flush_all()
    except Exception:  # the interpreter is going away: say so, never raise
        logger.warning("counts not written at exit", exc_info=True)
