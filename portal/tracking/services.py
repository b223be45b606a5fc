"""The only code that writes tracking rows. Called by the guide views as a side effect of a walk."""

from __future__ import annotations

import datetime
import logging
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Case, OuterRef, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import FlowSession, LinkOpen, SessionEvent, Vote
from .refcodes import new_ref_code
from .counts import CountBuffer

logger = logging.getLogger(__name__)
_REF_CODE_ATTEMPTS = 5


def session_start(*, flow_id: str, flow_version: str, locale: str, entry_node: str,
                  answer: tuple[str, str, str, str] | None = None) -> FlowSession:
    """A new tracked session with a fresh, unique reference code, and its `started` event.

    With `answer` (node id, answer id, target node, outcome kind or ""), the session starts with that answer
    already recorded (a walk's first answer): the same rows as `session_start` then `answer_record`, in two
    INSERT statements.

    Called for a person's POST only (Start, a first answer, a vote, "get a reference code"), never for a GET.
    """
    now = timezone.now()
    fields = {"last_node": entry_node}
    if answer:
        node_id, answer_id, target_node, outcome_kind = answer
        fields["last_node"] = target_node
        if outcome_kind:
            fields.update(outcome_kind=outcome_kind, outcome_node=target_node, outcome_at=now)
    for attempt in range(_REF_CODE_ATTEMPTS):
        try:
            with transaction.atomic():
                session = FlowSession.objects.create(
                    ref_code=new_ref_code(), flow_id=flow_id, flow_version=flow_version, locale=locale,
                    entry_node=entry_node, **fields,
                )
                events = [SessionEvent(session=session, kind=SessionEvent.Kind.STARTED, node_id=entry_node)]
                if answer:
                    events.append(SessionEvent(session=session, kind=SessionEvent.Kind.ANSWERED, node_id=node_id,
                                               answer_id=answer_id))
                    if outcome_kind:
                        events.append(SessionEvent(session=session, kind=SessionEvent.Kind.OUTCOME,
                                                   node_id=target_node))
                SessionEvent.objects.bulk_create(events)
                return session
        except IntegrityError:
            if attempt == _REF_CODE_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")


def session_exists(*, session_id: uuid.UUID | str | None) -> bool:
    if not session_id:
        return False
    try:
        return FlowSession.objects.filter(pk=session_id).exists()
    except (ValueError, ValidationError):  # not a UUID: a cookie from elsewhere
        return False


def answer_record(*, session_id: uuid.UUID | str, node_id: str, answer_id: str, target_node: str,
                  outcome_kind: str = "") -> bool:
    """Records that the walk answered `node_id` with `answer_id` and so moved to `target_node`.

    Moves `last_node` and `last_seen_at`; when `outcome_kind` is given (the target is an outcome) stores the
    outcome on the session (the latest one wins; `outcome_at` keeps the first time) and logs one `outcome` event
    per session and outcome node. Idempotent: the same answer posted again right after itself (a reload, a double
    submit) adds nothing. False if the session no longer exists (purged): the caller starts a new one.

    At most three statements, in the caller's transaction when there is one (else its own): the UPDATE, then on
    PostgreSQL the commit that does not wait for the disk (`_commit_without_waiting_for_disk`), then one INSERT
    of the `answered` event unless repeated and, for an outcome, the `outcome` event unless already there.
    """
    now = timezone.now()
    with transaction.atomic(savepoint=False):
        # The UPDATE comes first: it locks the session row (PostgreSQL) or the database (SQLite), so two
        # concurrent double submits are serialized and the second one sees the first one's events below.
        if not _moved(session_id=session_id, target_node=target_node, at=now, outcome_kind=outcome_kind):
            return False  # purged: the caller starts a new session in this transaction, which waits for the disk
        # Only now, with the session found: a SET LOCAL holds for the caller's whole transaction, and a new
        # session's start (its reference code) in it must wait for the disk.
        _commit_without_waiting_for_disk()
        _answer_events(session_id=session_id, node_id=node_id, answer_id=answer_id, at=now,
                       outcome_node=target_node if outcome_kind else None)
    return True


