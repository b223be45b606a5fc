"""Computes the daily rollups (portal/staff/models.py) from the raw tracking tables, a range of days at a time."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, F, Func, IntegerField, Min
from django.db.models.functions import TruncDate
from django.utils import timezone

from portal.tracking.models import FlowSession, SessionEvent

from .models import AnswerDay, OutcomeTimeDay, RolledDay, WalkDay

#: Days that ended at least this long ago are settled: a walk without an outcome is abandoned for good.
SETTLED_AFTER_DAYS = 2


class WholeSeconds(Func):
    """Whole seconds from `start` to `end` (each truncated to the second), computed by the database."""

    output_field = IntegerField()

    def __init__(self, end, start):
        super().__init__(end, start)

    def as_sql(self, compiler, connection, **extra):
        raise NotImplementedError(f"WholeSeconds has no SQL for {connection.vendor}")

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql_template(compiler, connection,
                                    "(FLOOR(EXTRACT(EPOCH FROM %s)) - FLOOR(EXTRACT(EPOCH FROM %s)))::integer")

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql_template(compiler, connection,
                                    "(CAST(strftime('%%%%s', %s) AS INTEGER) - CAST(strftime('%%%%s', %s) AS INTEGER))")

    def as_sql_template(self, compiler, connection, template):
        sqls, params = [], []
        for expression in self.get_source_expressions():
            sql, expression_params = compiler.compile(expression)
            sqls.append(sql)
            params.extend(expression_params)
        return template % tuple(sqls), params


def local_day():
    return TruncDate("started_at", tzinfo=timezone.get_current_timezone())


def settled_until(today: dt.date | None = None) -> dt.date:
    """The last day that may be rolled up."""
    return (today or timezone.localdate()) - dt.timedelta(days=SETTLED_AFTER_DAYS)


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def roll_days(flow_id: str, first: dt.date, last: dt.date) -> int:
    """(Re)computes the rollups of the days first..last (inclusive) of one flow; returns how many days."""
    if last < first:
        return 0
    sessions = FlowSession.objects.filter(flow_id=flow_id, started_at__gte=_local_midnight(first),
                                          started_at__lt=_local_midnight(last + dt.timedelta(days=1)))
    keys = ("day", "flow_version", "locale")
    walk_rows = (sessions.annotate(day=local_day()).values(*keys, "outcome_kind", "last_node")
                 .annotate(walks=Count("pk")))
    time_rows = (sessions.filter(outcome_at__isnull=False).annotate(day=local_day(),
                                                                     seconds=WholeSeconds("outcome_at", "started_at"))
                 .values(*keys, "seconds").annotate(walks=Count("pk")))
    answer_rows = (SessionEvent.objects.filter(kind=SessionEvent.Kind.ANSWERED, session__flow_id=flow_id,
                                               session__started_at__gte=_local_midnight(first),
                                               session__started_at__lt=_local_midnight(last + dt.timedelta(days=1)))
                   .annotate(day=TruncDate("session__started_at", tzinfo=timezone.get_current_timezone()),
                             flow_version=F("session__flow_version"), locale=F("session__locale"))
                   .values(*keys, "node_id", "answer_id").annotate(times=Count("pk")))
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    with transaction.atomic():
        for model in (WalkDay, AnswerDay, OutcomeTimeDay):
            model.objects.filter(flow_id=flow_id, day__gte=first, day__lte=last).delete()
        WalkDay.objects.bulk_create([WalkDay(flow_id=flow_id, **row) for row in walk_rows], batch_size=2000)
        OutcomeTimeDay.objects.bulk_create(
            [OutcomeTimeDay(flow_id=flow_id, **{**row, "seconds": max(0, row["seconds"])}) for row in time_rows],
            batch_size=2000)
        AnswerDay.objects.bulk_create([AnswerDay(flow_id=flow_id, **row) for row in answer_rows], batch_size=2000)
        RolledDay.objects.filter(flow_id=flow_id, day__gte=first, day__lte=last).delete()
        RolledDay.objects.bulk_create([RolledDay(flow_id=flow_id, day=day) for day in days])
    return len(days)


def roll_pending(flow_id: str, *, today: dt.date | None = None, rebuild: bool = False) -> int:
    """Rolls up every settled day of a flow that is not rolled yet (or all of them with `rebuild`)."""
    until = settled_until(today)
    first_walk = FlowSession.objects.filter(flow_id=flow_id).aggregate(first=Min("started_at"))["first"]
    if first_walk is None:
        return 0
    first = timezone.localtime(first_walk).date()
    if rebuild:
        return roll_days(flow_id, first, until)
    done = set(RolledDay.objects.filter(flow_id=flow_id, day__gte=first, day__lte=until)
               .values_list("day", flat=True))
    rolled, day, start = 0, first, None
    while day <= until + dt.timedelta(days=1):
        missing = day <= until and day not in done
        if missing and start is None:
            start = day
        elif not missing and start is not None:
            rolled += roll_days(flow_id, start, day - dt.timedelta(days=1))
            start = None
        day += dt.timedelta(days=1)
    return rolled
