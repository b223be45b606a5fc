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
    """Which days of the period come from the rollups (first..last rolled) and from when the raw tables count."""

    filters: Filters
    rolled_last: dt.date | None  # the rollups cover filters.first_day..rolled_last; None: no rollup used
    raw_from: dt.date | None  # the raw tables cover raw_from..filters.last_day; None: nothing raw

    @classmethod
    def of(cls, filters: Filters) -> "Sources":
        """The longest run of rolled days from the period's first day; the raw tables for the rest (one query)."""
        rolled = set(RolledDay.objects.filter(flow_id=filters.flow.id, day__gte=filters.first_day,
                                              day__lte=filters.last_day).values_list("day", flat=True))
        day = filters.first_day
        while day in rolled:
            day += dt.timedelta(days=1)
        rolled_last = day - dt.timedelta(days=1) if day > filters.first_day else None
        return cls(filters, rolled_last, day if day <= filters.last_day else None)

    def rolled(self, model, **more) -> QuerySet | None:
        if self.rolled_last is None:
            return None
        f = self.filters
        lookups = {"flow_id": f.flow.id, "flow_version": f.version, "day__gte": f.first_day,
                   "day__lte": self.rolled_last, **more}
        if f.locale:
            lookups["locale"] = f.locale
        return model.objects.filter(**lookups)

    def raw_lookups(self, prefix: str = "", version: bool = True) -> dict | None:
        if self.raw_from is None:
            return None
        f = self.filters
        lookups = {"flow_id": f.flow.id, "started_at__gte": _local_midnight(self.raw_from), "started_at__lt": f.end}
        if version:
            lookups["flow_version"] = f.version
        if f.locale:
            lookups["locale"] = f.locale
        return {prefix + key: value for key, value in lookups.items()}

    def raw_walks(self) -> QuerySet[FlowSession] | None:
        lookups = self.raw_lookups()
        return None if lookups is None else FlowSession.objects.filter(**lookups)


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
    if sources.rolled_last is not None:
        rolled = WalkDay.objects.filter(flow_id=f.flow.id, day__gte=f.first_day, day__lte=sources.rolled_last,
                                        **({"locale": f.locale} if f.locale else {}))
        _add(totals, rolled.values("flow_version").annotate(n=Sum("walks")), lambda r: r["flow_version"], "n")
    lookups = sources.raw_lookups(version=False)
    if lookups is not None:
        raw = FlowSession.objects.filter(**lookups).values("flow_version").annotate(n=Count("pk"))
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
    lookups = sources.raw_lookups("session__")
    if lookups is not None:
        raw = (SessionEvent.objects.filter(kind=SessionEvent.Kind.ANSWERED, **lookups)
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
            if not node.is_question or (filters.step and node_id != filters.step):
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
