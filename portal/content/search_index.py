"""Keeping the SQLite FTS5 table in step with the articles (PostgreSQL keeps its vector by trigger: migration 0002).

Called by Article.save() and by import_kb's bulk writes; a delete is handled by a trigger in the database.
"""

from __future__ import annotations

from typing import Iterable

from .searchwords import stems_text

FTS_TABLE = "content_article_fts"


def index_articles(connection, rows: Iterable[tuple[int, str, str, str, str]]) -> None:
    """(pk, locale, title, summary, body_text) → their stems in the FTS table. Nothing to do off SQLite."""
    if connection.vendor != "sqlite":
        return
    rows = list(rows)
    if not rows:
        return
    with connection.cursor() as cursor:
        cursor.executemany(f"DELETE FROM {FTS_TABLE} WHERE rowid = %s", [(row[0],) for row in rows])
        cursor.executemany(
            f"INSERT INTO {FTS_TABLE} (rowid, title, summary, body) VALUES (%s, %s, %s, %s)",
            [(pk, stems_text(title, locale), stems_text(summary, locale), stems_text(body, locale))
             for pk, locale, title, summary, body in rows],
        )
