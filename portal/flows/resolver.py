"""Turns "the answers so far" into "the current node". Pure Python: no Django, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from .model import CONTINUE, Flow, Node

#: One given answer: (node id, answer id). Info nodes are answered with model.CONTINUE.
Step = tuple[str, str]


@dataclass(frozen=True)
class Resolution:
    """Where a list of answers leads."""

    #: The node the visitor is on now.
    current: Node
    #: The answers that replayed cleanly, in order; each one's node is on the path.
    answers: tuple[Step, ...]
    #: False when some answers did not replay (stale or tampered) and were dropped.
    valid: bool

    @property
    def path(self) -> tuple[str, ...]:
        """Ids of every node visited, the current one last."""
        return tuple(node_id for node_id, _ in self.answers) + (self.current.id,)

    def answer_at(self, node_id: str) -> str | None:
        for answered, answer_id in self.answers:
            if answered == node_id:
                return answer_id
        return None


def resolve_node(flow: Flow, answers: Iterable[Sequence[str]], entry: str | None = None) -> Resolution:
    """Replay `answers` from `entry` (the flow's start by default).

    Replaying stops at the first answer that does not belong to the node reached so far; that node is the
    result, so a tampered or stale list resolves to its last valid node. Ids that moved (the flow's `[moved]`
    table) are read as the node they moved to.
    """
    entry = flow.current_id(entry or flow.start)  # a walk saved before a step was renamed keeps working
    node = flow.nodes.get(entry) or flow.nodes[flow.start]
    kept: list[Step] = []
    valid = node.id == entry
    for step in answers:
        if len(step) != 2 or not all(isinstance(part, str) for part in step):
            valid = False
            break
        node_id, answer_id = flow.current_id(step[0]), step[1]
        target = node.target(answer_id) if node_id == node.id else None
        if target is None:
            valid = False
            break
        kept.append((node_id, answer_id))
        node = flow.nodes[target]
    return Resolution(current=node, answers=tuple(kept), valid=valid)


def answer_step(resolution: Resolution, node_id: str, answer_id: str) -> tuple[Step, ...] | None:
    """The answers after answering `node_id` (on the path) with `answer_id`, later answers dropped.

    None if the node is not on the path. The caller checks the answer belongs to the node.
    """
    path = resolution.path
    if node_id not in path:
        return None
    return resolution.answers[: path.index(node_id)] + ((node_id, answer_id),)


def every_path(flow: Flow, entry: str | None = None) -> list[tuple[Step, ...]]:
    """Every complete list of answers from `entry` to an outcome, in flow order."""
    paths: list[tuple[Step, ...]] = []

    def walk(node: Node, so_far: tuple[Step, ...]) -> None:
        if node.is_outcome:
            paths.append(so_far)
            return
        if node.is_info:
            walk(flow.nodes[node.next], so_far + ((node.id, CONTINUE),))
            return
        for answer in node.answers:
            walk(flow.nodes[answer.next], so_far + ((node.id, answer.id),))

    walk(flow.nodes[entry or flow.start], ())
    return paths


def replay_history(flow: Flow, history: Iterable[Sequence[str]], entry: str | None = None) -> tuple[Step, ...]:
    """The answers a walk holds after the answers it recorded over time, in order (a tracked session's history).

    A later answer to a step already on the path replaces the answer there and drops the ones after it, as a
    visitor going back and choosing again does. An answer that no longer fits (the flow changed since) is skipped.
    """
    answers: tuple[Step, ...] = ()
    for step in history:
        if len(step) != 2 or not all(isinstance(part, str) for part in step):
            continue
        resolution = resolve_node(flow, answers, entry)
        node_id = flow.current_id(step[0])
        node = flow.nodes.get(node_id)
        if node is None or node.target(step[1]) is None:
            continue
        replaced = answer_step(resolution, node_id, step[1])
        if replaced is not None:
            answers = replaced
    return resolve_node(flow, answers, entry).answers
