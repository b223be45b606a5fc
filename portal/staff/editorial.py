"""The editorial readouts' queries: what to translate (localization), what to rewrite (unhelpful content).

Pure reads, a bounded number of queries whatever the number of texts; the views render what these return, the CSV
exports write the same rows. "Outdated" is content/revisions.py's rule (its query annotation), never recomputed here.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils import timezone, translation

from portal.content.models import Article, SourceRevision, StepText
from portal.content.revisions import outdated_expression
from portal.content.words import SOURCE_LOCALE
from portal.flows.registry import all_flows, step_ref
from portal.tracking.models import Vote

from .models import AnswerDay, WalkDay

#: How far back "most read" looks.
READ_DAYS = 90

MISSING, OUTDATED, CURRENT = "missing", "outdated", "current"


def translation_locales() -> list[str]:
    return [code for code, _name in settings.LANGUAGES if code != SOURCE_LOCALE]


@dataclass
class TextRow:
    """One source text and the state of its translation into one language."""

    kind: str  # "article" | "step"
    key: str  # translation key | "flow_id:node_id"
    title: str  # the Italian title
    status: str  # missing | outdated | current
    readers: int
    source_revision: int  # the Italian's latest revision
    follows: int | None = None  # the revision the translation follows
    behind: list[tuple[int, str]] = field(default_factory=list)  # (revision, significance) after `follows`
    admin_url: str = ""
    source_admin_url: str = ""
    page_url: str = ""

    @property
    def behind_text(self) -> str:
        return ", ".join(f"r{number} {significance}" for number, significance in self.behind)

    @property
    def worst(self) -> str:
        found = {significance for _number, significance in self.behind}
        return next((s for s in ("major", "content", "typo") if s in found), "")

    def csv_row(self, locale: str) -> dict:
        return {"locale": locale, "kind": self.kind, "key": self.key, "title": self.title, "status": self.status,
                "readers": self.readers, "source_revision": self.source_revision,
                "follows": "" if self.follows is None else self.follows, "behind": self.behind_text}


@dataclass
class Coverage:
    locale: str
    total: int
    current: int
    outdated: int
    missing: int

    @property
    def percent(self) -> int:
        """Up-to-date translations as a share of every source text (rounded down: 99.6% is not "100")."""
        return math.floor(100 * self.current / self.total) if self.total else 100


def readers(since: dt.date) -> dict[tuple[str, str], int]:
    """How much each text is read, without any page view ever being written: votes on it (any language) plus, for
    guide steps, the tracked walks that reached it (the daily rollups of settled days: walks that started at the
    step, or answered their way into it). Keys: ("article", translation key) and ("step", "flow:node")."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for target_type, target_id, votes in (Vote.objects.filter(created_at__gte=start_of(since))
                                          .values("target_type", "target_id").annotate(n=Count("pk"))
                                          .values_list("target_type", "target_id", "n")):
        counts[("article" if target_type == "article" else "step", target_id)] += votes
    flows = {flow.id: flow for flow in all_flows().values()}
    for flow_id, walks in WalkDay.objects.filter(day__gte=since).values_list("flow_id").annotate(
            n=Sum("walks")).values_list("flow_id", "n"):
        if flow_id in flows:
            counts[("step", f"{flow_id}:{flows[flow_id].start}")] += walks
    for flow_id, node_id, answer_id, times in (AnswerDay.objects.filter(day__gte=since)
                                               .values_list("flow_id", "node_id", "answer_id")
                                               .annotate(n=Sum("times"))
                                               .values_list("flow_id", "node_id", "answer_id", "n")):
        flow = flows.get(flow_id)
        node = flow.nodes.get(node_id) if flow else None
        if node is None:
            continue
        target = next((answer.next for answer in node.answers if answer.id == answer_id), None) or node.next
        if target:
            counts[("step", f"{flow_id}:{target}")] += times
    return counts


