"""Synthetic walks for the dashboard's benchmark and demos: real paths of the current flow, realistic timing.

Walks follow `every_path` of the flow from its start (most) or from a step opened from a link (some); each step
has its own chance of being where people give up, each answer its own popularity, and the time on a step is
log-normal (a few seconds to a couple of minutes). Rows go to the database in batches: COPY on PostgreSQL,
bulk inserts elsewhere.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import io
import itertools
import math
import random
import uuid
from dataclasses import dataclass
from typing import Iterator

from django.db import connection, transaction
from django.utils import timezone

from portal.flows.model import CONTINUE, Flow
from portal.flows.resolver import every_path
from portal.tracking.models import FlowSession, LinkOpen, SessionEvent, Vote
from portal.tracking.refcodes import ALPHABET, GROUP

LINK_ENTRY_SHARE = 0.15
CODE_REQUEST_SHARE = 0.03
VOTE_SHARE = 0.06
ENGLISH_SHARE = 0.2
IDLE = dt.timedelta(minutes=30)


@dataclass
class Rows:
    sessions: list[tuple]
    events: list[tuple]
    votes: list[tuple]


class _Codes:
    """Unique reference codes for one run: an affine sequence over the code space, from a random start."""

    def __init__(self, rng: random.Random):
        self.space = len(ALPHABET) ** (2 * GROUP)
        self.offset = rng.randrange(self.space)
        self.stride = rng.randrange(1, self.space // 2) * 2 + 1  # odd: coprime with 29^8
        while self.stride % len(ALPHABET) == 0:
            self.stride += 2
        self.index = 0

    def next(self) -> str:
        value = (self.offset + self.index * self.stride) % self.space
        self.index += 1
        chars = []
        for _ in range(2 * GROUP):
            value, digit = divmod(value, len(ALPHABET))
            chars.append(ALPHABET[digit])
        return "".join(chars[:GROUP]) + "-" + "".join(chars[GROUP:])


class WalkGenerator:
    def __init__(self, flow: Flow, *, days: int, seed: int | None = None, now: dt.datetime | None = None):
        self.flow = flow
        self.days = days
        self.rng = random.Random(seed)
        self.now = now or timezone.now()
        self.codes = _Codes(self.rng)
        rng = random.Random(seed)  # the flow's "personality" does not depend on how many walks are made
        self.leave = {node_id: rng.uniform(0.02, 0.12) for node_id in flow.nodes}
        # One step loses clearly more people than the others, as real guides have.
        questions = sorted(n for n, node in flow.nodes.items() if node.is_question)
        if questions:
            self.leave[rng.choice(questions)] = 0.3
        self.popularity = {(node.id, a.id): rng.uniform(0.3, 3.0) for node in flow.nodes.values() for a in node.answers}
        self.paths = {entry: self._weighted_paths(entry) for entry in flow.nodes if not flow.nodes[entry].is_outcome}
        link_entries = [n for n, node in flow.nodes.items() if node.is_question and n != flow.start]
        self.link_entries = link_entries or [flow.start]
        self.outcomes = [n for n, node in flow.nodes.items() if node.is_outcome]

    def _weighted_paths(self, entry: str):
        paths = every_path(self.flow, entry)
        weights = [math.prod(self.popularity.get(step, 1.0) for step in path) for path in paths]
        return paths, list(itertools.accumulate(weights))

    def _pick_path(self, entry: str):
        paths, cumulative = self.paths[entry]
        return paths[bisect.bisect_left(cumulative, self.rng.random() * cumulative[-1])]

    def _start_time(self) -> dt.datetime:
        rng = self.rng
        day = rng.randrange(self.days)
        # Busier in working hours: a triangular hour around early afternoon.
        seconds = int(rng.triangular(6, 23, 14) * 3600) + rng.randrange(3600)
        midnight = self.now.replace(hour=0, minute=0, second=0, microsecond=0) - dt.timedelta(days=day)
        return midnight + dt.timedelta(seconds=seconds % 86400)

    def _seconds_on(self, node_id: str) -> float:
        base = 25 if self.flow.nodes[node_id].is_info else 12
        return min(600.0, self.rng.lognormvariate(math.log(base), 0.7))

    def walk(self, rows: Rows) -> None:
        rng, flow = self.rng, self.flow
        session_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        locale = "en" if rng.random() < ENGLISH_SHARE else "it"
        started = self._start_time()
        if started > self.now:
            started -= dt.timedelta(days=1)
        outcome_kind, outcome_node, outcome_at = "", "", None
        events = []
        if rng.random() < CODE_REQUEST_SHARE:
            entry = rng.choice(self.outcomes)
            node = flow.nodes[entry]
            events = [("started", entry, "", started), ("code_requested", entry, "", started)]
            outcome_kind, outcome_node, outcome_at = node.outcome.value, entry, started
            last_node, last_seen = entry, started
        else:
            entry = rng.choice(self.link_entries) if rng.random() < LINK_ENTRY_SHARE else flow.start
            events.append(("started", entry, "", started))
            at, last_node = started, entry
            for node_id, answer_id in self._pick_path(entry):
                if rng.random() < self.leave[node_id]:
                    break
                answered_at = at + dt.timedelta(seconds=self._seconds_on(node_id))
                if answered_at > self.now:  # the visitor has not answered yet: last seen stays at the last answer
                    break
                at = answered_at
                events.append(("answered", node_id, answer_id, at))
                last_node = flow.nodes[node_id].target(answer_id)
                target = flow.nodes[last_node]
                if target.is_outcome:
                    outcome_kind, outcome_node, outcome_at = target.outcome.value, target.id, at
                    events.append(("outcome", target.id, "", at))
            last_seen = at
        rows.sessions.append((session_id, self.codes.next(), flow.id, flow.version, locale, entry, started, last_seen,
                              outcome_kind, outcome_node, outcome_at, last_node))
        rows.events.extend((session_id, kind, node, answer, at) for kind, node, answer, at in events)
        if outcome_node and rng.random() < VOTE_SHARE:
            helpful = rng.random() < 0.7
            reasons = (Vote.HELPFUL_REASONS if helpful else Vote.UNHELPFUL_REASONS) + ("",)
            rows.votes.append(("outcome", f"{flow.id}:{outcome_node}", locale, helpful, rng.choice(reasons).__str__(),
                               session_id, min(self.now, (outcome_at or started) + dt.timedelta(seconds=20))))

    def batches(self, count: int, batch_size: int) -> Iterator[Rows]:
        made = 0
        while made < count:
            rows = Rows([], [], [])
            for _ in range(min(batch_size, count - made)):
                self.walk(rows)
            made += len(rows.sessions)
            yield rows

    def link_opens(self) -> list[LinkOpen]:
        """A daily count of link opens for the steps staff send most."""
        today = timezone.localdate(self.now)
        rows = []
        for day_back in range(self.days):
            for node_id in self.link_entries + self.outcomes[:3]:
                for locale in ("it", "en"):
                    count = self.rng.randrange(0, 12 if locale == "it" else 4)
                    if count:
                        rows.append(LinkOpen(day=today - dt.timedelta(days=day_back), flow_id=self.flow.id,
                                             node_id=node_id, locale=locale, count=count))
        return rows


SESSION_COLUMNS = ["id", "ref_code", "flow_id", "flow_version", "locale", "entry_node", "started_at", "last_seen_at",
                   "outcome_kind", "outcome_node", "outcome_at", "last_node"]
EVENT_COLUMNS = ["session_id", "kind", "node_id", "answer_id", "at"]
VOTE_COLUMNS = ["target_type", "target_id", "locale", "helpful", "reason", "session_id", "created_at"]


def write(rows: Rows) -> None:
    """One batch, in one transaction: sessions first, then their events and votes."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            _copy(FlowSession, SESSION_COLUMNS, rows.sessions)
            _copy(SessionEvent, EVENT_COLUMNS, rows.events)
            _copy(Vote, VOTE_COLUMNS, rows.votes)
        else:
            _insert(FlowSession, SESSION_COLUMNS, rows.sessions)
            _insert(SessionEvent, EVENT_COLUMNS, rows.events)
            _insert(Vote, VOTE_COLUMNS, rows.votes)


