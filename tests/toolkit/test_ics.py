"""The reminder parses with icalendar and carries the right instant, in Europe/Rome."""

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import pytest

from portal.toolkit.ics import reminder_ics
from portal.toolkit.workhours import add_working_hours

URL = "https://help.example.it/it/guide/blocked-number/appeal-website/"
STAMP = datetime(2026, 3, 27, 9, 0, tzinfo=timezone.utc)


def build(start, **overrides):
    kwargs = dict(start=start, summary="Controlla la revisione", description="Guarda la pagina del blocco.",
                  url=URL, uid_domain="help.example.it", stamp=STAMP)
    kwargs.update(overrides)
    return reminder_ics(**kwargs)


@pytest.mark.parametrize("start", [
    add_working_hours(datetime(2026, 3, 27, 9, 0, tzinfo=timezone.utc)),  # across the spring switch: CEST
    add_working_hours(datetime(2026, 10, 23, 8, 0, tzinfo=timezone.utc)),  # across the autumn switch: CET
    datetime(2027, 1, 15, 23, 30, tzinfo=timezone.utc),  # another year
])
def test_one_event_at_the_right_instant_in_rome(start):
    data = build(start)
    calendar = icalendar.Calendar.from_ical(data)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    event = events[0]
    begin = event.decoded("DTSTART")
    assert begin == start  # the same instant
    assert begin.utcoffset() == start.astimezone(ZoneInfo("Europe/Rome")).utcoffset()
    assert event["DTSTART"].params["TZID"] == "Europe/Rome"
    assert str(event["SUMMARY"]) == "Controlla la revisione"
    assert str(event["URL"]) == URL and URL in str(event["DESCRIPTION"])
    assert str(event["UID"]).endswith("@help.example.it")
    assert event.decoded("DTSTAMP") == STAMP
    assert event.decoded("DTEND") - begin == timedelta(minutes=30)
    [tz] = calendar.walk("VTIMEZONE")
    assert str(tz["TZID"]) == "Europe/Rome"
    # The VTIMEZONE covers the event's date with both of the year's offsets.
    assert {c.name for c in tz.subcomponents} == {"STANDARD", "DAYLIGHT"}
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]


def test_rfc5545_lines_are_crlf_and_folded():
    data = build(datetime(2026, 6, 3, 10, tzinfo=timezone.utc), description="x" * 300)
    assert data.startswith(b"BEGIN:VCALENDAR\r\n") and data.endswith(b"END:VCALENDAR\r\n")
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))


def test_the_uid_is_stable_for_the_same_reminder_and_differs_for_another():
    start = datetime(2026, 6, 3, 10, tzinfo=timezone.utc)
    uid = lambda data: str(icalendar.Calendar.from_ical(data).walk("VEVENT")[0]["UID"])  # noqa: E731
    assert uid(build(start)) == uid(build(start, stamp=STAMP + timedelta(hours=1)))
    assert uid(build(start)) != uid(build(start + timedelta(days=1)))


def test_text_is_escaped_not_injected():
    data = build(datetime(2026, 6, 3, 10, tzinfo=timezone.utc), summary="a;b,c\nEND:VEVENT")
    calendar = icalendar.Calendar.from_ical(data)
    assert len(calendar.walk("VEVENT")) == 1
    assert str(calendar.walk("VEVENT")[0]["SUMMARY"]) == "a;b,c\nEND:VEVENT"


def test_naive_times_are_refused():
    with pytest.raises(ValueError):
        build(datetime(2026, 6, 3, 10))
