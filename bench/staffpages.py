"""What bench/staff.py and bench/editorial.py share: production settings in-process on PostgreSQL, a database that
holds at least N tracked walks (with rollups), a client signed in as a staff user of one group, and the timing of
one page (a warm-up, then timed runs, with the SQL query count).

Imported by those scripts as `bench.staffpages` (each puts the repository root on sys.path), so both still run as
`python bench/<name>.py`.
"""

from __future__ import annotations

import os
import secrets
import statistics
import sys
import time
from dataclasses import dataclass

TARGET_MS = 500


def production_settings(script: str) -> bool:
    """Sets up Django with production settings (DEBUG off) for an in-process run on PostgreSQL. False, after saying
    why on stderr, when DATABASE_URL is not a PostgreSQL one."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    os.environ.pop("DJANGO_DEBUG", None)
    # Production settings, but plain HTTP in-process: no HTTPS redirect, no secure-only cookies.
    os.environ.update(DJANGO_SECURE_SSL_REDIRECT="0", DJANGO_SECURE_COOKIES="0", DJANGO_HSTS_SECONDS="0")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "ERROR")
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        print(f"{script} needs PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return False

    import django

    django.setup()
    return True


def walks_ready(sessions: int, days: int) -> int:
    """Migrates, collects static files, imports kb/, generates the walks the database lacks (generate_sessions,
    spread over `days` days) and computes the rollups. Returns how many walks it holds."""
    from django.core.management import call_command

    from portal.tracking.models import FlowSession

    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    with open(os.devnull, "w") as quiet:
        call_command("import_kb", verbosity=0, stdout=quiet)
    have = FlowSession.objects.count()
    if have < sessions:
        print(f"The database has {have:,} walks; generating {sessions - have:,} more …", flush=True)
        call_command("generate_sessions", sessions - have, days=days, verbosity=1)
        have = FlowSession.objects.count()
    call_command("staff_rollup", verbosity=0)
    return have


def signed_in_client(username: str, group: str):
    """Django's test client (set up to run with DEBUG off), signed in as staff user `username` of `group`."""
    from django.contrib.auth.models import Group, User
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()  # lets the test client run with DEBUG off
    user, _created = User.objects.get_or_create(username=username, defaults={"is_staff": True})
    user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    return client


@dataclass(frozen=True)
class Timing:
    status: int
    median_ms: float
    max_ms: float
    queries: int


def time_page(client, url: str, runs: int) -> Timing:
    """One warm-up request, then `runs` timed ones: the last status and query count, the median and slowest."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    times, status, queries = [], None, 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - began) * 1000)
        status, queries = response.status_code, len(captured.captured_queries)
    return Timing(status=status, median_ms=statistics.median(times), max_ms=max(times), queries=queries)


def days_ago(days: int) -> str:
    import datetime as dt

    from django.utils import timezone

    return (timezone.localdate() - dt.timedelta(days=days)).isoformat()
