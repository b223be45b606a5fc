"""48 working hours in Europe/Rome: weekends, every Italian public holiday, Easter, both DST switches."""

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from portal.toolkit.workhours import add_working_hours, easter_sunday, is_working_day, italian_holidays

ROME = ZoneInfo("Europe/Rome")


def rome(*args):
    return datetime(*args, tzinfo=ROME)


@pytest.mark.parametrize("year, sunday", [
    (2024, date(2024, 3, 31)), (2025, date(2025, 4, 20)), (2026, date(2026, 4, 5)), (2027, date(2027, 3, 28)),
    (2038, date(2038, 4, 25)), (2019, date(2019, 4, 21)), (2000, date(2000, 4, 23)), (2285, date(2285, 3, 22)),
])
def test_easter_sunday(year, sunday):
    assert easter_sunday(year) == sunday
    assert sunday.weekday() == 6
    assert sunday + timedelta(days=1) in italian_holidays(year)  # Pasquetta


def test_the_holiday_list_of_2027():
    assert sorted(italian_holidays(2027)) == [
        date(2027, 1, 1), date(2027, 1, 6), date(2027, 3, 29), date(2027, 4, 25), date(2027, 5, 1),
        date(2027, 6, 2), date(2027, 8, 15), date(2027, 10, 4), date(2027, 11, 1), date(2027, 12, 8),
        date(2027, 12, 25), date(2027, 12, 26),
    ]


def test_saint_francis_is_a_holiday_from_2026_only():
    assert date(2025, 10, 4) not in italian_holidays(2025)
    assert date(2026, 10, 4) in italian_holidays(2026)


def test_an_ordinary_week():
    # Monday 10:00 → Wednesday 10:00.
    assert add_working_hours(rome(2026, 11, 16, 10, 0)) == rome(2026, 11, 18, 10, 0)


def test_friday_afternoon_skips_the_weekend():
    assert add_working_hours(rome(2026, 11, 20, 15, 30)) == rome(2026, 11, 24, 15, 30)


def test_thursday_lands_on_monday():
    assert add_working_hours(rome(2026, 11, 19, 9, 0)) == rome(2026, 11, 23, 9, 0)


@pytest.mark.parametrize("weekend_moment", [rome(2026, 11, 21, 11, 0), rome(2026, 11, 22, 23, 59)])
def test_a_request_at_the_weekend_counts_from_monday_morning(weekend_moment):
    assert add_working_hours(weekend_moment) == rome(2026, 11, 25, 0, 0)


def test_midnight_at_the_end_of_a_working_day():
    # Tuesday 00:00 plus two whole days is Thursday 00:00.
    assert add_working_hours(rome(2026, 11, 17, 0, 0)) == rome(2026, 11, 19, 0, 0)
    # Thursday 00:00 → the end of Friday: Saturday 00:00 is that moment.
    assert add_working_hours(rome(2026, 11, 19, 0, 0)) == rome(2026, 11, 21, 0, 0)


# Each holiday on a weekday in the year chosen; a request the working day before it at 10:00 skips it.
HOLIDAY_CASES = [
    (date(2025, 1, 1), "Capodanno"),
    (date(2027, 1, 6), "Epifania"),
    (date(2026, 4, 6), "Pasquetta"),
    (date(2028, 4, 25), "Liberazione"),
    (date(2026, 5, 1), "Festa del lavoro"),
    (date(2026, 6, 2), "Festa della Repubblica"),
    (date(2028, 8, 15), "Ferragosto"),
    (date(2027, 10, 4), "San Francesco"),
    (date(2027, 11, 1), "Ognissanti"),
    (date(2026, 12, 8), "Immacolata"),
    (date(2025, 12, 25), "Natale"),
    (date(2025, 12, 26), "Santo Stefano"),
]


def test_the_cases_cover_every_holiday():
    covered = {(day.month, day.day) for day, name in HOLIDAY_CASES if name != "Pasquetta"}
    easter_monday = easter_sunday(2026) + timedelta(days=1)
    assert covered == {(d.month, d.day) for d in italian_holidays(2026) if d != easter_monday}


def _next_working_day(day):
    day += timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


