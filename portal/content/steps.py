"""The words of a flow's steps in one locale, as the guide shows them.

The database is the only run-time source (StepText and GuideText rows, seeded from kb/ by `import_kb` and edited
in the admin). Italian is the source locale: a node whose words in the visitor's locale are missing or incomplete
for the current structure (an answer without a label) falls back to its Italian row, whole, and says so. A node
with no usable row at all still renders, with its ids as words; the system check (content.W001) names it.
Words are read once per text revision: a step GET costs one tiny query for the revision token.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

from django.db import DatabaseError
from django.utils.safestring import SafeString, mark_safe

from portal.flows.model import Flow, Node

from .articles import articles_for_steps
from .models import Article as ArticleRow
from .models import GuideText as GuideTextRow
from .models import StepText as StepTextRow
from .models import TextRevision
from .words import SOURCE_LOCALE, NodeText, node_text_problems

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StepText:
    title: str
    hint: str
    body_html: SafeString
    answers: Mapping[str, str]
    #: The locale the words are really in (differs from the one asked for on a fallback).
    locale: str

    def is_fallback_for(self, locale: str) -> bool:
        return self.locale != locale


@dataclass(frozen=True)
class GuideWords:
    """A guide's title and summary, in `locale` (differs from the one asked for on a fallback)."""

    title: str
    summary: str
    locale: str


@dataclass(frozen=True)
class ArticleLink:
    title: str
    url: str
    locale: str


@dataclass(frozen=True)
class _FlowWords:
    texts: Mapping[str, Mapping[str, StepText]]  # locale -> node id -> words
    guides: Mapping[str, GuideWords]  # locale -> title and summary
    articles: tuple  # published Article rows that name a step of this flow
    #: locale -> articles_for_steps(locale, articles): worked out once per revision, not on every step view
    links: dict = field(default_factory=dict, compare=False)


class StepTexts:
    """The words of every node of one flow for one visitor's locale, with the Italian fallback applied."""

    def __init__(self, flow: Flow, words: _FlowWords, locale: str):
        self._flow = flow
        self._wanted = words.texts.get(locale, {})
        self._source = words.texts.get(SOURCE_LOCALE, {})
        self._guides = words.guides
        self._articles = words.articles
        self._links = words.links
        self._locale = locale

    def __getitem__(self, node_id: str) -> StepText:
        return self._wanted.get(node_id) or self._source.get(node_id) or _ids_only(self._flow.nodes[node_id])

    @property
    def guide(self) -> GuideWords:
        """The guide's title and summary in the visitor's language, else Italian, else its id."""
        return (self._guides.get(self._locale) or self._guides.get(SOURCE_LOCALE)
                or GuideWords(title=self._flow.id.replace("_", " ").capitalize(), summary="", locale=SOURCE_LOCALE))

    def articles(self, node_id: str) -> list[ArticleLink]:
        """The articles that explain a step, in the visitor's language where translated."""
        by_step = self._links.get(self._locale)
        if by_step is None:  # two threads may both work it out: the same result, no lock needed
            by_step = self._links[self._locale] = articles_for_steps(self._locale, self._articles)
        links = by_step.get(f"{self._flow.id}:{node_id}", [])
        return [ArticleLink(title, url, locale) for title, url, locale in links]


def step_texts(flow: Flow, locale: str) -> StepTexts:
    try:
        revision = TextRevision.current()
    except DatabaseError:  # the database is down: the words this process last read still make a page
        with _lock:
            words = next((words for key, words in _cache.items() if key[:2] == (flow.slug, flow.version)), None)
        if words is None:
            raise
        logger.warning("step words of %s served from memory: the database is unavailable", flow.slug)
        return StepTexts(flow, words, locale)
    key = (flow.slug, flow.version, revision)
    with _lock:
        words = _cache.get(key)
    if words is None:
        words = _load(flow)
        with _lock:
            for stale in [k for k in _cache if k[0] == flow.slug]:
                del _cache[stale]
            _cache[key] = words
    return StepTexts(flow, words, locale)


_cache: dict[tuple[str, str, str], _FlowWords] = {}
_lock = threading.Lock()


def _load(flow: Flow) -> _FlowWords:
    by_locale: dict[str, dict[str, StepText]] = {}
    for row in StepTextRow.objects.filter(flow_id=flow.id, node_id__in=list(flow.nodes)):
        node = flow.nodes[row.node_id]
        text = NodeText(title=row.title, hint=row.hint, body=row.body, answers=row.answers or {})
        problems = [p for p in node_text_problems(node, text, source=str(row)) if p.code != "unknown_answer"]
        if problems:  # e.g. a question gained an answer and this row has no label for it yet
            logger.warning("not showing %s: %s", row, "; ".join(p.message for p in problems))
            continue
        by_locale.setdefault(row.locale, {})[row.node_id] = StepText(
            title=row.title,
            hint=row.hint,
            body_html=mark_safe(row.body_html),  # sanitized by render_markdown when the row was saved
            answers=MappingProxyType({label_id: row.answers[label_id] for label_id in node.label_ids}),
            locale=row.locale,
        )
    missing = [node_id for node_id in flow.nodes if node_id not in by_locale.get(SOURCE_LOCALE, {})]
    if missing:
        logger.error("guide %s: no usable Italian words for %s; run import_kb", flow.id, ", ".join(missing))
    guides = {
        row.locale: GuideWords(title=row.title, summary=row.summary, locale=row.locale)
        for row in GuideTextRow.objects.filter(flow_id=flow.id)
        if row.title
    }
    prefix = f"{flow.id}:"
    articles = tuple(a for a in ArticleRow.objects.published() if any(s.startswith(prefix) for s in a.steps or []))
    return _FlowWords(
        texts=MappingProxyType({locale: MappingProxyType(nodes) for locale, nodes in by_locale.items()}),
        guides=MappingProxyType(guides),
        articles=articles,
    )


def _ids_only(node: Node) -> StepText:
    """The last resort for a node without any usable row: its ids, so the walk still works (content.W001)."""
    return StepText(
        title=node.id.replace("_", " ").capitalize(),
        hint="",
        body_html=mark_safe(""),
        answers=MappingProxyType({label_id: label_id.replace("_", " ").capitalize() for label_id in node.label_ids}),
        locale=SOURCE_LOCALE,
    )
