"""A visitor's walks, kept in one signed cookie: the only reader and writer of that cookie.

Per flow (by slug): the tracked session's id (None until a person's POST starts one), its reference code, the
entry node (the start, or the step a link opened) and the list of answers. Never a "current step": the current
node is always resolved by replaying the answers, so back, reload and two tabs just work.

Nothing here writes to the database on a GET: a tracked session starts only from a POST (`walk_begin`,
`walk_answer`, `walk_code_request`, `walk_session_for_vote`); `walk_resume` (a GET) only sets the cookie. A tampered or garbage cookie reads as "no walk".
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.http import HttpRequest, HttpResponse

from portal.flows.model import Flow, Node
from portal.flows.registry import all_flows, step_ref
from portal.flows.resolver import Resolution, Step, answer_step, replay_history, resolve_node
from portal.tracking import services as tracking
from portal.tracking.safety import tracking_write

COOKIE_NAME = "walk"
_SALT = "portal.guide.walks"
#: A walk older than this is forgotten (the tracked session itself follows the retention in purge_sessions).
MAX_AGE = 60 * 60 * 24 * 14
_MAX_ANSWERS = 64  # far more than any path; a longer list is not ours
_CACHE_ATTR = "_portal_walks"
_DIRTY_ATTR = "_portal_walks_dirty"


@dataclass
class Walk:
    session_id: str | None
    ref_code: str
    entry: str
    answers: list[Step] = field(default_factory=list)
    #: The node ids of the walk that "start again" threw away: opening one of them again (browser Back) returns to
    #: this walk instead of showing it as a page opened from a link.
    discarded: list[str] = field(default_factory=list)

    @property
    def tracked(self) -> bool:
        return bool(self.session_id)


@dataclass(frozen=True)
class Position:
    """Where a requested step stands for this visitor."""

    #: The walk to show the step in: the visitor's walk when it contains the step, otherwise a walk entered
    #: at the step (not stored, not tracked: the page was opened from a link).
    walk: Walk
    resolution: Resolution
    #: The step is on the path of the visitor's stored walk.
    on_walk: bool
    #: The visitor's stored walk when the step is not on it (so the page can offer to resume it).
    other: Walk | None = None
    other_resolution: Resolution | None = None


@dataclass(frozen=True)
class AnswerResult:
    """Where to go after an answer: the next node, or (stale tab) back to the walk's own current node."""

    node: Node
    stale: bool = False


# Reading and writing the cookie ------------------------------------------------------------------------------


def _read(request: HttpRequest) -> dict[str, dict]:
    if not hasattr(request, _CACHE_ATTR):
        walks: dict[str, dict] = {}
        raw = request.COOKIES.get(COOKIE_NAME)
        if raw:
            try:
                data = signing.loads(raw, salt=_SALT, max_age=MAX_AGE)
            except (signing.BadSignature, ValueError, TypeError, UnicodeError):
                data = None  # tampered, expired or garbage: no walk, never an error
            if isinstance(data, dict):
                walks = {slug: value for slug, value in data.items() if isinstance(value, dict)}
        setattr(request, _CACHE_ATTR, walks)
    return getattr(request, _CACHE_ATTR)


def _parse(data: dict) -> Walk | None:
    sid, ref, entry, answers = data.get("sid"), data.get("ref", ""), data.get("entry"), data.get("answers", [])
    if not (sid is None or isinstance(sid, str)) or not isinstance(ref, str) or not isinstance(entry, str):
        return None
    if not isinstance(answers, list) or len(answers) > _MAX_ANSWERS:
        return None
    steps = []
    for step in answers:
        if not (isinstance(step, list) and len(step) == 2 and all(isinstance(part, str) for part in step)):
            return None
        steps.append((step[0], step[1]))
    discarded = data.get("discarded", [])
    if not (isinstance(discarded, list) and len(discarded) <= _MAX_ANSWERS and all(isinstance(d, str) for d in discarded)):
        discarded = []
    return Walk(session_id=sid or None, ref_code=ref if sid else "", entry=entry, answers=steps,
                discarded=discarded)