@pytest.mark.parametrize("holiday, name", HOLIDAY_CASES)
def test_every_holiday_is_skipped(holiday, name):
    assert holiday.weekday() < 5, name
    assert not is_working_day(holiday)
    day_before = holiday - timedelta(days=1)
    while not is_working_day(day_before):
        day_before -= timedelta(days=1)
    due = add_working_hours(rome(day_before.year, day_before.month, day_before.day, 10, 0))
    # 14 hours on the day before, 24 on the first working day after the holiday, 10 on the next one.
    expected = _next_working_day(_next_working_day(day_before))
    assert expected > holiday + timedelta(days=1)
    assert due == rome(expected.year, expected.month, expected.day, 10, 0), name


def test_christmas_and_new_year_2026():
    # Wed 23 Dec 2026 16:00 → Thu 24 (working), skip 25 Fri, 26-27 weekend → Mon 28 Dec 16:00.
    assert add_working_hours(rome(2026, 12, 23, 16, 0)) == rome(2026, 12, 28, 16, 0)
    # Thu 31 Dec 2026 9:00: 15 hours that day, skip 1 Jan (Fri) and the weekend, Mon 4 Jan whole, Tue 5 Jan 9:00.
    assert add_working_hours(rome(2026, 12, 31, 9, 0)) == rome(2027, 1, 5, 9, 0)


@pytest.mark.parametrize("year", [2024, 2025, 2026, 2027, 2038])
def test_easter_monday_is_skipped_in_several_years(year):
    easter = easter_sunday(year)
    thursday = easter - timedelta(days=3)
    due = add_working_hours(datetime(thursday.year, thursday.month, thursday.day, 12, 0, tzinfo=ROME))
    # Thursday 12-24 and Friday count; Saturday, Sunday and Easter Monday do not; then Tuesday 0-12.
    tuesday = easter + timedelta(days=2)
    assert due == datetime(tuesday.year, tuesday.month, tuesday.day, 12, 0, tzinfo=ROME)


def test_spring_forward():
    # 29 March 2026, 02:00 CET → 03:00 CEST. Friday 10:00 CET (09:00 UTC) → Tuesday 10:00 CEST (08:00 UTC).
    start = datetime(2026, 3, 27, 9, 0, tzinfo=timezone.utc)
    due = add_working_hours(start)
    assert due.astimezone(timezone.utc) == datetime(2026, 3, 31, 8, 0, tzinfo=timezone.utc)
    assert (due.hour, due.minute, due.utcoffset()) == (10, 0, timedelta(hours=2))


def test_fall_back():
    # 25 October 2026, 03:00 CEST → 02:00 CET. Friday 10:00 CEST (08:00 UTC) → Tuesday 10:00 CET (09:00 UTC).
    start = datetime(2026, 10, 23, 8, 0, tzinfo=timezone.utc)
    due = add_working_hours(start)
    assert due.astimezone(timezone.utc) == datetime(2026, 10, 27, 9, 0, tzinfo=timezone.utc)
    assert (due.hour, due.utcoffset()) == (10, timedelta(hours=1))


@pytest.mark.parametrize("utc_moment", [
    datetime(2026, 3, 29, 1, 30, tzinfo=timezone.utc),  # 03:30 CEST, just after the spring switch
    datetime(2026, 10, 25, 0, 30, tzinfo=timezone.utc),  # 02:30 CEST, the first of the two 02:30s
    datetime(2026, 10, 25, 1, 30, tzinfo=timezone.utc),  # 02:30 CET, the second one
])
def test_a_request_during_a_dst_switch_counts_from_monday(utc_moment):
    # Sunday: counting starts at Monday 00:00, so the 48 hours end at Wednesday 00:00 (in CEST or CET).
    wednesday = utc_moment.date() + timedelta(days=3)
    assert add_working_hours(utc_moment) == rome(wednesday.year, wednesday.month, wednesday.day, 0, 0)


def test_the_result_is_in_rome_whatever_the_input_zone():
    tokyo = datetime(2026, 11, 17, 18, 0, tzinfo=ZoneInfo("Asia/Tokyo"))  # 10:00 in Rome
    due = add_working_hours(tokyo)
    assert due.tzinfo == ROME and due == rome(2026, 11, 19, 10, 0)


def test_other_amounts_and_bad_input():
    assert add_working_hours(rome(2026, 11, 20, 15, 0), hours=24) == rome(2026, 11, 23, 15, 0)
    assert add_working_hours(rome(2026, 11, 18, 15, 0), hours=0) == rome(2026, 11, 18, 15, 0)
    with pytest.raises(ValueError):
        add_working_hours(datetime(2026, 11, 18, 15, 0))
    with pytest.raises(ValueError):
        add_working_hours(rome(2026, 11, 18, 15, 0), hours=-1)
