"""The flows of this site, loaded once per process from the folders named in settings."""

from __future__ import annotations

import functools

from django.conf import settings

from .loader import load_flows
from .model import Flow, Node


def _load() -> dict[str, Flow]:
    locales = [code for code, _ in settings.LANGUAGES]
    return load_flows(settings.FLOWS_DIR, settings.KB_DIR, locales)


@functools.cache
def all_flows() -> dict[str, Flow]:
    """Every flow by slug. Raises FlowError; the system check reports the same problems at start."""
    return _load()


def get_flow(slug: str) -> Flow | None:
    return all_flows().get(slug)


def flow_by_id(flow_id: str) -> Flow | None:
    return next((flow for flow in all_flows().values() if flow.id == flow_id), None)


def step_ref(step: str) -> tuple[Flow, Node] | None:
    """The flow and node named by a "flow_id:node_id" reference (as articles and votes name steps), or None.

    A moved id names the node it moved to."""
    flow_id, _colon, node_id = step.partition(":")
    flow = flow_by_id(flow_id)
    node = flow.nodes.get(flow.current_id(node_id)) if flow else None
    return (flow, node) if node else None
