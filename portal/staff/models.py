"""Daily rollups of the tracked walks, so the dashboard reads a few thousand rows instead of a million.

Written only by `staff_rollup` (cron, and the end of `generate_sessions`), for settled days: days that ended more
than a day ago, when a walk that has no outcome is abandoned for good. The dashboard reads these for the rolled
days of its period and the raw tracking tables for the rest (always today and yesterday), so figures are live.
A walk counts in the day it started (site time zone), as on the dashboard.
"""

from django.db import models


class RolledDay(models.Model):
    """Marks a day of a flow as rolled up: its rows below are complete."""

    day = models.DateField()
    flow_id = models.CharField(max_length=64)
    rolled_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["flow_id", "day"], name="rolled_day_once")]


class _DayRow(models.Model):
    day = models.DateField()
    flow_id = models.CharField(max_length=64)
    flow_version = models.CharField(max_length=64)
    locale = models.CharField(max_length=8)

    class Meta:
        abstract = True


class WalkDay(_DayRow):
    """Walks started that day, by outcome kind ("" = none: abandoned) and the step they were last on."""

    outcome_kind = models.CharField(max_length=16, blank=True)
    last_node = models.CharField(max_length=64, blank=True)
    walks = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["flow_id", "flow_version", "day"], name="walkday_flow_version_day")]


class AnswerDay(_DayRow):
    """How often each answer was chosen in the walks started that day."""

    node_id = models.CharField(max_length=64)
    answer_id = models.CharField(max_length=64)
    times = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["flow_id", "flow_version", "day"], name="answerday_flow_version_day")]


class OutcomeTimeDay(_DayRow):
    """Walks started that day that reached an outcome, by whole seconds from start to first outcome."""

    seconds = models.PositiveIntegerField()
    walks = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["flow_id", "flow_version", "day"], name="outcometime_flow_version_day")]
