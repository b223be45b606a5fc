"""Working hours in Europe/Rome.

What a working hour is here: any hour of a working day, all 24 of them. A working day is Monday to Friday, except the
Italian national public holidays. So 48 working hours are two whole working days: a review requested on Friday at
15:00 is due on Tuesday at 15:00; one requested on Saturday, or on a holiday, starts counting at 00:00 of the next
working day. Meta says a review's decision typically arrives in 24-48 hours (its policy-enforcement page) and its
support counts business days, not office hours: counting whole working days gives a date that is never too early.

Daylight saving time in Italy changes on a Sunday, which is never a working day, so counting wall-clock hours and
counting elapsed hours give the same answer: the result keeps the clock time, with the offset of its own date.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

ROME = ZoneInfo("Europe/Rome")

#: Fixed-date national holidays (month, day): Capodanno, Epifania, Liberazione, Festa del lavoro, Festa della
#: Repubblica, Ferragosto, Ognissanti, Immacolata, Natale, Santo Stefano.
FIXED_HOLIDAYS = ((1, 1), (1, 6), (4, 25), (5, 1), (6, 2), (8, 15), (11, 1), (12, 8), (12, 25), (12, 26))

#: San Francesco d'Assisi (4 October) is a national holiday again from 2026 (restored by a law of October 2025).
SAINT_FRANCIS_FROM = 2026


def easter_sunday(year: int) -> date:
    """Gregorian Easter Sunday (the anonymous Meeus/Jones/Butcher algorithm), for any year from 1583."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741 (the algorithm's own name)
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=64)
def italian_holidays(year: int) -> frozenset[date]:
    """Italy's national public holidays in `year` (Easter Monday included; regional patron days are not)."""
    days = {date(year, month, day) for month, day in FIXED_HOLIDAYS}
    days.add(easter_sunday(year) + timedelta(days=1))
    if year >= SAINT_FRANCIS_FROM:
        days.add(date(year, 10, 4))
    return frozenset(days)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in italian_holidays(day.year)


def add_working_hours(moment: datetime, hours: int = 48) -> datetime:
    """The moment `hours` working hours after `moment` (an aware datetime), in Europe/Rome.

    Raises ValueError for a naive datetime or a negative number of hours.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("the moment needs a time zone")
    if hours < 0:
        raise ValueError("hours cannot be negative")
    local = moment.astimezone(ROME).replace(tzinfo=None)  # wall clock: working days hold no DST change
    remaining = timedelta(hours=hours)
    if not is_working_day(local.date()):
        local = datetime.combine(_next_working_day(local.date()), time())
    while True:
        end_of_day = datetime.combine(local.date() + timedelta(days=1), time())
        if remaining <= end_of_day - local:
            return (local + remaining).replace(tzinfo=ROME)
        remaining -= end_of_day - local
        local = datetime.combine(_next_working_day(local.date()), time())


def _next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day