def _commit_without_waiting_for_disk() -> None:
    """PostgreSQL: this transaction's COMMIT returns before its WAL is flushed to disk (`SET LOCAL
    synchronous_commit TO OFF`, this transaction only; settings.TRACKING_ASYNC_COMMIT).

    The flush (an fsync, about 3 ms here) was most of an answer POST's time on PostgreSQL, with the gunicorn worker
    idle while it waited (issue #9). What it risks: a crash of the database server itself (not of the app) may
    lose the answers of its last fraction of a second (at most three wal_writer_delay, 0.6 s by default); never
    corruption, never a half-written answer, and the walk goes on (an answer to a lost session starts a new one,
    see walks._track_answer). Only walks' answers, already a best-effort side effect (safety.tracking_write), commit
    this way: a session's start with its reference code, votes, admin and content edits wait for the disk."""
    if connection.vendor == "postgresql" and settings.TRACKING_ASYNC_COMMIT and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _prepared_cursor():
    """A Django cursor (queries logged and counted, errors wrapped) for an answer's hot statements. On PostgreSQL its
    psycopg cursor binds parameters on the server, so psycopg prepares each statement the first time a connection
    runs it (settings: prepare_threshold 0) and the server then neither parses nor plans it again: that was about
    half of the database's work for an answer (issue #9). Django's own cursors bind on the client and never prepare.
    Connections are kept between requests (DJANGO_CONN_MAX_AGE); psycopg keeps at most 100 prepared statements per
    connection. DJANGO_DB_PREPARED_STATEMENTS=0 turns preparing off (a pooler that cannot keep them)."""
    cursor = connection.cursor()
    if connection.vendor == "postgresql":
        from django.db.backends.postgresql.base import ServerBindingCursor  # needs psycopg: PostgreSQL only

        cursor.cursor.close()  # the client-binding cursor connection.cursor() opened is never used
        cursor.cursor = ServerBindingCursor(connection.connection)
    return cursor


def _moved(*, session_id, target_node: str, at, outcome_kind: str = "") -> int:
    """The answer's UPDATE, as one plain statement (the ORM's query building cost about as much as the statement,
    issue #9): the last step and time; with `outcome_kind`, the outcome too (`outcome_at` keeps the first time).
    The number of rows it changed (0: purged)."""
    meta = FlowSession._meta
    quote = connection.ops.quote_name
    column = lambda name: quote(meta.get_field(name).column)  # noqa: E731
    try:
        sid = meta.pk.get_db_prep_value(session_id if isinstance(session_id, uuid.UUID)
                                        else uuid.UUID(str(session_id)), connection)
    except ValueError:  # not a UUID: no such session
        return 0
    when = meta.get_field("last_seen_at").get_db_prep_value(at, connection)
    assignments, params = f"{column('last_node')} = %s, {column('last_seen_at')} = %s", [target_node, when]
    if outcome_kind:
        assignments += (f", {column('outcome_kind')} = %s, {column('outcome_node')} = %s, "
                        f"{column('outcome_at')} = COALESCE({column('outcome_at')}, %s)")
        params += [outcome_kind, target_node, when]
    with _prepared_cursor() as cursor:
        cursor.execute(f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s",
                       [*params, sid])
        return cursor.rowcount


def _answer_events(*, session_id, node_id: str, answer_id: str, at, outcome_node: str | None) -> None:
    """One INSERT … SELECT: the `answered` event, unless the session's latest event (outcomes aside) is the same
    answer (a reload or a double submit); with `outcome_node`, then the `outcome` event, unless the session has
    one for that node (the conditional unique constraint would refuse it: ON CONFLICT DO NOTHING). Both rows in
    one statement, the answer first (ids keep the order)."""
    table = connection.ops.quote_name(SessionEvent._meta.db_table)
    field = SessionEvent._meta.get_field
    sid = field("session").get_db_prep_value(session_id if isinstance(session_id, uuid.UUID)
                                             else uuid.UUID(str(session_id)), connection)
    when = field("at").get_db_prep_value(at, connection)
    answered, outcome = SessionEvent.Kind.ANSWERED.value, SessionEvent.Kind.OUTCOME.value
    sql = (f"INSERT INTO {table} (session_id, kind, node_id, answer_id, at) "
           f"SELECT %s, %s, %s, %s, %s WHERE NOT EXISTS ("
           f"SELECT 1 FROM (SELECT kind, node_id, answer_id FROM {table} WHERE session_id = %s AND kind <> %s "
           f"ORDER BY id DESC LIMIT 1) latest WHERE latest.kind = %s AND latest.node_id = %s "
           f"AND latest.answer_id = %s)")
    params = [sid, answered, node_id, answer_id, when, sid, outcome, answered, node_id, answer_id]
    if outcome_node is not None:
        # SQLite reads ON CONFLICT after a SELECT without WHERE as part of the SELECT: hence the WHERE.
        sql += " UNION ALL SELECT %s, %s, %s, %s, %s WHERE 1 = 1 ON CONFLICT DO NOTHING"
        params += [sid, outcome, outcome_node, "", when]
    with _prepared_cursor() as cursor:
        cursor.execute(sql, params)


