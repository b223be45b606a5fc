"""Reads a flow's structure from kb/flows/ and builds an immutable, validated Flow (no words: see content/words.py)."""

from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from .model import Answer, Channel, Flow, Node, NodeType, Outcome, Tool
from .validator import Problem, moved_problems, resolve_moved, structure_problems


class FlowError(Exception):
    """A flow that cannot be used; `problems` says why, each naming its file and node."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def load_flows(flows_dir: Path) -> dict[str, Flow]:
    """Every kb/flows/*.toml, keyed by slug. Raises FlowError with all problems of all flows."""
    flows: dict[str, Flow] = {}
    problems: list[Problem] = []
    for path in sorted(Path(flows_dir).glob("*.toml")):
        try:
            flow = load_flow(path)
        except FlowError as error:
            problems.extend(error.problems)
            continue
        if flow.slug in flows:
            problems.append(Problem(path, f"slug '{flow.slug}' is already used by {flows[flow.slug].source}"))
        flows[flow.slug] = flow
    if problems:
        raise FlowError(problems)
    return flows


def load_flow(path: Path) -> Flow:
    path = Path(path)
    raw_bytes = path.read_bytes()
    data = _parse(path, raw_bytes)
    problems: list[Problem] = []
    flow_id = _text(data, "id", path, problems)
    slug = data.get("slug") or flow_id.replace("_", "-")
    start = _text(data, "start", path, problems)
    nodes = [_node(raw, path, problems) for raw in _list(data, "nodes", path, problems)]
    nodes = [node for node in nodes if node is not None]
    moved = _moved(data, path, problems)
    if problems:
        raise FlowError(problems)
    problems.extend(structure_problems(path, start, nodes))
    by_id = {node.id: node for node in nodes}
    problems.extend(moved_problems(path, moved, by_id))
    if problems:
        raise FlowError(problems)

    return Flow(
        id=flow_id,
        slug=slug,
        start=start,
        nodes=MappingProxyType(by_id),
        version=hashlib.sha256(raw_bytes).hexdigest()[:12],
        source=path,
        depth=MappingProxyType(_depths(by_id)),
        moved=MappingProxyType(resolve_moved(moved, by_id)),
    )


def _parse(path: Path, raw_bytes: bytes) -> dict[str, Any]:
    try:
        return tomllib.loads(raw_bytes.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise FlowError([Problem(path, f"not valid TOML: {error}")]) from error


def _text(data: Mapping[str, Any], key: str, path: Path, problems: list[Problem], node: str | None = None) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        problems.append(Problem(path, f"'{key}' must be a non-empty string", node))
        return ""
    return value


def _list(data: Mapping[str, Any], key: str, path: Path, problems: list[Problem]) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        problems.append(Problem(path, f"'{key}' must be a list"))
        return []
    return value


def _node(raw: Any, path: Path, problems: list[Problem]) -> Node | None:
    if not isinstance(raw, dict):
        problems.append(Problem(path, "every [[nodes]] entry must be a table"))
        return None
    node_id = _text(raw, "id", path, problems)
    type_name = raw.get("type")
    if type_name not in NodeType._value2member_map_:
        problems.append(Problem(path, f"unknown node type {type_name!r}", node_id or None))
        return None
    node_type = NodeType(type_name)
    tools = _tools(raw, path, problems, node_id)
    names_reason = raw.get("reason", False)
    if not isinstance(names_reason, bool):
        problems.append(Problem(path, "'reason' must be true or false", node_id))
    names_reason = names_reason is True
    if node_type is NodeType.OUTCOME:
        kind = raw.get("outcome")
        if kind not in Outcome._value2member_map_:
            allowed = ", ".join(o.value for o in Outcome)
            problems.append(Problem(path, f"unknown outcome kind {kind!r} (use one of: {allowed})", node_id))
            return None
        channel = raw.get("channel", Channel.PLATFORM.value)
        if channel not in Channel._value2member_map_:
            allowed = ", ".join(c.value for c in Channel)
            problems.append(Problem(path, f"unknown channel {channel!r} (use one of: {allowed})", node_id))
            return None
        return Node(id=node_id, type=node_type, outcome=Outcome(kind), tools=tools, names_reason=names_reason,
                    channel=Channel(channel))
    if "channel" in raw:
        problems.append(Problem(path, "'channel' belongs on an outcome (it picks the outcome's ready text)", node_id))
    if node_type is NodeType.INFO:
        return Node(id=node_id, type=node_type, next=raw.get("next"), tools=tools, names_reason=names_reason)
    answers = []
    for answer in raw.get("answers", []):
        if not isinstance(answer, dict) or not answer.get("id") or not answer.get("next"):
            problems.append(Problem(path, "every answer needs an 'id' and a 'next'", node_id))
            continue
        items = answer.get("items", [])
        if node_type is NodeType.QUESTION and "items" in answer:
            problems.append(Problem(path, f"answer '{answer['id']}': only a checklist's answers have items", node_id))
        elif not (isinstance(items, list) and all(isinstance(item, str) and item for item in items)):
            problems.append(Problem(path, f"answer '{answer['id']}': 'items' must be a list of ids", node_id))
            items = []
        no_reason = answer.get("no_reason", False)
        if not isinstance(no_reason, bool):
            problems.append(Problem(path, "'no_reason' must be true or false", node_id))
        answers.append(Answer(id=answer["id"], next=answer["next"], items=tuple(items),
                              no_reason=no_reason is True))
    return Node(id=node_id, type=node_type, answers=tuple(answers), tools=tools, names_reason=names_reason)


def _tools(raw: Mapping[str, Any], path: Path, problems: list[Problem], node_id: str) -> tuple[Tool, ...]:
    """`tools = ["website_check", ...]`: the helpers shown under the node's text."""
    value = raw.get("tools", [])
    if not isinstance(value, list):
        problems.append(Problem(path, "'tools' must be a list", node_id))
        return ()
    tools = []
    for name in value:
        if name not in Tool._value2member_map_:
            allowed = ", ".join(t.value for t in Tool)
            problems.append(Problem(path, f"unknown tool {name!r} (use one of: {allowed})", node_id))
        elif Tool(name) not in tools:
            tools.append(Tool(name))
    return tuple(tools)


def _moved(data: Mapping[str, Any], path: Path, problems: list[Problem]) -> dict[str, str]:
    """The `[moved]` table: old id = "new id", for every renamed or removed step (its permalink redirects)."""
    table = data.get("moved", {})
    if not isinstance(table, dict):
        problems.append(Problem(path, "[moved] must be a table of old_id = \"new_id\""))
        return {}
    moved = {}
    for old_id, new_id in table.items():
        if not isinstance(new_id, str) or not new_id:
            problems.append(Problem(path, "[moved] needs the new id as a non-empty string", old_id))
        else:
            moved[old_id] = new_id
    return moved


def _depths(by_id: Mapping[str, Node]) -> dict[str, int]:
    """Longest number of answers from each node to an outcome (the graph is acyclic by now). Iterative, so a
    very long flow does not hit Python's recursion limit; each node and edge is looked at once."""
    graph = {node_id: node.successors() for node_id, node in by_id.items()}
    depth: dict[str, int] = {}
    for root in graph:
        if root in depth:
            continue
        stack = [root]
        while stack:
            node_id = stack[-1]
            if node_id in depth:
                stack.pop()
                continue
            successors = graph[node_id]
            pending = [t for t in successors if t not in depth]
            if pending:
                stack.extend(pending)
                continue
            depth[node_id] = 1 + max(depth[t] for t in successors) if successors else 0
            stack.pop()
    return depth
