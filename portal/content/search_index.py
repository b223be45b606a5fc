"""Keeping the SQLite FTS5 table in step with the articles (PostgreSQL keeps its vector by trigger: migration 0002).

Called by Article.save() and by import_kb's bulk writes; a delete is handled by a trigger in the database.

Each stem is stored with its language in front ("it_ricors", "en_appeal": the table's tokenizer keeps "_" inside a
token), so a query matches only its language's articles without a language column to intersect and score.
"""

from __future__ import annotations

from typing import Iterable

from .searchwords import stems_text

FTS_TABLE = "content_article_fts"


FTS_TOKENIZER = "unicode61 tokenchars '_'"


def fts_token(locale: str, stem: str) -> str:
    return f"{locale}_{stem}"


def fts_text(text: str, locale: str) -> str:
    return " ".join(fts_token(locale, stem) for stem in stems_text(text, locale).split())


def fts_row(locale: str, title: str, summary: str, body_text: str) -> tuple[str, str, str]:
    """What the FTS table stores for an article: the language-tagged stems of its title, summary and body."""
    return fts_text(title, locale), fts_text(summary, locale), fts_text(body_text, locale)


def index_articles(connection, rows: Iterable[tuple[int, str, str, str, str]]) -> None:
    """(pk, locale, title, summary, body_text) → their stems in the FTS table. Nothing to do off SQLite."""
    if connection.vendor != "sqlite":
        return
    write_index(connection, [(pk, fts_row(locale, title, summary, body)) for pk, locale, title, summary, body in rows])


def write_index(connection, rows: Iterable[tuple[int, tuple[str, str, str] | None]]) -> None:
    """(pk, fts_row(...)) pairs into the FTS table, replacing what it held for those articles. Off SQLite, nothing."""
    if connection.vendor != "sqlite":
        return
    rows = list(rows)
    if not rows:
        return
    with connection.cursor() as cursor:
        cursor.executemany(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [(pk,) for pk, _ in rows])
        cursor.executemany(
            f"INSERT INTO {FTS_TABLE} (rowid, title, summary, body) VALUES (%s, %s, %s, %s)",
            [(pk, *row) for pk, row in rows])


#: PostgreSQL's GIN indexes on the stored vectors (migrations 0002 and 0007).
GIN_INDEXES = ("content_article_search", "content_article_search_head")


def after_bulk_write(connection) -> None:
    """After many articles were written at once (import_kb): on PostgreSQL, move the GIN indexes' pending entries
    into the indexes (a search reads the whole pending list until autovacuum does this) and refresh the planner's
    statistics, so the next search uses the indexes at their best. Outside a transaction (not a dry run) a VACUUM
    does both and also marks the new pages all-visible: a topic page's COUNT then reads its index alone (until
    autovacuum came by it read every row). Nothing to do on SQLite."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if not connection.in_atomic_block:
            cursor.execute("VACUUM (ANALYZE) content_article")
            return
        for index in GIN_INDEXES:
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
        cursor.execute("ANALYZE content_article")
