"""A one-event iCalendar reminder (RFC 5545), built with the `icalendar` library."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timedelta, timezone

import icalendar

from .workhours import ROME

PRODID = "-//blocked-number-help//portal//EN"


def reminder_ics(*, start: datetime, summary: str, description: str, url: str, uid_domain: str,
                 stamp: datetime, duration: timedelta = timedelta(minutes=30)) -> bytes:
    """An iCalendar file with one VEVENT at `start` (shown in Europe/Rome, with its VTIMEZONE) linking to `url`.

    The UID is derived from the link and the instant, so downloading the same reminder twice updates one event
    instead of adding a second. `stamp` is the DTSTAMP (when the file was made). Raises ValueError for a naive
    `start` or `stamp`.
    """
    for moment in (start, stamp):
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("reminder times need a time zone")
    local_start = start.astimezone(ROME)
    digest = hashlib.sha256(f"{url}|{local_start.isoformat()}".encode()).hexdigest()[:32]
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add_component(
        icalendar.Timezone.from_tzid("Europe/Rome", first_date=_year_start(local_start) - timedelta(days=366),
                                     last_date=_year_start(local_start) + timedelta(days=2 * 366)))
    event = icalendar.Event()
    event.add("uid", f"{digest}@{uid_domain or 'localhost'}")
    event.add("dtstamp", stamp.astimezone(timezone.utc))  # RFC 5545: DTSTAMP is in UTC
    event.add("dtstart", local_start)
    event.add("dtend", local_start + duration)
    event.add("summary", summary)
    event.add("description", f"{description}\n{url}" if description else url)
    event.add("url", url)
    calendar.add_component(event)
    return calendar.to_ical()


def _year_start(moment: datetime) -> date:
    return date(moment.year, 1, 1)
