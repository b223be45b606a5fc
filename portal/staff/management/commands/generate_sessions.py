"""manage.py generate_sessions N: synthetic tracked walks along real paths of the current flow."""

import contextlib
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from portal.flows.registry import all_flows, get_flow
from portal.staff.rollup import roll_pending
from portal.staff.synthetic import WalkGenerator, indexes_rebuilt_after, write, write_link_opens

#: From this many walks on, PostgreSQL's secondary indexes are dropped for the load and built once after it.
BIG_LOAD = 100_000


class Command(BaseCommand):
    help = ("Creates N synthetic tracked walks (with their events, some votes and link-open counts) along real paths "
            "of the current flow, started over the last --days days. For benchmarks and demos, never production.")

    def add_arguments(self, parser):
        parser.add_argument("count", type=int)
        parser.add_argument("--days", type=int, default=90)
        parser.add_argument("--flow", help="flow slug (default: the first flow)")
        parser.add_argument("--batch", type=int, default=20_000)
        parser.add_argument("--seed", type=int, default=None)

    def handle(self, *args, count: int, days: int, flow: str | None, batch: int, seed: int | None, **options):
        if count < 0 or days < 1 or batch < 1:
            raise CommandError("N must be 0 or more; --days and --batch at least 1.")
        chosen = get_flow(flow) if flow else next(iter(all_flows().values()))
        if chosen is None:
            raise CommandError(f"Unknown flow {flow!r}; flows: {', '.join(all_flows())}")
        generator = WalkGenerator(chosen, days=days, seed=seed)
        began = time.monotonic()
        made = events = 0
        big = count >= BIG_LOAD
        with indexes_rebuilt_after() if big else contextlib.nullcontext():
            for rows in generator.batches(count, batch):
                write(rows)
                made += len(rows.sessions)
                events += len(rows.events)
                if options["verbosity"] > 1 or (options["verbosity"] and made % (batch * 10) == 0):
                    self.stdout.write(f"{made} walks, {events} events, {time.monotonic() - began:.0f} s")
            if big and options["verbosity"]:
                self.stdout.write(f"Rebuilding indexes ({time.monotonic() - began:.0f} s)")
        write_link_opens(generator.link_opens())
        if connection.vendor == "postgresql":
            # Fresh statistics, and (outside a transaction: not in tests) the visibility map for index-only scans.
            command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
            with connection.cursor() as cursor:
                for table in ("tracking_flowsession", "tracking_sessionevent", "tracking_vote"):
                    cursor.execute(f"{command} {table}")
        days_rolled = roll_pending(chosen.id, rebuild=True)
        if options["verbosity"]:
            self.stdout.write(f"Rolled up {days_rolled} settled days for the dashboard.")
            self.stdout.write(self.style.SUCCESS(
                f"Created {made} walks and {events} events in {time.monotonic() - began:.0f} s."))
