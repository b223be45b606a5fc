"""manage.py staff_rollup: daily rollups for the dashboard. Run it from cron (hourly is plenty)."""

from django.core.management.base import BaseCommand

from portal.flows.registry import all_flows
from portal.staff.rollup import roll_pending


class Command(BaseCommand):
    help = ("Rolls up every settled day (ended more than a day ago) not rolled up yet, for every flow, so the "
            "staff dashboard stays fast at millions of walks. --rebuild recomputes every day.")

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true")

    def handle(self, *args, rebuild: bool, **options):
        for flow in all_flows().values():
            days = roll_pending(flow.id, rebuild=rebuild)
            if options["verbosity"]:
                self.stdout.write(f"{flow.slug}: {days} day(s) rolled up")
