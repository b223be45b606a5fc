"""The look-up: a walk as its customer saw it, found by the reference code they quote."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse
from django.utils import translation

from portal.content.steps import step_texts
from portal.flows.model import CONTINUE, Flow
from portal.flows.registry import flow_by_id
from portal.tracking.models import FlowSession, SessionEvent, Vote
from portal.tracking.lookup import Found, sessions_by_typed_code  # noqa: F401  (the look-up reads codes the same way)


@dataclass(frozen=True)
class StepLine:
    """One thing the customer did, in their own language."""

    node_id: str
    kind: str  # "answered", "continued", "code_requested"
    title: str
    answer: str
    url: str | None  # the step's permalink in the customer's language; None if the step left the guide
    at: dt.datetime
    seconds: int | None  # time on this step, from reaching it to leaving it


@dataclass(frozen=True)
class VoteLine:
    target_type: str
    title: str
    url: str | None
    helpful: bool
    reason: str
    at: dt.datetime


@dataclass(frozen=True)
class WalkReport:
    session: FlowSession
    flow: Flow | None
    entered_by_link: bool
    entry_title: str
    entry_url: str | None
    lines: tuple[StepLine, ...]
    outcome_title: str
    outcome_url: str | None
    outcome_label: str
    current_version: bool
    votes: tuple[VoteLine, ...]
    #: Seconds from the start to the outcome, when there is one.
    seconds_to_outcome: int | None


def walk_report(session: FlowSession) -> WalkReport:
    """Everything the look-up page shows about one walk (two queries, plus the words when not cached)."""
    flow = flow_by_id(session.flow_id)
    locale = session.locale
    texts = step_texts(flow, locale) if flow else None

    def title(node_id: str) -> str:
        if flow and node_id in flow.nodes:
            return texts[node_id].title
        return node_id

    def label(node_id: str, answer_id: str) -> str:
        if flow and node_id in flow.nodes and answer_id in texts[node_id].answers:
            return texts[node_id].answers[answer_id]
        return answer_id

    def url(node_id: str) -> str | None:
        if not flow or node_id not in flow.nodes:
            return None
        with translation.override(locale):
            return reverse("guide:step", args=[flow.slug, flow.nodes[node_id].slug])

    events = list(session.events.exclude(kind=SessionEvent.Kind.SHOWN).order_by("id"))
    lines = []
    reached_at = session.started_at
    for event in events:
        if event.kind == SessionEvent.Kind.ANSWERED:
            continued = event.answer_id == CONTINUE and flow and event.node_id in flow.nodes and flow.nodes[
                event.node_id].is_info
            lines.append(StepLine(
                node_id=event.node_id,
                kind="continued" if continued else "answered",
                title=title(event.node_id),
                answer="" if continued else label(event.node_id, event.answer_id),
                url=url(event.node_id),
                at=event.at,
                seconds=max(0, round((event.at - reached_at).total_seconds())),
            ))
            reached_at = event.at
        elif event.kind == SessionEvent.Kind.CODE_REQUESTED:
            lines.append(StepLine(event.node_id, "code_requested", title(event.node_id), "", url(event.node_id),
                                  event.at, None))

    votes = tuple(
        VoteLine(
            target_type=vote.target_type,
            title=_vote_title(vote, flow, title),
            url=_vote_url(vote, flow, url, locale),
            helpful=vote.helpful,
            reason=vote.get_reason_display() if vote.reason else "",
            at=vote.created_at,
        )
        for vote in Vote.objects.filter(session=session).order_by("created_at", "id")
    )
    outcome_at = session.outcome_at
    return WalkReport(
        session=session,
        flow=flow,
        entered_by_link=bool(flow) and session.entry_node != flow.start,
        entry_title=title(session.entry_node),
        entry_url=url(session.entry_node),
        lines=tuple(lines),
        outcome_title=title(session.outcome_node) if session.outcome_node else "",
        outcome_url=url(session.outcome_node) if session.outcome_node else None,
        outcome_label=session.get_outcome_kind_display() if session.outcome_kind else "",
        current_version=bool(flow) and session.flow_version == flow.version,
        votes=votes,
        seconds_to_outcome=round((outcome_at - session.started_at).total_seconds()) if outcome_at else None,
    )


def _vote_title(vote: Vote, flow: Flow | None, title) -> str:
    if vote.target_type in (Vote.Target.STEP, Vote.Target.OUTCOME):
        flow_id, _colon, node_id = vote.target_id.partition(":")
        if flow and flow_id == flow.id:
            return title(node_id)
    return vote.target_id


def _vote_url(vote: Vote, flow: Flow | None, url, locale: str) -> str | None:
    if vote.target_type in (Vote.Target.STEP, Vote.Target.OUTCOME):
        flow_id, _colon, node_id = vote.target_id.partition(":")
        return url(node_id) if flow and flow_id == flow.id else None
    return None