def code_request(*, flow_id: str, flow_version: str, locale: str, node_id: str, outcome_kind: str) -> FlowSession:
    """A person asked for a reference code on an outcome they opened from a link, with no walk yet.

    The new session is entered by link at that outcome: its outcome is set, with `started` and `code_requested`.
    """
    now = timezone.now()
    with transaction.atomic():
        session = session_start(flow_id=flow_id, flow_version=flow_version, locale=locale, entry_node=node_id)
        FlowSession.objects.filter(pk=session.pk).update(outcome_kind=outcome_kind, outcome_node=node_id,
                                                         outcome_at=now, last_seen_at=now)
        SessionEvent.objects.create(session=session, kind=SessionEvent.Kind.CODE_REQUESTED, node_id=node_id)
    session.refresh_from_db()
    return session


def link_open_count(*, flow_id: str, node_id: str, locale: str, day: datetime.date | None = None) -> bool:
    """Counts one opening of a step from a link, in this process's buffer (counts.py): the page view itself
    writes nothing; the buffer writes every waiting count in one upsert statement (SQLite ≥ 3.24 and PostgreSQL).

    Best effort: it runs on a page view, which must not fail for a counter, so a database error is logged and
    reported as False, never raised.
    """
    return link_opens.add((day or timezone.localdate(), flow_id, node_id, locale))


def _write_link_opens(counts: dict) -> None:
    table = connection.ops.quote_name(LinkOpen._meta.db_table)
    count = connection.ops.quote_name("count")
    rows = sorted(counts.items())
    values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(rows))
    params = [value for (day, flow_id, node_id, locale), n in rows for value in (day, flow_id, node_id, locale, n)]
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (day, flow_id, node_id, locale, {count}) VALUES {values} "
                f"ON CONFLICT (day, flow_id, node_id, locale) DO UPDATE SET {count} = {table}.{count} + excluded.{count}",
                params,
            )
    except DatabaseError:
        logger.warning("link open not counted (%d steps)", len(rows))
        raise


link_opens = CountBuffer("link_open_count", _write_link_opens)


@dataclass(frozen=True)
class PurgeReport:
    sessions: int
    events: int
    votes: int


def sessions_purge(*, before: datetime.datetime, batch_size: int = 5000) -> PurgeReport:
    """Deletes tracked sessions last seen before `before`, with their events, one batch per transaction (so a
    large purge never holds long locks). Votes stay (anonymous), without their link to the session."""
    sessions = events = votes = 0
    old = FlowSession.objects.filter(last_seen_at__lt=before).order_by().values_list("pk", flat=True)
    while batch := list(old[:batch_size]):
        with transaction.atomic():
            votes += Vote.objects.filter(session_id__in=batch).update(session=None)
            events += SessionEvent.objects.filter(session_id__in=batch).delete()[0]
            sessions += FlowSession.objects.filter(pk__in=batch).delete()[0]
    return PurgeReport(sessions=sessions, events=events, votes=votes)


def vote_record(*, target_type: str, target_id: str, locale: str, helpful: bool,
                session_id: uuid.UUID | str | None) -> Vote:
    known = session_exists(session_id=session_id)
    vote = Vote.objects.create(
        target_type=target_type, target_id=target_id, locale=locale, helpful=helpful,
        session_id=session_id if known else None,
    )
    if target_type == Vote.Target.ARTICLE:
        article_scores_refresh([target_id])
    return vote


def vote_change(*, vote_id: int, helpful: bool | None = None, reason: str | None = None) -> bool:
    """Changes a visitor's own vote (they may change their mind, or add a reason). False if it is gone."""
    fields = {}
    if helpful is not None:
        fields.update(helpful=helpful, reason="")
    if reason is not None:
        fields["reason"] = reason
    changed = bool(fields) and Vote.objects.filter(pk=vote_id).update(**fields) == 1
    if changed and helpful is not None:
        target = Vote.objects.filter(pk=vote_id, target_type=Vote.Target.ARTICLE).values_list("target_id", flat=True)
        article_scores_refresh(list(target))
    return changed


def article_scores_refresh(translation_keys: list[str] | None = None) -> int:
    """Sets Article.helpful_score (helpful minus not-helpful votes, every language together) for these articles, or
    for all. One UPDATE whose subquery counts the votes at that moment, so it is never off for long: the next vote
    on the article recounts (`manage.py article_scores` recounts them all). The home page and the topic pages sort
    by this column and count nothing per request. Returns the number of article rows updated."""
    from portal.content.models import Article

    votes = (Vote.objects.filter(target_type=Vote.Target.ARTICLE, target_id=OuterRef("translation_key"))
             .order_by().values("target_id")
             .annotate(score=Sum(Case(When(helpful=True, then=Value(1)), default=Value(-1)))).values("score"))
    articles = Article.objects.all() if translation_keys is None else Article.objects.filter(
        translation_key__in=translation_keys)
    return articles.update(helpful_score=Coalesce(Subquery(votes), 0))
