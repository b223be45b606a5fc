"""The flows of this site, loaded once per process from the folders named in settings."""

from __future__ import annotations

import functools

from django.conf import settings

from .loader import load_flows
from .model import Flow


def _load() -> dict[str, Flow]:
    locales = [code for code, _ in settings.LANGUAGES]
    return load_flows(settings.FLOWS_DIR, settings.KB_DIR, locales)


@functools.cache
def all_flows() -> dict[str, Flow]:
    """Every flow by slug. Raises FlowError; the system check reports the same problems at start."""
    return _load()


def get_flow(slug: str) -> Flow | None:
    return all_flows().get(slug)
