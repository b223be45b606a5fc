"""The words of a flow's nodes in one locale, rendered once and kept per process.

Italian is the source: a node without words in the visitor's locale falls back to Italian and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

from django.utils.safestring import SafeString, mark_safe

from portal.flows.model import Flow
from portal.flows.validator import SOURCE_LOCALE

from .markdown import render_markdown


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


def step_text(flow: Flow, locale: str, node_id: str) -> StepText:
    """The words of `node_id` for `locale`, falling back to Italian. Rendered once per flow version."""
    key = (flow.slug, flow.version, locale, node_id)
    cached = _cache.get(key)
    if cached is None:
        cached = _cache[key] = _render(flow, locale, node_id)
    return cached


_cache: dict[tuple[str, str, str, str], StepText] = {}


def _render(flow: Flow, locale: str, node_id: str) -> StepText:
    words = flow.words.get(locale)
    node_words = words.nodes.get(node_id) if words else None
    if node_words is None:
        locale, node_words = SOURCE_LOCALE, flow.words[SOURCE_LOCALE].nodes[node_id]
    return StepText(
        title=node_words.title,
        hint=node_words.hint,
        body_html=mark_safe(render_markdown(node_words.body)),  # sanitized by render_markdown
        answers=MappingProxyType(dict(node_words.answers)),
        locale=locale,
    )
