"""Retention: deletes tracked walks (and their events) not seen for a while, then Django's expired sessions."""

from __future__ import annotations

import datetime
import re

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from portal.tracking.services import sessions_purge

_AGE = re.compile(r"^(?P<number>\d{1,5})(?P<unit>[dw])$")


def parse_age(text: str) -> datetime.timedelta:
    """ "180d" or "26w" → a timedelta; anything else is a usage error, not a crash."""
    match = _AGE.match(text.strip().lower())
    if not match or int(match["number"]) == 0:
        raise CommandError(f"--older-than expects a number of days or weeks, like 180d or 26w; got {text!r}")
    days = int(match["number"]) * (7 if match["unit"] == "w" else 1)
    return datetime.timedelta(days=days)


class Command(BaseCommand):
    help = ("Deletes tracked guide sessions last seen before the given age, with their events, in batches "
            "(their votes stay, without the link to the session); then runs clearsessions.")

    def add_arguments(self, parser):
        parser.add_argument("--older-than", default=f"{settings.TRACKING_RETENTION_DAYS}d",
                            help="age like 180d (days) or 26w (weeks); default PORTAL_RETENTION_DAYS (180) days")
        parser.add_argument("--batch-size", type=int, default=5000, help="sessions deleted per transaction")

    def handle(self, *args, older_than: str, batch_size: int, verbosity: int, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        cutoff = timezone.now() - parse_age(older_than)
        report = sessions_purge(before=cutoff, batch_size=batch_size)
        call_command("clearsessions", verbosity=verbosity)
        if verbosity:
            self.stdout.write(
                f"Deleted {report.sessions} guide sessions and {report.events} events last seen before "
                f"{cutoff:%Y-%m-%d %H:%M} UTC; {report.votes} votes kept without their session."
            )
