"""A visitor's walk, kept in their Django session: the tracked session's id and the list of answers.

Never a "current step": the current node is always resolved by replaying the answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import HttpRequest

from portal.flows.model import Flow
from portal.flows.resolver import Step
from portal.tracking import services as tracking
from portal.tracking.feedback import WALK_SESSION_KEY

SESSION_KEY = "walks"


@dataclass
class Walk:
    session_id: str
    ref_code: str
    entry: str
    answers: list[Step] = field(default_factory=list)
    #: The node ids of the walk that "start again" threw away: opening one of them again (browser Back) returns to
    #: this walk instead of starting a new one as if from a link.
    discarded: list[str] = field(default_factory=list)


def walk_load(request: HttpRequest, flow: Flow) -> Walk | None:
    """The visitor's walk of `flow`, or None if there is none or its tracked session is gone."""
    data = request.session.get(SESSION_KEY, {}).get(flow.slug)
    if not isinstance(data, dict):
        return None
    try:
        walk = Walk(
            session_id=str(data["sid"]),
            ref_code=str(data["ref"]),
            entry=str(data["entry"]),
            answers=[tuple(step) for step in data.get("answers", [])],
            discarded=[str(node_id) for node_id in data.get("discarded", [])],
        )
    except (KeyError, TypeError):
        return None
    if not tracking.session_touch(session_id=walk.session_id):
        return None
    return walk


def walk_save(request: HttpRequest, flow: Flow, walk: Walk) -> None:
    walks = request.session.get(SESSION_KEY, {})
    walks[flow.slug] = {
        "sid": walk.session_id,
        "ref": walk.ref_code,
        "entry": walk.entry,
        "answers": [list(step) for step in walk.answers],
        **({"discarded": walk.discarded} if walk.discarded else {}),
    }
    request.session[SESSION_KEY] = walks
    request.session[WALK_SESSION_KEY] = walk.session_id  # votes cast now belong to this walk


def walk_begin(
    request: HttpRequest, flow: Flow, *, entry: str, locale: str, discarded: tuple[str, ...] = ()
) -> Walk:
    """A new walk with a new tracked session, entered at `entry` (the start or a deep link); `discarded` names the
    steps of the walk it replaces after "start again"."""
    session = tracking.session_start(flow_id=flow.id, flow_version=flow.version, locale=locale, entry_node=entry)
    walk = Walk(session_id=str(session.pk), ref_code=session.ref_code, entry=entry, discarded=list(discarded))
    walk_save(request, flow, walk)
    return walk