def start_of(day: dt.date) -> dt.datetime:
    """Local midnight at the start of `day` (so a date filter can use the index on the timestamp)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _revisions_after() -> dict[tuple[str, str], list[tuple[int, str]]]:
    found: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
    for kind, key, number, significance in SourceRevision.objects.order_by("kind", "key", "number").values_list(
            "kind", "key", "number", "significance"):
        found[(kind, key)].append((number, significance))
    return found


def localization(locale: str, *, today: dt.date) -> tuple[Coverage, list[TextRow]]:
    """Every published Italian article and every Italian step text of the current guides, with the state of its
    translation into `locale`, most read first (then by title)."""
    counts = readers(today - dt.timedelta(days=READ_DAYS))
    history = _revisions_after()
    rows: list[TextRow] = []

    sources = Article.objects.published().filter(locale=SOURCE_LOCALE).values_list(
        "pk", "translation_key", "title", "revision", "slug")
    translations = {tk: (pk, follows, outdated, slug) for pk, tk, follows, outdated, slug in (
        Article.objects.filter(locale=locale).annotate(is_outdated=outdated_expression(Article))
        .values_list("pk", "translation_key", "source_revision", "is_outdated", "slug"))}
    for pk, key, title, revision, slug in sources:
        row = TextRow("article", key, title, MISSING, counts.get(("article", key), 0), revision,
                      source_admin_url=reverse("admin:content_article_change", args=[pk]))
        found = translations.get(key)
        if found is None:
            row.admin_url = reverse("admin:content_article_add") + f"?locale={locale}&translation_key={key}"
            row.page_url = _article_page(slug, SOURCE_LOCALE)
        else:
            t_pk, row.follows, outdated, t_slug = found
            row.status = OUTDATED if outdated else CURRENT
            row.admin_url = reverse("admin:content_article_change", args=[t_pk])
            row.page_url = _article_page(t_slug, locale)
        rows.append(row)

    current_nodes = {(flow.id, node_id) for flow in all_flows().values() for node_id in flow.nodes}
    step_sources = [(pk, f"{flow_id}:{node_id}", title, revision) for pk, flow_id, node_id, title, revision in
                    StepText.objects.filter(locale=SOURCE_LOCALE).values_list(
                        "pk", "flow_id", "node_id", "title", "revision") if (flow_id, node_id) in current_nodes]
    step_translations = {f"{flow_id}:{node_id}": (pk, follows, outdated) for pk, flow_id, node_id, follows, outdated in (
        StepText.objects.filter(locale=locale).annotate(is_outdated=outdated_expression(StepText))
        .values_list("pk", "flow_id", "node_id", "source_revision", "is_outdated"))}
    for pk, key, title, revision in step_sources:
        row = TextRow("step", key, title, MISSING, counts.get(("step", key), 0), revision,
                      source_admin_url=reverse("admin:content_steptext_change", args=[pk]))
        row.page_url = _step_page(key, locale)
        found = step_translations.get(key)
        if found is not None:
            t_pk, row.follows, outdated = found
            row.status = OUTDATED if outdated else CURRENT
            row.admin_url = reverse("admin:content_steptext_change", args=[t_pk])
        rows.append(row)

    for row in rows:
        if row.status != MISSING:
            row.behind = [(n, s) for n, s in history.get((row.kind, row.key), []) if n > (row.follows or 0)]
    rows.sort(key=lambda row: (-row.readers, row.title.lower(), row.key))
    coverage = Coverage(locale, total=len(rows), current=sum(r.status == CURRENT for r in rows),
                        outdated=sum(r.status == OUTDATED for r in rows), missing=sum(r.status == MISSING for r in rows))
    return coverage, rows


def _article_page(slug: str, locale: str) -> str:
    with translation.override(locale):
        return reverse("content:article", args=[slug])


def _step_page(key: str, locale: str) -> str:
    ref = step_ref(key)
    if ref is None:
        return ""
    flow, node = ref
    with translation.override(locale):
        return reverse("guide:step", args=[flow.slug, node.slug])



# Unhelpful content ------------------------------------------------------------------------------------------------

#: The normal quantile of the 95% Wilson interval.
WILSON_Z = 1.959963984540054


def wilson_lower_bound(hits: int, total: int, z: float = WILSON_Z) -> float:
    """The lower bound of the Wilson score interval of hits/total: how high the true share surely is. Three "no"
    out of three votes score lower than 280 out of 300."""
    if total <= 0:
        return 0.0
    share = hits / total
    z2 = z * z
    centre = share + z2 / (2 * total)
    margin = z * math.sqrt(share * (1 - share) / total + z2 / (4 * total * total))
    return max(0.0, (centre - margin) / (1 + z2 / total))


@dataclass
class UnhelpfulRow:
    target_type: str  # article | step | outcome
    target_id: str
    title: str
    votes: int
    no: int
    score: float  # Wilson lower bound of the "no" share
    reasons: dict[str, int]
    admin_url: str = ""
    page_url: str = ""

    @property
    def no_percent(self) -> int:
        return round(100 * self.no / self.votes) if self.votes else 0

    def csv_row(self, locale: str, first: dt.date, last: dt.date) -> dict:
        return {"locale": locale or "all", "first_day": first.isoformat(), "last_day": last.isoformat(),
                "on": self.target_type, "key": self.target_id, "title": self.title, "votes": self.votes,
                "no": self.no, "score": round(self.score, 4),
                **{f"reason_{reason}": self.reasons.get(reason, 0) for reason in Vote.UNHELPFUL_REASONS}}


def unhelpful(*, locale: str, first: dt.date, last: dt.date, limit: int = 50) -> list[UnhelpfulRow]:
    """Articles, steps and outcomes by the Wilson lower bound of their "no" votes in the period (and language, ""
    for all), worst first; only texts with at least one "no". Two or three queries whatever the number of votes."""
    votes = Vote.objects.filter(created_at__gte=start_of(first), created_at__lt=start_of(last + dt.timedelta(days=1)))
    if locale:
        votes = votes.filter(locale=locale)
    reasons = {f"r_{reason.replace('-', '_')}": Count("pk", filter=Q(helpful=False, reason=reason))
               for reason in Vote.UNHELPFUL_REASONS}
    grouped = (votes.values("target_type", "target_id")
               .annotate(total=Count("pk"), no=Count("pk", filter=Q(helpful=False)), **reasons)
               .filter(no__gt=0))
    rows = []
    for group in grouped:
        rows.append(UnhelpfulRow(
            group["target_type"], group["target_id"], "", group["total"], group["no"],
            wilson_lower_bound(group["no"], group["total"]),
            {reason: group[f"r_{reason.replace('-', '_')}"] for reason in Vote.UNHELPFUL_REASONS}))
    rows.sort(key=lambda row: (-row.score, -row.no, row.target_type, row.target_id))
    rows = rows[:limit]
    _name_targets(rows, locale or SOURCE_LOCALE)
    return rows


def _name_targets(rows: list[UnhelpfulRow], locale: str) -> None:
    """Titles, admin forms and pages of the ranked texts, in `locale` where translated, else Italian."""
    keys = [row.target_id for row in rows if row.target_type == "article"]
    articles = {}
    for article in Article.objects.filter(translation_key__in=keys, locale__in={locale, SOURCE_LOCALE}).only(
            "pk", "locale", "translation_key", "title", "slug"):
        if article.locale == locale or article.translation_key not in articles:
            articles[article.translation_key] = article
    steps = [row.target_id.partition(":") for row in rows if row.target_type != "article"]
    texts = {}
    if steps:
        node_filter = Q()
        for flow_id, _colon, node_id in steps:
            node_filter |= Q(flow_id=flow_id, node_id=node_id)
        for text in StepText.objects.filter(node_filter, locale__in={locale, SOURCE_LOCALE}).only(
                "pk", "locale", "flow_id", "node_id", "title"):
            key = f"{text.flow_id}:{text.node_id}"
            if text.locale == locale or key not in texts:
                texts[key] = text
    for row in rows:
        if row.target_type == "article":
            article = articles.get(row.target_id)
            if article is not None:
                row.title = article.title
                row.admin_url = reverse("admin:content_article_change", args=[article.pk])
                row.page_url = _article_page(article.slug, article.locale)
        else:
            text = texts.get(row.target_id)
            if text is not None:
                row.title = text.title
                row.admin_url = reverse("admin:content_steptext_change", args=[text.pk])
            row.page_url = _step_page(row.target_id, locale)
        row.title = row.title or row.target_id