def _insert(model, columns: list[str], rows: list[tuple]) -> None:
    """Plain multi-row INSERTs (not bulk_create, whose auto_now_add would overwrite the chosen times)."""
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in columns]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(fields))})"
    with connection.cursor() as cursor:
        cursor.executemany(sql, [[field.get_db_prep_save(value, connection) for field, value in zip(fields, row)]
                                 for row in rows])


def _copy(model, columns: list[str], rows: list[tuple]) -> None:
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


@contextlib.contextmanager
def indexes_rebuilt_after():
    """PostgreSQL: drops the tracking tables' secondary indexes for a big load and recreates them after (as
    pg_restore does: one index build is much faster than a million index updates). Constraints stay."""
    if connection.vendor != "postgresql":
        yield
        return
    tables = [model._meta.db_table for model in (FlowSession, SessionEvent, Vote)]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes i WHERE tablename = ANY(%s) AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)", [tables])
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX IF EXISTS {connection.ops.quote_name(name)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            # Inside an outer transaction (tests) the deferred foreign-key checks must run before an index build.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for _name, definition in indexes:
                cursor.execute(definition)


def write_link_opens(rows: list[LinkOpen]) -> None:
    LinkOpen.objects.bulk_create(rows, batch_size=1000, update_conflicts=True,
                                 unique_fields=["day", "flow_id", "node_id", "locale"], update_fields=["count"])
