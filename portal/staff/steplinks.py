"""Every step of a flow in flow order, as a tree, with its permalink in each language."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from portal.content.steps import StepTexts
from portal.flows.model import Flow, Node


@dataclass(frozen=True)
class Permalink:
    locale: str
    language: str
    path: str


@dataclass(frozen=True)
class StepEntry:
    node: Node
    title: str
    #: How the parent's answer that leads here reads (empty for the first step and after an info step).
    via: str
    depth: int
    links: tuple[Permalink, ...]
    #: The node was already listed under another branch: shown once, referred to here.
    repeat: bool


def permalink(flow: Flow, node: Node, locale: str) -> str:
    with translation.override(locale):
        return reverse("guide:step", args=[flow.slug, node.slug])


def permalinks(flow: Flow, node: Node) -> tuple[Permalink, ...]:
    return tuple(
        Permalink(code, str(name), permalink(flow, node, code)) for code, name in settings.LANGUAGES
    )


def step_tree(flow: Flow, texts: StepTexts) -> list[StepEntry]:
    """Depth first from the start, answers in their order; a step reached again is marked `repeat`."""
    entries: list[StepEntry] = []
    seen: set[str] = set()

    def visit(node: Node, via: str, depth: int) -> None:
        repeat = node.id in seen
        seen.add(node.id)
        entries.append(StepEntry(node, texts[node.id].title, via, depth, permalinks(flow, node), repeat))
        if repeat:
            return
        if node.is_info and node.next:
            visit(flow.nodes[node.next], "", depth + 1)
        for answer in node.answers:
            visit(flow.nodes[answer.next], texts[node.id].answers.get(answer.id, answer.id), depth + 1)

    visit(flow.nodes[flow.start], "", 0)
    return entries


def flow_order(flow: Flow) -> list[str]:
    """Node ids depth first from the start, each once: the order every staff table lists steps in."""
    order: list[str] = []

    def visit(node_id: str) -> None:
        if node_id in order:
            return
        order.append(node_id)
        for successor in flow.nodes[node_id].successors():
            visit(successor)

    visit(flow.start)
    return order
