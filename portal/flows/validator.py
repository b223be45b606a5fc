"""Checks a flow's structure; every problem names the file and, where there is one, the node.

(The words are checked by the content layer: portal/content/words.py.)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

import re

from .model import NOTHING_TICKED, Node, NodeType, Tool

#: Answer and item ids: they name labels in the words files and values in forms.
_ID = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True)
class Problem:
    file: Path
    message: str
    node: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}" + (f", node '{self.node}'" if self.node else "")
        return f"{where}: {self.message}"


def structure_problems(path: Path, start: str, nodes: Iterable[Node]) -> list[Problem]:
    """Everything wrong with the graph: ids, targets, answers, reachability, cycles, dead ends."""
    nodes = list(nodes)
    problems: list[Problem] = []
    by_id: dict[str, Node] = {}
    for node in nodes:
        if node.id in by_id:
            problems.append(Problem(path, "duplicate node id", node.id))
        by_id.setdefault(node.id, node)

    if start not in by_id:
        problems.append(Problem(path, f"start node '{start}' does not exist"))

    for node in by_id.values():
        if node.type in (NodeType.QUESTION, NodeType.CHECKLIST):
            if not node.answers:
                problems.append(Problem(path, f"{node.type} has no answers", node.id))
            seen: set[str] = set()
            for answer in node.answers:
                if answer.id in seen:
                    problems.append(Problem(path, f"duplicate answer id '{answer.id}'", node.id))
                seen.add(answer.id)
        if node.type is NodeType.CHECKLIST:
            problems.extend(_checklist_problems(path, node))
        if node.type is NodeType.INFO and not node.next:
            problems.append(Problem(path, "info node has no 'next'", node.id))
        for tool in set(node.tools) & {Tool.REVIEW_DATE, Tool.END_DATE}:
            if node.type is not NodeType.OUTCOME:
                problems.append(Problem(path, f"tool '{tool}' belongs on an outcome (its reminder links there)", node.id))
        if node.names_reason and node.type is not NodeType.QUESTION:
            problems.append(Problem(path, "only a question can name the reason", node.id))
        for target in node.successors():
            if target not in by_id:
                problems.append(Problem(path, f"unknown target '{target}'", node.id))
    if problems:
        return problems  # the graph checks below assume known targets and a known start

    graph = {node_id: node.successors() for node_id, node in by_id.items()}  # each node's targets, built once
    reachable = _reachable(start, graph)
    for node_id in by_id:
        if node_id not in reachable:
            problems.append(Problem(path, "unreachable from the start node", node_id))

    cycle = _find_cycle(graph)
    if cycle:
        problems.append(Problem(path, "cycle: " + " -> ".join(cycle), cycle[0]))

    reaches_outcome = _reaching_outcome(by_id)
    for node_id in by_id:
        if node_id not in reaches_outcome:
            problems.append(Problem(path, "no outcome can be reached from this node", node_id))
    return problems


def _checklist_problems(path: Path, node: Node) -> list[Problem]:
    """A checklist: one answer with no items, named NOTHING_TICKED (nothing ticked); every other answer with at
    least one item; item ids unique on the node, and never the same as an answer id (they share the words)."""
    problems: list[Problem] = []
    empty = [answer.id for answer in node.answers if not answer.items]
    if empty != [NOTHING_TICKED]:
        problems.append(Problem(path, f"a checklist needs exactly one answer without items, with the id "
                                      f"'{NOTHING_TICKED}' (the answer when nothing is ticked); found {empty}", node.id))
    seen: set[str] = {answer.id for answer in node.answers}
    for item in node.items:
        if not _ID.fullmatch(item):
            problems.append(Problem(path, f"item id '{item}' must be lower-case letters, digits and underscores",
                                    node.id))
        if item in seen:
            problems.append(Problem(path, f"item id '{item}' is used twice (answers and items share ids)", node.id))
        seen.add(item)
    return problems


def moved_problems(path: Path, moved: Mapping[str, str], nodes: Mapping[str, Node]) -> list[Problem]:
    """A moved id must no longer be a node and must lead, possibly through other moved ids, to a node."""
    problems: list[Problem] = []
    for old_id, new_id in moved.items():
        if old_id in nodes:
            problems.append(Problem(path, f"[moved] '{old_id}' is still a node: remove the node or the redirect", old_id))
            continue
        seen = [old_id]
        target = new_id
        while target in moved and target not in seen and target not in nodes:
            seen.append(target)
            target = moved[target]
        if target in seen:
            problems.append(Problem(path, "[moved] loops: " + " -> ".join([*seen, target]), old_id))
        elif target not in nodes:
            problems.append(Problem(path, f"[moved] '{old_id}' points to '{target}', which is not a node", old_id))
    return problems


def resolve_moved(moved: Mapping[str, str], nodes: Mapping[str, Node]) -> dict[str, str]:
    """Each moved id mapped to its final node (run after `moved_problems` found nothing)."""
    resolved = {}
    for old_id, target in moved.items():
        while target not in nodes:
            target = moved[target]
        resolved[old_id] = target
    return resolved


def _reachable(start: str, graph: Mapping[str, tuple[str, ...]]) -> set[str]:
    seen, stack = {start}, [start]
    while stack:
        for target in graph[stack.pop()]:
            if target not in seen:
                seen.add(target)
                stack.append(target)
    return seen


def _find_cycle(graph: Mapping[str, tuple[str, ...]]) -> list[str] | None:
    """One cycle as a list of ids (first id repeated at the end), or None.

    Depth-first with an explicit stack (a flow of 100,000 steps in a row must not hit Python's recursion limit),
    visiting each node and each edge once: linear in the size of the flow."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for root in graph:
        if root in state:
            continue
        trail: list[str] = [root]
        position: dict[str, int] = {root: 0}  # where each node of the current path is in `trail`
        stack = [(root, iter(graph[root]))]
        state[root] = 1
        while stack:
            node_id, successors = stack[-1]
            for target in successors:
                if state.get(target) == 1:
                    return trail[position[target]:] + [target]
                if target not in state:
                    state[target] = 1
                    position[target] = len(trail)
                    trail.append(target)
                    stack.append((target, iter(graph[target])))
                    break
            else:
                stack.pop()
                trail.pop()
                del position[node_id]
                state[node_id] = 2
    return None


def _reaching_outcome(by_id: Mapping[str, Node]) -> set[str]:
    """Ids of the nodes from which some outcome can be reached: a walk backwards from the outcomes (linear)."""
    predecessors: dict[str, list[str]] = {}
    for node_id, node in by_id.items():
        for target in node.successors():
            predecessors.setdefault(target, []).append(node_id)
    good = [node_id for node_id, node in by_id.items() if node.is_outcome]
    seen = set(good)
    while good:
        for source in predecessors.get(good.pop(), ()):
            if source not in seen:
                seen.add(source)
                good.append(source)
    return seen
