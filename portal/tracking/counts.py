"""Aggregate counters that a page view may raise without writing to the database on that request.

A `CountBuffer` adds counts up in this process (thread-safe) and writes them in one bulk upsert: at the end of a
request once PORTAL_COUNT_FLUSH_SECONDS have passed since the last write (after the response is sent, so no
visitor waits for it), at once when PORTAL_COUNT_FLUSH_ENTRIES different keys are waiting, and when the process
exits. With PORTAL_COUNT_FLUSH_SECONDS = 0 (the tests) every count is written at once.

A subclass may read its interval and limit from settings of its own, count several numbers per key (`combine`), and
be written by a thread of the process every interval instead of at the end of a request (`in_background`: the
search counts of searchstats.py, so that no search request ever runs their write after its response).

What a crash can lose: the counts of at most the last PORTAL_COUNT_FLUSH_SECONDS seconds of this process (a
clean gunicorn restart runs the exit flush). A write that fails keeps its counts for the next try (up to the
entry limit), and is logged and counted like every failed tracking write (safety.py).
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from typing import Callable, Hashable

from django.conf import settings
from django.core.signals import request_finished
from django.db import DatabaseError, connections

from .safety import count_failed_write

logger = logging.getLogger("portal.tracking")

_buffers: list[CountBuffer] = []


class CountBuffer:
    #: The settings that hold this buffer's write interval (seconds) and entry limit (different keys), with defaults.
    seconds_setting, seconds_default = "PORTAL_COUNT_FLUSH_SECONDS", 10.0
    entries_setting, entries_default = "PORTAL_COUNT_FLUSH_ENTRIES", 500
    #: True: a daemon thread of the process writes the buffer every interval; False: the end of a request does.
    in_background = False

    def __init__(self, name: str, write: Callable[[dict], None] | None = None):
        self.name = name
        if write is not None:
            self.write = write
        self._counts: dict = {}
        self._lock = threading.Lock()
        self._last_flush = time.monotonic()
        self._flusher: threading.Thread | None = None
        self._flusher_pid: int | None = None
        _buffers.append(self)

    def write(self, counts: dict) -> None:
        """Writes `counts` (key → count) in one bulk upsert; raises DatabaseError when it cannot."""
        raise NotImplementedError

    @staticmethod
    def combine(waiting, count):
        """The sum of two counts of one key (a subclass that counts several numbers per key adds them up)."""
        return waiting + count

    def flush_seconds(self) -> float:
        return float(getattr(settings, self.seconds_setting, self.seconds_default))

    def flush_entries(self) -> int:
        return int(getattr(settings, self.entries_setting, self.entries_default))

    def _merge(self, counts: dict) -> None:
        for key, count in counts.items():
            self._counts[key] = self.combine(self._counts[key], count) if key in self._counts else count

    def add(self, key: Hashable, count=1) -> bool:
        """Counts `count` for `key`. True unless it was written at once and the write failed."""
        with self._lock:
            self._merge({key: count})
            full = len(self._counts) >= self.flush_entries()
        if full or self.flush_seconds() <= 0:
            return self.flush()
        if self.in_background:
            self._ensure_flusher()
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
            return bool(self._counts) and time.monotonic() - self._last_flush >= self.flush_seconds()

    def flush(self) -> bool:
        """Writes what is waiting (one bulk upsert). False if the write failed (the counts wait for the next)."""
        return self.flush_keys() is not None

    def flush_keys(self) -> int | None:
        """Writes what is waiting (one bulk upsert); returns how many keys were written (0: nothing waited), or
        None if the write failed (the counts wait for the next, up to the entry limit)."""
        with self._lock:
            counts, self._counts = self._counts, {}
            self._last_flush = time.monotonic()
        if not counts:
            return 0
        try:
            self.write(dict(counts))
        except DatabaseError:
            count_failed_write(self.name)
            logger.warning("%s: counts of %d keys not written yet", self.name, len(counts), exc_info=True)
            with self._lock:
                if len(self._counts) + len(counts) <= self.flush_entries():
                    self._merge(counts)
            return None
        return len(counts)

    def _ensure_flusher(self) -> None:
        """One daemon thread per buffer and process (started after a fork, on the first count) writes the buffer
        every interval."""
        if self._flusher is not None and self._flusher.is_alive() and self._flusher_pid == os.getpid():
            return
        with self._lock:
            if self._flusher is not None and self._flusher.is_alive() and self._flusher_pid == os.getpid():
                return
            self._flusher_pid = os.getpid()
            self._flusher = threading.Thread(target=self._flush_loop, name=f"{self.name}-flush", daemon=True)
            self._flusher.start()

    def _flush_loop(self) -> None:
        while True:
            time.sleep(max(self.flush_seconds(), 1))
            try:
                self.flush()
            except Exception:
                logger.exception("%s: flush failed", self.name)
            finally:
                connections.close_all()  # this thread's own connection


def discard_all() -> None:
    for buffer in _buffers:
        buffer.discard()


def flush_all() -> None:
    for buffer in _buffers:
        buffer.flush()


def _flush_due(**kwargs) -> None:
    for buffer in _buffers:
        if not buffer.in_background and buffer.due():
            buffer.flush()


request_finished.connect(_flush_due, dispatch_uid="portal-count-buffers")


@atexit.register
def _flush_at_exit() -> None:
    try:
        flush_all()
    except Exception:  # the interpreter is going away: say so, never raise
        logger.warning("counts not written at exit", exc_info=True)
