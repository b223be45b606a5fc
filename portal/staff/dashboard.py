"""The dashboard's figures. Every number is computed by the database (aggregate, annotate, date truncation);
Python only adds up the few aggregated rows of two sources and arranges them into tables. The number of queries
does not depend on the number of walks.

Two sources: the daily rollups (portal/staff/models.py) for the period's settled days that `staff_rollup` has
rolled up, and the raw tracking tables for the rest of the period (at least today and yesterday), so every
figure is live. A walk counts in the day it started, for one flow version: a changed flow never mixes old and new
paths.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.content.models import Article
from portal.content.steps import StepTexts
from portal.flows.model import Outcome
from portal.tracking.models import FlowSession, LinkOpen, OutcomeKind, SessionEvent, Vote

from .forms import Filters
from .models import AnswerDay, OutcomeTimeDay, RolledDay, WalkDay
from .rollup import WholeSeconds
from .steplinks import flow_order
from .tables import Column, Table

#: A walk without an outcome and without an action for this long is abandoned (before that it is in progress).
ABANDON_AFTER = dt.timedelta(minutes=30)
OUTCOMES = [Outcome.APPEAL.value, Outcome.WAIT.value, Outcome.CONTACT_META.value]
NO_OUTCOME = "none"
#: The tables of the dashboard, by the slug their CSV export is named with.
TABLES = ("summary", "outcomes", "trend", "dropoff", "answers", "helpfulness", "links")


@dataclass(frozen=True)
class Sources:
    """Which days of the period come from the rollups, and which from the raw tables.

    The rollups cover one run of consecutive rolled days (rolled_first..rolled_last); the raw tables cover the
    days before it (in a long period, usually days before the first walk: empty and cheap) and after it (at
    least today and yesterday).
    """

    filters: Filters
    rolled_first: dt.date | None
    rolled_last: dt.date | None

    @classmethod
    def of(cls, filters: Filters) -> "Sources":
        """The first run of rolled days in the period (one query)."""
        rolled = sorted(RolledDay.objects.filter(flow_id=filters.flow.id, day__gte=filters.first_day,
                                                 day__lte=filters.last_day).values_list("day", flat=True))
        if not rolled:
            return cls(filters, None, None)
        last = rolled[0]
        for day in rolled[1:]:
            if day != last + dt.timedelta(days=1):
                break
            last = day
        return cls(filters, rolled[0], last)

    def rolled(self, model, **more) -> QuerySet | None:
        if self.rolled_first is None:
            return None
        f = self.filters
        lookups = {"flow_id": f.flow.id, "flow_version": f.version, "day__gte": self.rolled_first,
                   "day__lte": self.rolled_last, **more}
        if f.locale:
            lookups["locale"] = f.locale
        return model.objects.filter(**lookups)

    def raw_q(self, prefix: str = "", version: bool = True) -> Q | None:
        """The raw walks' condition: the period's days outside the rolled run; None when the rollups cover all."""
        f = self.filters
        started = prefix + "started_at"
        if self.rolled_first is None:
            period = Q(**{f"{started}__gte": f.start, f"{started}__lt": f.end})
        else:
            before, after = _local_midnight(self.rolled_first), _local_midnight(self.rolled_last + dt.timedelta(days=1))
            ranges = []
            if f.start < before:
                ranges.append(Q(**{f"{started}__gte": f.start, f"{started}__lt": before}))
            if after < f.end:
                ranges.append(Q(**{f"{started}__gte": after, f"{started}__lt": f.end}))
            if not ranges:
                return None
            period = ranges[0] if len(ranges) == 1 else ranges[0] | ranges[1]
        lookups = {prefix + "flow_id": f.flow.id}
        if version:
            lookups[prefix + "flow_version"] = f.version
        if f.locale:
            lookups[prefix + "locale"] = f.locale
        return Q(**lookups) & period

    def raw_walks(self) -> QuerySet[FlowSession] | None:
        condition = self.raw_q()
        return None if condition is None else FlowSession.objects.filter(condition)


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _abandoned(now: dt.datetime) -> Q:
    return Q(outcome_at__isnull=True, last_seen_at__lt=now - ABANDON_AFTER)


def _add(counter: Counter, rows, key, value: str) -> Counter:
    for row in rows:
        counter[key(row)] += row[value] or 0
    return counter


def versions(sources: Sources) -> list[dict]:
    """Every version of the flow with walks in the period (language applied), most walks first."""
    totals: Counter = Counter()
    f = sources.filters
    if sources.rolled_first is not None:
        rolled = WalkDay.objects.filter(flow_id=f.flow.id, day__gte=sources.rolled_first,
                                        day__lte=sources.rolled_last, **({"locale": f.locale} if f.locale else {}))
        _add(totals, rolled.values("flow_version").annotate(n=Sum("walks")), lambda r: r["flow_version"], "n")
    condition = sources.raw_q(version=False)
    if condition is not None:
        raw = FlowSession.objects.filter(condition).values("flow_version").annotate(n=Count("pk"))
        _add(totals, raw, lambda r: r["flow_version"], "n")
    return [{"flow_version": version, "walks": walks} for version, walks in totals.most_common()]


def summary(sources: Sources, now: dt.datetime) -> dict:
    """Walks started, reaching an outcome, abandoned and in progress, and how many reached each outcome kind."""
    by_kind: Counter = Counter()
    row = {"started": 0, "abandoned": 0}
    rolled = sources.rolled(WalkDay)
    if rolled is not None:  # settled days: a walk without an outcome is abandoned
        _add(by_kind, rolled.values("outcome_kind").annotate(n=Sum("walks")), lambda r: r["outcome_kind"], "n")
        row["started"] += sum(by_kind.values())
        row["abandoned"] += by_kind.pop("", 0)
    raw = sources.raw_walks()
    if raw is not None:
        outcome_counts = {f"outcome_{index}": Count("pk", filter=Q(outcome_at__isnull=False, outcome_kind=kind))
                          for index, kind in enumerate(OUTCOMES)}
        live = raw.aggregate(started=Count("pk"), abandoned=Count("pk", filter=_abandoned(now)), **outcome_counts)
        row["started"] += live["started"]
        row["abandoned"] += live["abandoned"]
        for index, kind in enumerate(OUTCOMES):
            by_kind[kind] += live[f"outcome_{index}"]
    row["outcomes"] = {kind: by_kind.get(kind, 0) for kind in OUTCOMES}
    row["reached"] = sum(row["outcomes"].values())
    row["in_progress"] = row["started"] - row["reached"] - row["abandoned"]
    return row


def time_to_outcome(sources: Sources, fractions=(0.5, 0.9)) -> dict[float, dt.timedelta | None]:
    """Nearest-rank percentiles of the whole seconds from start to first outcome, over walks that reached one.

    The database groups the walks by seconds (a histogram of at most a few thousand rows); the rank is found
    walking that histogram.
    """
    histogram: Counter = Counter()
    rolled = sources.rolled(OutcomeTimeDay)
    if rolled is not None:
        _add(histogram, rolled.values("seconds").annotate(n=Sum("walks")), lambda r: r["seconds"], "n")
    raw = sources.raw_walks()
    if raw is not None:
        rows = (raw.filter(outcome_at__isnull=False).annotate(seconds=WholeSeconds("outcome_at", "started_at"))
                .values("seconds").annotate(n=Count("pk")))
        _add(histogram, rows, lambda r: max(0, r["seconds"]), "n")
    total = sum(histogram.values())
    result: dict[float, dt.timedelta | None] = {}
    for fraction in fractions:
        if not total:
            result[fraction] = None
            continue
        rank, seen = max(1, math.ceil(fraction * total)), 0
        for seconds in sorted(histogram):
            seen += histogram[seconds]
            if seen >= rank:
                result[fraction] = dt.timedelta(seconds=seconds)
                break
    return result


def daily_outcomes(sources: Sources) -> list[dict]:
    """Per day (in the site's time zone) and outcome kind ("" for none yet): walks started."""
    rows = []
    rolled = sources.rolled(WalkDay)
    if rolled is not None:
        rows += list(rolled.values("day", "outcome_kind").annotate(walks=Sum("walks")))
    raw = sources.raw_walks()
    if raw is not None:
        rows += list(raw.annotate(day=TruncDate("started_at", tzinfo=timezone.get_current_timezone()))
                     .values("day", "outcome_kind").annotate(walks=Count("pk")))
    return rows


def left_per_step(sources: Sources, now: dt.datetime) -> dict[str, int]:
    """Abandoned walks by the step they were last on."""
    left: Counter = Counter()
    rolled = sources.rolled(WalkDay, outcome_kind="")
    if rolled is not None:
        _add(left, rolled.values("last_node").annotate(n=Sum("walks")), lambda r: r["last_node"], "n")
    raw = sources.raw_walks()
    if raw is not None:
        _add(left, raw.filter(_abandoned(now)).values("last_node").annotate(n=Count("pk")),
             lambda r: r["last_node"], "n")
    return dict(left)


def answers_chosen(sources: Sources) -> dict[tuple[str, str], int]:
    """How often each answer of each step was chosen in the walks counted."""
    times: Counter = Counter()
    rolled = sources.rolled(AnswerDay)
    if rolled is not None:
        _add(times, rolled.values("node_id", "answer_id").annotate(n=Sum("times")),
             lambda r: (r["node_id"], r["answer_id"]), "n")
    condition = sources.raw_q("session__")
    if condition is not None:
        raw = (SessionEvent.objects.filter(condition, kind=SessionEvent.Kind.ANSWERED)
               .values("node_id", "answer_id").annotate(n=Count("pk")))
        _add(times, raw, lambda r: (r["node_id"], r["answer_id"]), "n")
    return dict(times)


def link_opens(filters: Filters) -> dict[str, int]:
    """Opens of each step from a link (aggregate counts, no sessions), in the period and language."""
    qs = LinkOpen.objects.filter(flow_id=filters.flow.id, day__gte=filters.first_day, day__lte=filters.last_day)
    if filters.locale:
        qs = qs.filter(locale=filters.locale)
    return {row["node_id"]: row["opens"] for row in qs.values("node_id").annotate(opens=Sum("count"))}


def votes(filters: Filters) -> tuple[list[dict], list[dict]]:
    """Votes cast in the period (language applied): yes / no per page, and the reasons per page."""
    qs = Vote.objects.filter(created_at__gte=filters.start, created_at__lt=filters.end)
    if filters.locale:
        qs = qs.filter(locale=filters.locale)
    if filters.step:
        qs = qs.filter(target_type__in=[Vote.Target.STEP, Vote.Target.OUTCOME],
                       target_id=f"{filters.flow.id}:{filters.step}")
    totals = list(
        qs.values("target_type", "target_id").annotate(
            yes=Count("pk", filter=Q(helpful=True)), no=Count("pk", filter=Q(helpful=False))
        )
    )
    reasons = list(qs.exclude(reason="").values("target_type", "target_id", "reason").annotate(votes=Count("pk")))
    return totals, reasons


@dataclass(frozen=True)
class Dashboard:
    filters: Filters
    summary: dict
    percentiles: dict
    tables: dict[str, Table]
    versions: list[dict]


def share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def build(filters: Filters, texts: StepTexts, locale: str, now: dt.datetime | None = None,
          only: str | None = None) -> Dashboard:
    """Every figure and table of the dashboard (or, with `only`, just what the table of that slug needs)."""
    now = now or timezone.now()
    flow = filters.flow
    order = flow_order(flow)

    def title(node_id: str) -> str:
        return texts[node_id].title if node_id in flow.nodes else node_id

    outcome_names = {kind.value: kind.label for kind in OutcomeKind}
    tables: dict[str, Table] = {}
    wanted = (lambda slug: only is None or only == slug)
    sources = Sources.of(filters)
    needs_summary = only is None or only in ("summary", "outcomes")
    totals = summary(sources, now) if needs_summary else None
    percentiles = time_to_outcome(sources) if only in (None, "summary") else {}

    if wanted("summary"):
        tables["summary"] = Table("summary", _("Walks"), (Column("figure", _("Figure")), Column("value", _("Value"), True)), [
            {"figure": _("Walks started"), "value": totals["started"]},
            {"figure": _("Reached an outcome"), "value": totals["reached"]},
            {"figure": _("Abandoned (no outcome, idle 30 minutes)"), "value": totals["abandoned"]},
            {"figure": _("In progress"), "value": totals["in_progress"]},
            {"figure": _("Median time to outcome (seconds)"), "value": _seconds(percentiles.get(0.5))},
            {"figure": _("90th percentile time to outcome (seconds)"), "value": _seconds(percentiles.get(0.9))},
        ])
    if wanted("outcomes"):
        tables["outcomes"] = Table(
            "outcomes", _("Outcome mix"),
            (Column("outcome", _("Outcome")), Column("walks", _("Walks"), True), Column("share", _("Share %"), True)),
            [{"key": kind, "outcome": outcome_names[kind], "walks": totals["outcomes"][kind],
              "share": share(totals["outcomes"][kind], totals["reached"])} for kind in OUTCOMES],
        )
    if wanted("trend"):
        by_day: dict[dt.date, dict[str, int]] = {day: {} for day in filters.days}
        for row in daily_outcomes(sources):
            by_day.setdefault(row["day"], {})[row["outcome_kind"] or NO_OUTCOME] = row["walks"]
        columns = (Column("day", _("Day")),) + tuple(Column(k, outcome_names[k], True) for k in OUTCOMES) + (
            Column(NO_OUTCOME, _("No outcome yet"), True), Column("total", _("Started"), True))
        rows = []
        for day, counts in sorted(by_day.items()):
            row = {"day": day.isoformat(), **{k: counts.get(k, 0) for k in OUTCOMES + [NO_OUTCOME]}}
            row["total"] = sum(counts.values())
            rows.append(row)
        tables["trend"] = Table("trend", _("Outcomes by day"), columns, rows)

    answered = answers_chosen(sources) if (only is None or only in ("dropoff", "answers")) else {}
    if wanted("dropoff"):
        left = left_per_step(sources, now)
        rows = []
        for node_id in order:
            node = flow.nodes[node_id]
            if node.is_outcome or (filters.step and node_id != filters.step):
                continue
            passed = sum(times for (answered_node, _a), times in answered.items() if answered_node == node_id)
            here = left.get(node_id, 0)
            rows.append({"node": node_id, "step": title(node_id), "reached": passed + here, "left": here,
                         "share": share(here, passed + here)})
        rows.sort(key=lambda row: (-(row["share"] or 0), -row["left"]))
        tables["dropoff"] = Table(
            "dropoff", _("Drop-off per step (worst first)"),
            (Column("step", _("Step")), Column("reached", _("Reached"), True), Column("left", _("Left here"), True),
             Column("share", _("Left here %"), True)),
            rows, link_column="step",
        )
    if wanted("answers"):
        rows = []
        for node_id in order:
            node = flow.nodes[node_id]
            if not (node.is_question or node.is_checklist) or (filters.step and node_id != filters.step):
                continue
            total = sum(answered.get((node_id, answer.id), 0) for answer in node.answers)
            for answer in node.answers:
                times = answered.get((node_id, answer.id), 0)
                rows.append({"node": node_id, "step": title(node_id),
                             "answer": texts[node_id].answers.get(answer.id, answer.id),
                             "times": times, "share": share(times, total)})
        tables["answers"] = Table(
            "answers", _("Answers chosen per question"),
            (Column("step", _("Question")), Column("answer", _("Answer")), Column("times", _("Chosen"), True),
             Column("share", _("Share %"), True)),
            rows, link_column="step",
        )
    if wanted("helpfulness"):
        tables["helpfulness"] = _helpfulness_table(filters, title, locale)
    if wanted("links"):
        opens = link_opens(filters)
        rows = [{"node": node_id, "step": title(node_id), "opens": opens.get(node_id, 0)}
                for node_id in order if not filters.step or node_id == filters.step]
        rows.sort(key=lambda row: -row["opens"])
        tables["links"] = Table(
            "links", _("Link opens per step"),
            (Column("step", _("Step")), Column("opens", _("Opened from a link"), True)), rows, link_column="step",
            note=_("Counted per day without a session: link previews and checks by staff count here, and only here."),
        )
    return Dashboard(filters=filters, summary=totals or {}, percentiles=percentiles, tables=tables,
                     versions=versions(sources) if only is None else [])


def _seconds(value: dt.timedelta | None) -> int | None:
    return round(value.total_seconds()) if value is not None else None


TARGET_LABELS = {Vote.Target.ARTICLE: _("Article"), Vote.Target.STEP: _("Step"), Vote.Target.OUTCOME: _("Outcome")}


def _helpfulness_table(filters: Filters, title, locale: str) -> Table:
    totals, reasons = votes(filters)
    reason_names = dict(Vote.Reason.choices)
    by_target: dict[tuple[str, str], list[str]] = {}
    for row in sorted(reasons, key=lambda r: -r["votes"]):
        by_target.setdefault((row["target_type"], row["target_id"]), []).append(
            f"{reason_names.get(row['reason'], row['reason'])}: {row['votes']}")
    article_keys = [row["target_id"] for row in totals if row["target_type"] == Vote.Target.ARTICLE]
    article_titles = {}
    for article in Article.objects.filter(translation_key__in=article_keys, locale__in=[locale, "it"]).only(
            "translation_key", "title", "locale"):
        if article.locale == locale or article.translation_key not in article_titles:
            article_titles[article.translation_key] = article.title
    rows = []
    for row in totals:
        kind, target = row["target_type"], row["target_id"]
        if kind == Vote.Target.ARTICLE:
            name = article_titles.get(target, target)
            node = ""
        else:
            flow_id, _colon, node = target.partition(":")
            name = title(node) if flow_id == filters.flow.id else target
            node = node if flow_id == filters.flow.id and node in filters.flow.nodes else ""
        votes_cast = row["yes"] + row["no"]
        rows.append({
            "node": node, "kind": TARGET_LABELS.get(kind, kind), "page": name, "yes": row["yes"], "no": row["no"],
            "share_no": share(row["no"], votes_cast), "reasons": "; ".join(by_target.get((kind, target), [])),
        })
    rows.sort(key=lambda r: (-(r["share_no"] or 0), -r["no"], str(r["page"])))
    return Table(
        "helpfulness", _("Helpfulness per step, outcome and article (worst first)"),
        (Column("kind", _("Kind")), Column("page", _("Page")), Column("yes", _("Yes"), True),
         Column("no", _("No"), True), Column("share_no", _("No %"), True), Column("reasons", _("Reasons"))),
        rows, link_column="page",
        note=_("Votes cast in the period, whatever the flow version."),
    )
