#!/usr/bin/env python
"""Times the editorial readouts (translations, unhelpful content, search gaps, their CSVs, the staff home with its
highlights) against a PostgreSQL database holding N tracked walks and M counted searches.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/editorial.py \\
        --sessions 1000000 --searches 1000000

Creates what is missing first: walks with `manage.py generate_sessions` (with their votes and rollups), searches
as tracking.SearchCount rows (one INSERT … SELECT: N searches spread over --days days, two languages and a long
tail of distinct normalized queries, a share of them finding nothing or never opened), and a source revision
history (every tenth Italian article changed once, half of them in substance). Then renders each page in-process
with production settings through Django's test client, signed in as an Editors user: a warm-up, then --runs timed
requests; prints the median and slowest, the query count, and whether the median meets 500 ms; rewrites its own
section of docs/benchmarks.md (between the bench:editorial markers). A benchmark, not a test: it never fails on a
slow page. Exits 2 without PostgreSQL.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.staffpages import (  # noqa: E402  (after the root is on sys.path)
    TARGET_MS, days_ago, production_settings, signed_in_client, time_page, walks_ready)

START, END = "<!-- bench:editorial start -->", "<!-- bench:editorial end -->"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=1_000_000)
    parser.add_argument("--searches", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=20_000, help="distinct normalized queries (default 20,000)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args()

    if not production_settings("bench/editorial.py"):
        return 2
    from django.db import connection
    from django.db.models import Sum

    from portal.staff.access import EDITORS_GROUP
    from portal.tracking.models import SearchCount

    have = walks_ready(args.sessions, args.days)
    searches = SearchCount.objects.aggregate(n=Sum("searches"))["n"] or 0
    if searches < args.searches:
        print(f"The database has {searches:,} searches; adding {args.searches - searches:,} …", flush=True)
        _generate_searches(connection, args.searches - searches, args.queries, args.days)
        searches = SearchCount.objects.aggregate(n=Sum("searches"))["n"] or 0
    _revise_articles()

    client = signed_in_client("bench-editor", EDITORS_GROUP)
    pages = [
        ("staff home (with highlights)", "/it/staff/"),
        ("translations, English", "/it/staff/translations/?locale=en"),
        ("translations, outdated only", "/it/staff/translations/?locale=en&status=outdated"),
        ("CSV: translations", "/it/staff/translations.csv?locale=en"),
        ("changes side by side", "/it/staff/translations/article/appeal/en/"),
        ("unhelpful, 30 days", "/it/staff/unhelpful/"),
        ("unhelpful, 90 days, English", "/it/staff/unhelpful/?period=90&locale=en"),
        ("CSV: unhelpful, 90 days", "/it/staff/unhelpful.csv?period=90"),
        ("search gaps, 30 days", "/it/staff/searches/"),
        ("search gaps, 90 days", "/it/staff/searches/?period=90"),
        ("search gaps, 1 year, Italian", f"/it/staff/searches/?period=dates&start={days_ago(365)}"
         f"&end={days_ago(0)}&locale=it"),
        ("CSV: zero results, 90 days", "/it/staff/searches/zero.csv?period=90"),
    ]
    rows_count = SearchCount.objects.count()
    load = os.getloadavg()[0]
    lines = [f"Editorial readouts with {have:,} walks and {searches:,} searches ({rows_count:,} day × language × "
             f"query rows) on PostgreSQL {connection.pg_version}, {args.runs} runs each after one warm-up "
             f"(in-process, production settings); load average {load:.1f} when it started.", "",
             f"| page | status | median ms | max ms | queries | < {TARGET_MS} ms |", "|---|---|---|---|---|---|"]
    print("\n" + "\n".join(lines), flush=True)
    slow = 0
    for name, url in pages:
        timing = time_page(client, url, args.runs)
        status, median = timing.status, timing.median_ms
        good = median < TARGET_MS and status == 200
        slow += not good
        line = (f"| {name} | {status} | {median:.0f} | {timing.max_ms:.0f} | {timing.queries} | "
                f"{'yes' if good else 'NO'} |")
        lines.append(line)
        print(line, flush=True)
    lines += ["", f"{len(pages) - slow} of {len(pages)} pages answered under {TARGET_MS} ms (median)."]
    print(lines[-1])
    if not args.no_write:
        _write_section(lines)
    return 0


def _generate_searches(connection, total: int, queries: int, days: int) -> None:
    """`total` searches as SearchCount rows: each (day, language) gets the same long-tailed mix of `queries`
    distinct normalized queries (query k is made about 1/k as often as query 1). Every 7th query finds nothing,
    every 5th that finds something is never opened."""
    import datetime as dt

    from django.utils import timezone

    per_day = max(1, total // (days * 2))
    harmonic = sum(1 / k for k in range(1, queries + 1))
    first_day = timezone.localdate() - dt.timedelta(days=days - 1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(SUM(searches), 0) FROM tracking_searchcount")
        before = cursor.fetchone()[0]
        cursor.execute(
            """
            INSERT INTO tracking_searchcount (day, locale, query, searches, zero_results, opens)
            SELECT %s::date + d, loc, 'ricerca ' || translate(k::text, '0123456789', 'abcdefghij'), n,
                   CASE WHEN k %% 7 = 0 THEN n ELSE 0 END,
                   CASE WHEN k %% 7 = 0 OR k %% 5 = 0 THEN 0 ELSE (n + 1) / 2 END
            FROM generate_series(0, %s - 1) AS d, unnest(ARRAY['it', 'en']) AS loc,
                 LATERAL (SELECT k, GREATEST(0, round(%s / (k * %s)))::int AS n
                          FROM generate_series(1, %s) AS k) AS q
            WHERE n > 0
            ON CONFLICT (day, locale, query) DO UPDATE SET searches = tracking_searchcount.searches
                + excluded.searches
            """,
            [first_day, days, per_day, harmonic, queries],
        )
        # The long tail rounds to zero: the searches still missing go to the most common query of each day.
        cursor.execute("SELECT COALESCE(SUM(searches), 0) FROM tracking_searchcount")
        missing = total - (cursor.fetchone()[0] - before)
        if missing > 0:
            cursor.execute(
                """
                UPDATE tracking_searchcount SET searches = searches + %s + CASE WHEN day = %s::date AND locale = 'it'
                    THEN %s ELSE 0 END
                WHERE query = 'ricerca b'
                """, [missing // (days * 2), first_day, missing % (days * 2)])
        cursor.execute("ANALYZE tracking_searchcount")


def _revise_articles() -> None:
    """A revision history to read: every tenth Italian article gets one more revision (content or typo)."""
    from portal.content import revisions
    from portal.content.models import Article, Significance, SourceRevision

    if SourceRevision.objects.filter(number__gt=1).exists():
        return
    for index, article in enumerate(Article.objects.filter(locale="it").order_by("pk")[::10]):
        article.body += "\n\nUn paragrafo aggiunto per il benchmark."
        article.save()
        revisions.record(article, Significance.CONTENT if index % 2 == 0 else Significance.TYPO)


def _write_section(lines: list[str]) -> None:
    path = ROOT / "docs" / "benchmarks.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    section = "\n".join([START, "## Editorial readouts (`bench/editorial.py`)", "", *lines, END])
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.DOTALL)
    text = pattern.sub(lambda _m: section, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
    path.write_text(text.rstrip("\n") + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
