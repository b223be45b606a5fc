"""Walks through the real guide, worked out from the flow itself so the browser tests follow it when it changes."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Callable

from django.urls import reverse
from django.utils import translation

from portal.flows.model import Flow, Node

OUTCOME_KINDS = ("appeal", "wait", "contact-meta")

#: The page types every accessibility and validity test covers.
PAGE_TYPES = (
    "home",
    "info",
    "question",
    "question-error",
    "outcome-appeal",
    "outcome-wait",
    "outcome-contact-meta",
    "not-found",
    "home-en",
    "question-en",
    "article",
    "article-en",
    "article-feedback-reasons",
    "search-results",
    "search-empty",
    "restart",
    "question-website-check",
    "outcome-appeal-tools",
    "outcome-wait-end-date",
    "outcome-tools-error",
    "template-check",
    "template-check-results",
    "template-check-error",
    "checklist",
    "checklist-error",
    "resume-error",
)

#: The guide's checklist step (issue 8), walked to through the flow.
CHECKLIST_NODE = "industry_checklist"

#: Page types with the outcome tools (issue 8): the step, and what the visitor types into its GET form.
TOOL_PAGES = {
    "question-website-check": ("website_review_button", {"website": "example.com"}),
    "outcome-appeal-tools": ("appeal_website", {"website": "example.com", "fix": "website"}),
    "outcome-wait-end-date": ("wait_restriction_dated", {"end": "+7"}),  # seven days from today
    "outcome-tools-error": ("wait_restriction_dated", {"end": "2026-02-30"}),
}


def tool_value(value: str) -> str:
    """A tool input as typed: "+N" is the date N days from today."""
    from datetime import date, timedelta

    return (date.today() + timedelta(days=int(value[1:]))).isoformat() if value.startswith("+") else value


#: What the template pre-check pages are sent (the issue's done-when: a shortened link and adjacent variables).
TEMPLATE_CHECK_POST = {"text": "Ciao {{1}}{{2}}, il tuo ordine è qui: bit.ly/3abc grazie", "category": "utility"}

#: Page types whose content comes from the imported knowledge base.
NEEDS_KB = {"home", "home-en", "article", "article-en", "article-feedback-reasons", "search-results", "search-empty"}


def content_url(page_type: str) -> str:
    """The URL of a page type that is not part of a walk (articles, search, English home)."""
    from portal.content.articles import article_url
    from portal.content.models import Article

    if page_type == "home-en":
        return home_url("en")
    if page_type in ("article", "article-feedback-reasons"):
        return article_url(Article.objects.get(locale="it", translation_key="appeal"))
    if page_type == "article-en":
        return article_url(Article.objects.get(locale="en", translation_key="appeal"))
    if page_type == "search-results":
        return home_url("it") + "search/?q=bloccato"
    if page_type == "search-empty":
        return home_url("en") + "search/?q=zzzxqj"
    if page_type == "resume-error":
        with translation.override("it"):
            return reverse("resume") + "?code=hello"
    if page_type.startswith("template-check"):
        with translation.override("it"):
            return reverse("precheck:check")
    raise ValueError(page_type)


@dataclass(frozen=True)
class Move:
    """One step of a walk: the node on screen and the answer chosen there (None: an info step's Continue)."""

    node: Node
    answer_id: str | None


def _shortest_walk(flow: Flow, goal: Callable[[Node], bool],
                   passable: Callable[[Node], bool] = lambda node: True) -> tuple[tuple[Move, ...], Node] | None:
    """Breadth first from the flow's start (radio answers and Continue): the moves to the first node that is the
    `goal`, and that node; walks on only through nodes that are `passable`. None when no node is the goal."""
    queue: deque[tuple[str, tuple[Move, ...]]] = deque([(flow.start, ())])
    seen = {flow.start}
    while queue:
        node_id, moves = queue.popleft()
        node = flow.nodes[node_id]
        if goal(node):
            return moves, node
        if node.is_outcome or not passable(node):
            continue
        choices = [(None, node.next)] if node.is_info else [(answer.id, answer.next) for answer in node.answers]
        for answer_id, target in choices:
            if target not in seen:
                seen.add(target)
                queue.append((target, moves + (Move(node, answer_id),)))
    return None


def path_to_outcome(flow: Flow, kind: str) -> tuple[tuple[Move, ...], Node]:
    """The shortest walk from the flow's start to an outcome of `kind`: the moves, and the outcome node."""
    found = _shortest_walk(flow, lambda node: node.is_outcome and node.outcome.value == kind)
    if found is None:
        raise LookupError(f"flow {flow.slug} has no {kind!r} outcome")
    return found


def path_to_node(flow: Flow, node_id: str) -> tuple[Move, ...]:
    """The shortest walk from the flow's start to the step `node_id` (radio answers and Continue only: never
    through a checklist)."""
    found = _shortest_walk(flow, lambda node: node.id == node_id, passable=lambda node: not node.is_checklist)
    if found is None:
        raise LookupError(f"flow {flow.slug} has no step {node_id!r}")
    return found[0]


def first_question(flow: Flow) -> tuple[tuple[Move, ...], Node]:
    """The moves from the start to the first question (through info steps), and that question."""
    moves: tuple[Move, ...] = ()
    node = flow.nodes[flow.start]
    while node.is_info:
        moves += (Move(node, None),)
        node = flow.nodes[node.next]
    assert node.is_question, f"{flow.slug}: the first step after the info steps is not a question"
    return moves, node


def home_url(lang: str = "it") -> str:
    with translation.override(lang):
        return reverse("home")


def start_url(flow: Flow, lang: str = "it") -> str:
    """Where the home page's "Start the guide" form posts."""
    with translation.override(lang):
        return reverse("guide:flow", args=[flow.slug])


def restart_url(flow: Flow, lang: str = "it") -> str:
    """The "start again?" confirmation page."""
    with translation.override(lang):
        return reverse("guide:restart", args=[flow.slug])


def step_url(flow: Flow, node: Node, lang: str = "it") -> str:
    """The permalink of a step."""
    with translation.override(lang):
        return reverse("guide:step", args=[flow.slug, node.slug])


def missing_step_url(flow: Flow, lang: str = "it") -> str:
    """A step URL of the right shape that names no node (a 404)."""
    slug = "no-such-step"
    assert flow.node_by_slug(slug) is None
    with translation.override(lang):
        return reverse("guide:step", args=[flow.slug, slug])
