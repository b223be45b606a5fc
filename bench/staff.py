#!/usr/bin/env python
"""Times every staff page against a PostgreSQL database holding N tracked walks, and prints a table.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/staff.py --sessions 1000000

Creates the walks first when the database has fewer (manage.py generate_sessions: COPY, indexes built after the
load, rollups computed; about ten minutes for a million on a 2-core machine), then renders each page in-process
with production settings (DEBUG off) through Django's test client, signed in as a Support user: a warm-up, then
--runs timed requests; prints the median and the slowest, the SQL query count, and whether the median meets the
500 ms target. A benchmark, not a test: it measures, it does not fail on a slow page. Exits 2 without PostgreSQL.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.staffpages import (  # noqa: E402  (after the root is on sys.path)
    TARGET_MS, days_ago, production_settings, signed_in_client, time_page, walks_ready)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=1_000_000, help="walks the database must hold (default 1M)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--days", type=int, default=90, help="generated walks start over this many days")
    args = parser.parse_args()

    if not production_settings("bench/staff.py"):
        return 2
    from django.db import connection

    from portal.staff.access import SUPPORT_GROUP
    from portal.tracking.models import FlowSession

    have = walks_ready(args.sessions, args.days)
    client = signed_in_client("bench-support", SUPPORT_GROUP)
    code = FlowSession.objects.order_by("-started_at").values_list("ref_code", flat=True).first() or "AAAA-2222"
    step = FlowSession.objects.exclude(last_node="").values_list("last_node", flat=True).first() or ""
    pages = [
        ("staff home", "/it/staff/"),
        ("look-up (a code as dictated)", f"/it/staff/lookup/?code={code.lower().replace('-', '+')}"),
        ("look-up (unknown code)", "/it/staff/lookup/?code=ZZZZ-ZZZZ"),
        ("step links", "/it/staff/links/"),
        ("dashboard, 30 days", "/it/staff/dashboard/"),
        ("dashboard, 7 days, English", "/en/staff/dashboard/?period=7&locale=en"),
        ("dashboard, 90 days", "/it/staff/dashboard/?period=90"),
        ("dashboard, 90 days, one step", f"/it/staff/dashboard/?period=90&step={step}"),
        ("dashboard, chosen dates (1 year)", "/it/staff/dashboard/?period=dates&start="
         f"{days_ago(365)}&end={days_ago(0)}"),
        ("CSV: answers, 90 days", "/it/staff/dashboard/answers.csv?period=90"),
        ("CSV: trend, 90 days", "/it/staff/dashboard/trend.csv?period=90"),
        ("flow map, 30 days", "/it/staff/flow-map/"),
        ("flow map, 90 days", "/it/staff/flow-map/?period=90"),
    ]
    print(f"\nStaff pages with {have:,} walks on PostgreSQL {connection.pg_version}, {args.runs} runs each, "
          f"after one warm-up (in-process, production settings)\n")
    print(f"| {'page':34} | status | median ms | max ms | queries | < {TARGET_MS} ms |")
    print(f"|{'-' * 36}|--------|-----------|--------|---------|----------|")
    slow = 0
    for name, url in pages:
        timing = time_page(client, url, args.runs)
        status, median = timing.status, timing.median_ms
        good = median < TARGET_MS and status in (200, 404)  # 404: the unknown code's answer
        slow += not good
        print(f"| {name:34} | {status:6} | {median:9.0f} | {timing.max_ms:6.0f} | {timing.queries:7} | "
              f"{'yes' if good else 'NO':8} |", flush=True)
    print(f"\n{len(pages) - slow} of {len(pages)} pages answered under {TARGET_MS} ms (median).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
