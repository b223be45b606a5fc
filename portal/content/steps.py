"""The words of a flow's steps in one locale, as the guide shows them.

The database (seeded by `import_kb`, edited in the admin) wins over the kb/ files, which remain the fallback for
anything not imported. Italian is the source: a node without words in the visitor's locale falls back to Italian
and says so. Words are read once per text revision: a step GET costs one tiny query for the revision token.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from django.db import DatabaseError
from django.utils.safestring import SafeString, mark_safe

from portal.flows.model import Flow
from portal.flows.validator import SOURCE_LOCALE

from .articles import articles_for_steps
from .markdown import render_markdown
from .models import Article as ArticleRow
from .models import StepText as StepTextRow
from .models import TextRevision, article_link_base

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
class ArticleLink:
    title: str
    url: str
    locale: str


@dataclass(frozen=True)
class _FlowWords:
    texts: Mapping[str, Mapping[str, StepText]]  # locale -> node id -> words
    articles: tuple  # published Article rows that name a step of this flow


class StepTexts:
    """The words of every node of one flow for one visitor's locale, with the Italian fallback applied."""

    def __init__(self, flow: Flow, words: _FlowWords, locale: str):
        self._flow = flow
        self._wanted = words.texts.get(locale, {})
        self._source = words.texts[SOURCE_LOCALE]
        self._articles = words.articles
        self._locale = locale

    def __getitem__(self, node_id: str) -> StepText:
        return self._wanted.get(node_id) or self._source[node_id]

    def articles(self, node_id: str) -> list[ArticleLink]:
        """The articles that explain a step, in the visitor's language where translated."""
        links = articles_for_steps(self._locale, self._articles).get(f"{self._flow.id}:{node_id}", [])
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
    for locale, words in flow.words.items():
        by_locale[locale] = {
            node_id: StepText(
                title=node_words.title,
                hint=node_words.hint,
                body_html=mark_safe(render_markdown(node_words.body, link_base=article_link_base(locale))),
                answers=MappingProxyType(dict(node_words.answers)),
                locale=locale,
            )
            for node_id, node_words in words.nodes.items()
        }
    for row in StepTextRow.objects.filter(flow_id=flow.id, node_id__in=list(flow.nodes)):
        # Labels of answers added to the flow after this row was saved come from the files (Italian at least).
        file_labels = [by_locale.get(loc, {}).get(row.node_id) for loc in (SOURCE_LOCALE, row.locale)]
        labels = {k: v for text in file_labels if text for k, v in text.answers.items()}
        labels.update({k: v for k, v in row.answers.items() if v})
        by_locale.setdefault(row.locale, {})[row.node_id] = StepText(
            title=row.title,
            hint=row.hint,
            body_html=mark_safe(row.body_html),  # sanitized by render_markdown when the row was saved
            answers=MappingProxyType({answer.id: labels[answer.id] for answer in flow.nodes[row.node_id].answers}),
            locale=row.locale,
        )
    prefix = f"{flow.id}:"
    articles = tuple(a for a in ArticleRow.objects.published() if any(s.startswith(prefix) for s in a.steps or []))
    return _FlowWords(
        texts=MappingProxyType({locale: MappingProxyType(nodes) for locale, nodes in by_locale.items()}),
        articles=articles,
    )
