"""A layered drawing of a flow, computed from the flow data in pure Python (no Django, no I/O).

Layers are columns, left to right: a node sits one column after the furthest of its predecessors (longest path
from the start), so every edge points right. Within a column, nodes are ordered by the mean position of their
neighbours (a few barycenter sweeps down and up), which keeps crossings few on flows of this size.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.flows.model import CONTINUE, Flow

NODE_WIDTH = 210
NODE_HEIGHT = 74
COLUMN_GAP = 150
ROW_GAP = 22
MARGIN = 16
SWEEPS = 4


@dataclass(frozen=True)
class PlacedNode:
    id: str
    layer: int
    x: float
    y: float

    @property
    def centre_y(self) -> float:
        return self.y + NODE_HEIGHT / 2


@dataclass(frozen=True)
class PlacedEdge:
    source: str
    target: str
    answer: str  # the answer id, or CONTINUE after an info node
    x1: float
    y1: float
    x2: float
    y2: float

    @property
    def path(self) -> str:
        """A smooth curve from the source's right side to the target's left side."""
        bend = max(40.0, (self.x2 - self.x1) / 2)
        return (f"M{self.x1:.1f},{self.y1:.1f} C{self.x1 + bend:.1f},{self.y1:.1f} "
                f"{self.x2 - bend:.1f},{self.y2:.1f} {self.x2:.1f},{self.y2:.1f}")

    @property
    def label_x(self) -> float:
        return self.x2 - COLUMN_GAP + 6

    @property
    def label_y(self) -> float:
        """Just above the arrow's end, where the curve runs level: targets are apart, so labels never overlap
        there (edges fanning out of one question would, near their source)."""
        return self.y2 - 5


@dataclass(frozen=True)
class Layout:
    nodes: dict[str, PlacedNode]
    edges: tuple[PlacedEdge, ...]
    width: float
    height: float
    layers: tuple[tuple[str, ...], ...]


def edges_of(flow: Flow) -> list[tuple[str, str, str]]:
    """(source, target, answer id) for every edge of the flow, in flow order of sources and answer order."""
    result = []
    for node in flow.nodes.values():
        if node.is_info and node.next:
            result.append((node.id, node.next, CONTINUE))
        for answer in node.answers:
            result.append((node.id, answer.next, answer.id))
    return result


def layer_nodes(flow: Flow) -> dict[str, int]:
    """Longest-path layering from the start (the validator guarantees an acyclic flow reachable from it)."""
    predecessors: dict[str, list[str]] = {node_id: [] for node_id in flow.nodes}
    for source, target, _answer in edges_of(flow):
        predecessors[target].append(source)
    layers: dict[str, int] = {}

    def layer(node_id: str) -> int:
        if node_id not in layers:
            layers[node_id] = 1 + max((layer(p) for p in predecessors[node_id]), default=-1)
        return layers[node_id]

    for node_id in flow.nodes:
        layer(node_id)
    return layers


def layout(flow: Flow) -> Layout:
    layer_of = layer_nodes(flow)
    edges = edges_of(flow)
    count = max(layer_of.values()) + 1
    columns: list[list[str]] = [[] for _ in range(count)]
    for node_id in flow.nodes:  # file order as the first guess
        columns[layer_of[node_id]].append(node_id)
    successors: dict[str, list[str]] = {n: [] for n in flow.nodes}
    predecessors: dict[str, list[str]] = {n: [] for n in flow.nodes}
    for source, target, _answer in edges:
        successors[source].append(target)
        predecessors[target].append(source)

    def position(column: list[str]) -> dict[str, float]:
        return {node_id: index for index, node_id in enumerate(column)}

    for _ in range(SWEEPS):
        for neighbours, indices in ((predecessors, range(1, count)), (successors, range(count - 2, -1, -1))):
            for index in indices:
                placed = {}
                for column in columns:
                    placed.update(position(column))
                current = position(columns[index])

                def key(node_id: str) -> tuple[float, float]:
                    around = [placed[n] for n in neighbours[node_id]]
                    return (sum(around) / len(around) if around else current[node_id], current[node_id])

                columns[index].sort(key=key)

    tallest = max(len(column) for column in columns)
    full_height = tallest * (NODE_HEIGHT + ROW_GAP) - ROW_GAP
    nodes: dict[str, PlacedNode] = {}
    for layer, column in enumerate(columns):
        column_height = len(column) * (NODE_HEIGHT + ROW_GAP) - ROW_GAP
        offset = MARGIN + (full_height - column_height) / 2
        for row, node_id in enumerate(column):
            nodes[node_id] = PlacedNode(
                id=node_id, layer=layer,
                x=MARGIN + layer * (NODE_WIDTH + COLUMN_GAP),
                y=offset + row * (NODE_HEIGHT + ROW_GAP),
            )
    placed_edges = tuple(
        PlacedEdge(
            source=source, target=target, answer=answer,
            x1=nodes[source].x + NODE_WIDTH, y1=nodes[source].centre_y,
            x2=nodes[target].x, y2=nodes[target].centre_y,
        )
        for source, target, answer in edges
    )
    return Layout(
        nodes=nodes,
        edges=placed_edges,
        width=2 * MARGIN + count * NODE_WIDTH + (count - 1) * COLUMN_GAP,
        height=2 * MARGIN + full_height,
        layers=tuple(tuple(column) for column in columns),
    )
