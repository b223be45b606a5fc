"""Immutable dataclasses of a flow's structure (kb/flows/). No words: those belong to the content layer."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Mapping


class NodeType(enum.StrEnum):
    QUESTION = "question"
    #: Tick any of a list of items (checkboxes); the ticked items pick one of the node's answers (see Node.answer_for).
    CHECKLIST = "checklist"
    INFO = "info"
    OUTCOME = "outcome"


class Outcome(enum.StrEnum):
    APPEAL = "appeal"
    WAIT = "wait"
    CONTACT_META = "contact-meta"


class Channel(enum.StrEnum):
    """Where the business uses WhatsApp: an outcome's advice and ready text differ between the two."""

    PLATFORM = "platform"  # the WhatsApp Business Platform (Cloud API, through a provider): the default
    APP = "app"  # the WhatsApp Business app on a phone: no business portfolio, templates or WABA ID


class Tool(enum.StrEnum):
    """The per-walk helpers a node offers under its text (portal/guide/tools.py shows them)."""

    WEBSITE_CHECK = "website_check"  # a field for the business portfolio's website, checked for format only
    REVIEW_DATE = "review_date"  # when to check again: 48 working hours after the review request, with a reminder
    END_DATE = "end_date"  # the end date of a dated restriction, asked for, with a reminder


#: The answer id recorded when a visitor continues past an info node.
CONTINUE = "continue"
#: The answer of a checklist node when nothing is ticked.
NOTHING_TICKED = "none"


@dataclass(frozen=True)
class Answer:
    id: str
    next: str
    #: On a checklist node: the items that, ticked, choose this answer.
    items: tuple[str, ...] = ()
    #: On a question that names the reason: this answer says Meta showed no reason.
    no_reason: bool = False


@dataclass(frozen=True)
class Node:
    id: str
    type: NodeType
    answers: tuple[Answer, ...] = ()
    next: str | None = None
    outcome: Outcome | None = None
    tools: tuple[Tool, ...] = ()
    #: A question whose answer is the reason Meta showed (the ready-to-send text names it).
    names_reason: bool = False
    #: On an outcome: which WhatsApp the advice is for (`channel = "app"` in the flow file; platform by default).
    channel: Channel = Channel.PLATFORM

    @property
    def slug(self) -> str:
        """The node's permalink segment: its id with hyphens."""
        return self.id.replace("_", "-")

    @property
    def is_question(self) -> bool:
        return self.type is NodeType.QUESTION

    @property
    def is_checklist(self) -> bool:
        return self.type is NodeType.CHECKLIST

    @property
    def is_info(self) -> bool:
        return self.type is NodeType.INFO

    @property
    def items(self) -> tuple[str, ...]:
        """A checklist's items, in order (empty for other nodes)."""
        return tuple(item for answer in self.answers for item in answer.items)

    @property
    def label_ids(self) -> tuple[str, ...]:
        """Every id on this node that the content layer gives words: its answers, then a checklist's items."""
        return tuple(answer.id for answer in self.answers) + self.items

    def answer_for(self, ticked) -> str:
        """A checklist's answer for a set of ticked items: the first answer, in the node's order, with a ticked
        item; NOTHING_TICKED when none is."""
        ticked = set(ticked)
        for answer in self.answers:
            if ticked.intersection(answer.items):
                return answer.id
        return NOTHING_TICKED

    @property
    def is_outcome(self) -> bool:
        return self.type is NodeType.OUTCOME

    def target(self, answer_id: str) -> str | None:
        """The id of the node an answer leads to, or None if the answer does not belong here."""
        if self.is_info:
            return self.next if answer_id == CONTINUE else None
        for answer in self.answers:
            if answer.id == answer_id:
                return answer.next
        return None

    def successors(self) -> tuple[str, ...]:
        if self.is_info:
            return (self.next,) if self.next else ()
        return tuple(answer.next for answer in self.answers)


@dataclass(frozen=True)
class Flow:
    id: str
    slug: str
    start: str
    nodes: Mapping[str, Node]
    version: str
    source: Path
    #: For each node, the largest number of answers still needed to reach an outcome.
    depth: Mapping[str, int]
    #: Ids that were renamed or removed, each mapped to the node it now lives at (chains already followed).
    moved: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def node_by_slug(self, slug: str) -> Node | None:
        return self.nodes.get(slug.replace("-", "_")) if "_" not in slug else None

    def moved_by_slug(self, slug: str) -> Node | None:
        """The node an old permalink segment (a moved id with hyphens) now lives at, or None."""
        target = self.moved.get(slug.replace("-", "_")) if "_" not in slug else None
        return self.nodes[target] if target else None

    def current_id(self, node_id: str) -> str:
        """`node_id`, or the id it moved to."""
        return self.moved.get(node_id, node_id)

    def outcome_nodes(self) -> tuple[Node, ...]:
        return tuple(node for node in self.nodes.values() if node.is_outcome)