def walk_load(request: HttpRequest, flow: Flow) -> Walk | None:
    """The visitor's walk of `flow` from their cookie, or None (none, tampered, or its entry is not a node)."""
    data = _read(request).get(flow.slug)
    walk = _parse(data) if data is not None else None
    if walk is None or walk.entry not in flow.nodes:
        return None
    return walk


def walk_save(request: HttpRequest, flow: Flow, walk: Walk) -> None:
    """Stages the walk; `remember_walks` writes the cookie on the response."""
    _read(request)[flow.slug] = {
        "sid": walk.session_id,
        "ref": walk.ref_code,
        "entry": walk.entry,
        "answers": [list(step) for step in walk.answers],
        **({"discarded": walk.discarded} if walk.discarded else {}),
    }
    setattr(request, _DIRTY_ATTR, True)


def _write(request: HttpRequest, response: HttpResponse) -> None:
    if not getattr(request, _DIRTY_ATTR, False):
        return
    known = all_flows()
    walks = {slug: data for slug, data in _read(request).items() if slug in known}
    response.set_cookie(
        COOKIE_NAME,
        signing.dumps(walks, salt=_SALT, compress=True),
        max_age=MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def remember_walks(view):
    """Decorator for the views that change a walk (all POSTs): writes the walk cookie on their response."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        _write(request, response)
        return response

    return wrapper


# Reading a walk for a page ------------------------------------------------------------------------------------


def walk_position(flow: Flow, node: Node, request: HttpRequest) -> Position:
    """Resolves the visitor's walk and says whether `node` is on it. Reads the cookie only: no database."""
    walk = walk_load(request, flow)
    resolution = resolve_node(flow, walk.answers, walk.entry) if walk else None
    if walk is not None and node.id in resolution.path:
        return Position(walk=walk, resolution=resolution, on_walk=True)
    entered = Walk(session_id=None, ref_code="", entry=node.id)
    return Position(walk=entered, resolution=resolve_node(flow, [], node.id), on_walk=False,
                    other=walk, other_resolution=resolution)


def walk_resume(request: HttpRequest, flow: Flow, *, session_id: str, ref_code: str, entry: str,
                history: list[Step]) -> Node:
    """Makes a tracked walk, found by its reference code, the visitor's walk of `flow` again (the "resume" box).

    Only the cookie changes (a GET may set a cookie; it writes nothing to the database): the next answer is recorded
    in that same tracked session. Returns the step the walk is at, after replaying its recorded answers.
    """
    entry = flow.current_id(entry)
    if entry not in flow.nodes:
        entry = flow.start
    walk = Walk(session_id=session_id, ref_code=ref_code, entry=entry,
                answers=list(replay_history(flow, history, entry)))
    walk_save(request, flow, walk)
    return resolve_node(flow, walk.answers, walk.entry).current


# The POSTs that move a walk ----------------------------------------------------------------------------------


def walk_begin(request: HttpRequest, flow: Flow, *, entry: str, locale: str, restart: bool = False) -> Walk:
    """A new walk with a new tracked session, entered at `entry` (the Start button, or a first answer / vote /
    code request on a step opened from a link). Replaces the visitor's walk of this flow; with `restart` ("start
    again"), it remembers the steps of the walk it replaces (see Walk.discarded)."""
    old = walk_load(request, flow) if restart else None
    discarded = list(resolve_node(flow, old.answers, old.entry).path) if old else []
    session = _session_start(flow_id=flow.id, flow_version=flow.version, locale=locale, entry_node=entry)
    # Without the database the walk starts untracked; its next answer tries to start the session again.
    walk = Walk(session_id=str(session.pk) if session else None, ref_code=session.ref_code if session else "",
                entry=entry, discarded=discarded)
    walk_save(request, flow, walk)
    return walk


@tracking_write()
def _session_start(**fields):
    return tracking.session_start(**fields)


def walk_answer(request: HttpRequest, flow: Flow, node: Node, answer_id: str, *, locale: str,
                from_link: bool) -> AnswerResult:
    """Applies a valid answer to `node` and records it. `from_link`: the page was shown as opened from a link.

    - The node is on the walk: the answer replaces the one there (later answers drop). The same answer posted
      again (reload, double submit) changes and records nothing.
    - No walk, or the page was opened from a link: a new walk, entered at this node, with a new tracked session.
    - Otherwise the tab is stale (the walk moved on in another tab): nothing changes, and the visitor is sent
      back to where their walk is, so a stale tab never throws a walk away.
    """
    target = flow.nodes[node.target(answer_id)]
    position = walk_position(flow, node, request)
    if position.on_walk:
        walk = position.walk
        if position.resolution.answer_at(node.id) == answer_id and walk.tracked:
            if not position.resolution.valid:  # keep the repaired answers
                walk.answers = list(position.resolution.answers)
                walk_save(request, flow, walk)
            return AnswerResult(node=target)
        walk.answers = list(answer_step(position.resolution, node.id, answer_id))
    elif position.other is None or from_link:
        walk = Walk(session_id=None, ref_code="", entry=node.id, answers=[(node.id, answer_id)])
    else:
        if not position.other_resolution.valid:
            position.other.answers = list(position.other_resolution.answers)
            walk_save(request, flow, position.other)
        return AnswerResult(node=position.other_resolution.current, stale=True)

    _track_answer(flow, walk, node, answer_id, target, locale=locale)
    walk_save(request, flow, walk)
    return AnswerResult(node=target)


@tracking_write()  # the database is down: the answer still moves the walk (in its cookie), untracked
def _track_answer(flow: Flow, walk: Walk, node: Node, answer_id: str, target: Node, *, locale: str) -> None:
    """One transaction: a tracked walk's answer is at most three statements (services.answer_record); the first
    answer of a walk without a session starts it with the answer in it (services.session_start)."""
    outcome = target.outcome.value if target.outcome else ""
    with transaction.atomic():
        for _attempt in range(2):
            if not walk.tracked:  # the first answer of a walk entered by link, or its tracked session was purged
                session = tracking.session_start(flow_id=flow.id, flow_version=flow.version, locale=locale,
                                                 entry_node=walk.entry,
                                                 answer=(node.id, answer_id, target.id, outcome))
                walk.session_id, walk.ref_code = str(session.pk), session.ref_code
                return
            if tracking.answer_record(session_id=walk.session_id, node_id=node.id, answer_id=answer_id,
                                      target_node=target.id, outcome_kind=outcome):
                return
            walk.session_id = None


def walk_code_request(request: HttpRequest, flow: Flow, node: Node, *, locale: str) -> Walk:
    """ "Get a reference code" on an outcome: the walk that contains it if it is tracked, else a new tracked
    session entered by link at this outcome (with its `code_requested` event)."""
    position = walk_position(flow, node, request)
    if position.on_walk and position.walk.tracked:
        return position.walk
    session = tracking.code_request(flow_id=flow.id, flow_version=flow.version, locale=locale, node_id=node.id,
                                    outcome_kind=node.outcome.value)
    walk = Walk(session_id=str(session.pk), ref_code=session.ref_code, entry=node.id)
    walk_save(request, flow, walk)
    return walk


def walk_session_for_vote(request: HttpRequest, target: str, *, locale: str) -> str | None:
    """The tracked session a vote on `target` ("step:flow:node", "outcome:flow:node", "article:…") belongs to.

    A vote on a step of the visitor's walk joins that walk's session (starting it if it has none). A vote on a
    step opened from a link, with no walk of that flow yet, starts a session entered there (a person's POST).
    A vote elsewhere (an article, or a step away from the visitor's walk) belongs to no session.
    """
    kind, _colon, ref = target.partition(":")
    found = step_ref(ref) if kind in ("step", "outcome") else None
    if found is None:
        return None
    flow, node = found
    position = walk_position(flow, node, request)
    if position.on_walk:
        walk = position.walk
        if not walk.tracked:
            session = tracking.session_start(flow_id=flow.id, flow_version=flow.version, locale=locale,
                                             entry_node=walk.entry)
            walk.session_id, walk.ref_code = str(session.pk), session.ref_code
            walk_save(request, flow, walk)
        return walk.session_id
    if position.other is not None:
        return None
    return walk_begin(request, flow, entry=node.id, locale=locale).session_id
