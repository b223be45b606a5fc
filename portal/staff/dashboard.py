"""The dashboard's figures. Every number is computed by the database (aggregate, annotate, date truncation,
percentiles); Python only arranges the few aggregated rows into tables. The number of queries does not depend on
the number of walks.

A walk counts in the period it started in, for one flow version: a changed flow never mixes old and new paths.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.db import connection
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.content.models import Article
from portal.content.steps import StepTexts
from portal.flows.model import Outcome
from portal.tracking.models import FlowSession, LinkOpen, OutcomeKind, SessionEvent, Vote

from .forms import Filters
from .steplinks import flow_order
from .tables import Column, Table

#: A walk without an outcome and without an action for this long is abandoned (before that it is in progress).
ABANDON_AFTER = dt.timedelta(minutes=30)
OUTCOMES = [Outcome.APPEAL.value, Outcome.WAIT.value, Outcome.CONTACT_META.value]
NO_OUTCOME = "none"
#: The tables of the dashboard, by the slug their CSV export is named with.
TABLES = ("summary", "outcomes", "trend", "dropoff", "answers", "helpfulness", "links")


def walks(filters: Filters) -> QuerySet[FlowSession]:
    """The walks the dashboard counts: one flow version, started in the period, in the language if one is chosen."""
    return FlowSession.objects.filter(**_walk_lookups(filters))


def _walk_lookups(filters: Filters, prefix: str = "") -> dict:
    lookups = {
        "flow_id": filters.flow.id,
        "flow_version": filters.version,
        "started_at__gte": filters.start,
        "started_at__lt": filters.end,
    }
    if filters.locale:
        lookups["locale"] = filters.locale
    return {prefix + key: value for key, value in lookups.items()}


def _abandoned(now: dt.datetime) -> Q:
    return Q(outcome_at__isnull=True, last_seen_at__lt=now - ABANDON_AFTER)


def versions(filters: Filters) -> list[dict]:
    """Every version of the flow with walks in the period (language applied), most walks first."""
    lookups = _walk_lookups(filters)
    del lookups["flow_version"]
    return list(
        FlowSession.objects.filter(**lookups).values("flow_version").annotate(walks=Count("pk")).order_by("-walks")
    )


def summary(filters: Filters, now: dt.datetime) -> dict:
    """Walks started, reaching an outcome, abandoned and in progress, and how many reached each outcome kind."""
    outcome_counts = {
        f"outcome_{index}": Count("pk", filter=Q(outcome_at__isnull=False, outcome_kind=kind))
        for index, kind in enumerate(OUTCOMES)
    }
    row = walks(filters).aggregate(
        started=Count("pk"),
        reached=Count("pk", filter=Q(outcome_at__isnull=False)),
        abandoned=Count("pk", filter=_abandoned(now)),
        **outcome_counts,
    )
    row["in_progress"] = row["started"] - row["reached"] - row["abandoned"]
    row["outcomes"] = {kind: row.pop(f"outcome_{index}") for index, kind in enumerate(OUTCOMES)}
    return row


class _PercentileDisc(Aggregate):
    """PostgreSQL's nearest-rank percentile (the same rule as the offset query used elsewhere)."""

    function = "PERCENTILE_DISC"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), output_field=DurationField(), **extra)


def time_to_outcome(filters: Filters, reached: int, fractions=(0.5, 0.9)) -> dict[float, dt.timedelta | None]:
    """Nearest-rank percentiles of the time from start to first outcome, over walks that reached one."""
    if not reached:
        return {fraction: None for fraction in fractions}
    duration = ExpressionWrapper(F("outcome_at") - F("started_at"), output_field=DurationField())
    qs = walks(filters).filter(outcome_at__isnull=False)
    if connection.vendor == "postgresql":
        row = qs.aggregate(**{f"p{index}": _PercentileDisc(duration, f) for index, f in enumerate(fractions)})
        return {fraction: row[f"p{index}"] for index, fraction in enumerate(fractions)}
    ordered = qs.annotate(duration=duration).order_by("duration").values_list("duration", flat=True)
    return {fraction: ordered[max(0, math.ceil(fraction * reached) - 1)] for fraction in fractions}


def daily_outcomes(filters: Filters) -> list[dict]:
    """Per day (in the site's time zone) and outcome kind ("" for none yet): walks started."""
    return list(
        walks(filters)
        .annotate(day=TruncDate("started_at", tzinfo=timezone.get_current_timezone()))
        .values("day", "outcome_kind")
        .annotate(walks=Count("pk"))
        .order_by("day", "outcome_kind")
    )


def left_per_step(filters: Filters, now: dt.datetime) -> dict[str, int]:
    """Abandoned walks by the step they were last on."""
    rows = walks(filters).filter(_abandoned(now)).values("last_node").annotate(walks=Count("pk"))
    return {row["last_node"]: row["walks"] for row in rows}


def answers_chosen(filters: Filters) -> dict[tuple[str, str], int]:
    """How often each answer of each step was chosen in the walks counted."""
    rows = (
        SessionEvent.objects.filter(kind=SessionEvent.Kind.ANSWERED, **_walk_lookups(filters, "session__"))
        .values("node_id", "answer_id")
        .annotate(times=Count("pk"))
    )
    return {(row["node_id"], row["answer_id"]): row["times"] for row in rows}


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
    needs_summary = only is None or only in ("summary", "outcomes")
    totals = summary(filters, now) if needs_summary else None
    percentiles = time_to_outcome(filters, totals["reached"]) if totals is not None else {}

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
        for row in daily_outcomes(filters):
            by_day.setdefault(row["day"], {})[row["outcome_kind"] or NO_OUTCOME] = row["walks"]
        columns = (Column("day", _("Day")),) + tuple(Column(k, outcome_names[k], True) for k in OUTCOMES) + (
            Column(NO_OUTCOME, _("No outcome yet"), True), Column("total", _("Started"), True))
        rows = []
        for day, counts in sorted(by_day.items()):
            row = {"day": day.isoformat(), **{k: counts.get(k, 0) for k in OUTCOMES + [NO_OUTCOME]}}
            row["total"] = sum(counts.values())
            rows.append(row)
        tables["trend"] = Table("trend", _("Outcomes by day"), columns, rows)

    answered = answers_chosen(filters) if (only is None or only in ("dropoff", "answers")) else {}
    if wanted("dropoff"):
        left = left_per_step(filters, now)
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
                     versions=versions(filters) if only is None else [])


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
