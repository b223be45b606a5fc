"""The walk: look up the flow and node, replay the answers, render one template (or its #step partial)."""

from __future__ import annotations

import logging
import functools
from dataclasses import dataclass, fields, replace
from html import unescape

from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.urls import get_script_prefix, reverse
from django.utils.functional import cached_property
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.vary import vary_on_headers

from portal.content.articles import home_topics
from portal.content.guides import guide_cards
from portal.content.markdown import split_sources
from portal.content.sources import source_from
from portal.content.steps import StepText, StepTexts, step_texts
from portal.flows.model import NOTHING_TICKED, Flow, Node, Outcome
from portal.flows.registry import flow_by_id, get_flow
from portal.flows.resolver import resolve_node
from portal import pagecache
from portal.crossorigin import cross_origin_protected
from portal.pagecache import cached_page
from portal.http import method_not_allowed, permanent_redirect_keep_method, see_other
from portal.errors import bad_request_page
from portal.toolkit.ics import reminder_ics
from portal.tracking import services as tracking
from portal.tracking.feedback import feedback_state
from portal.tracking.lookup import session_history, sessions_by_typed_code

from . import tools as step_tools_module
from .forms import AnswerForm
from .walks import (Position, remember_walks, walk_answer, walk_begin, walk_code_request, walk_load, walk_position,
                    walk_resume)

logger = logging.getLogger(__name__)


#: The home page lists the most helpful articles first: votes do not replace the revision token, so a stored home
#: page picks up a new order within this many seconds (an edit shows at once).
HOME_CACHE_SECONDS = 600


@cached_page(timeout=HOME_CACHE_SECONDS)
def home(request: HttpRequest) -> HttpResponse:
    locale = get_language()
    return render(request, "home.html", {"guides": guide_cards(locale), "topics": home_topics(locale)})


#: The longest text the resume box reads; anything longer cannot be a code.
MAX_TYPED_CODE = 64


@remember_walks
def resume(request: HttpRequest) -> HttpResponse:
    """GET /resume/?code=…: the walk behind a reference code becomes the visitor's walk again, at its last step.

    Reads only: the code is looked up the staff look-up's tolerant way, and only the walk cookie is set (the next
    answer goes on being recorded in that session). It shows the guide step, nothing else of the session. Without a
    code: the box. A malformed code is a 400, an unknown one a 404, both with the box and a message saying so.
    """
    if request.method not in ("GET", "HEAD"):
        return method_not_allowed(request, ["GET", "HEAD"])
    typed = request.GET.get("code")
    if typed is None:
        return _resume_page(request, "", None, 200)
    typed = typed.strip()[:MAX_TYPED_CODE]
    try:
        found = sessions_by_typed_code(typed)
        session = found.sessions[0] if len(found.sessions) == 1 else None
        flow = flow_by_id(session.flow_id) if session else None
        history = session_history(session) if flow else []
    except DatabaseError:
        logger.warning("resume: the database is unavailable", exc_info=True)
        return _resume_page(request, typed, "unavailable", 503)
    if not typed:
        return _resume_page(request, typed, "empty", 400)
    if not found.well_formed:
        return _resume_page(request, typed, "malformed", 400)
    if len(found.sessions) > 1:
        return _resume_page(request, typed, "several", 400)
    if flow is None:
        return _resume_page(request, typed, "unknown", 404)
    node = walk_resume(request, flow, session_id=str(session.pk), ref_code=session.ref_code,
                       entry=session.entry_node, history=history)
    response = redirect(node_url(flow, node))
    patch_cache_control(response, private=True, no_store=True)
    return response


def _resume_page(request: HttpRequest, typed: str, problem: str | None, status: int) -> HttpResponse:
    response = render(request, "guide/resume.html", {"typed": typed, "problem": problem}, status=status)
    patch_cache_control(response, private=True, no_store=True)
    return response


@cross_origin_protected
@remember_walks
def flow_start(request: HttpRequest, flow_slug: str) -> HttpResponse:
    """GET: the guide's first step. POST ("start" / "start again"): a new tracked walk from the first step."""
    if request.method not in ("GET", "HEAD", "POST"):
        return method_not_allowed(request, ["GET", "HEAD", "POST"])
    flow = _flow_or_404(flow_slug)
    if request.method == "POST":
        walk_begin(request, flow, entry=flow.start, locale=get_language(), restart=True)
        return see_other(node_url(flow, flow.nodes[flow.start]))
    return redirect(node_url(flow, flow.nodes[flow.start]))


@vary_on_headers("HX-Request")
def restart_confirm(request: HttpRequest, flow_slug: str) -> HttpResponse:
    """GET: "start again?" with the way back to the step the walk is at; the form POSTs to flow_start."""
    if request.method not in ("GET", "HEAD"):
        return method_not_allowed(request, ["GET", "HEAD"])
    flow = _flow_or_404(flow_slug)
    walk = walk_load(request, flow)
    current = resolve_node(flow, walk.answers, walk.entry).current if walk else flow.nodes[flow.start]
    context = {
        "flow": flow,
        "start_url": reverse("guide:flow", args=[flow.slug]),
        "return_url": node_url(flow, current),
    }
    template = "guide/restart.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#step"
    response = render(request, template, context)
    patch_cache_control(response, private=True, no_store=True)
    return response


@cross_origin_protected
@vary_on_headers("HX-Request")
@remember_walks
def step(request: HttpRequest, flow_slug: str, node_slug: str) -> HttpResponse:
    """GET shows a step (writing nothing but the link-open counter); POST answers it."""
    if request.method not in ("GET", "HEAD", "POST"):
        return method_not_allowed(request, ["GET", "HEAD", "POST"])
    flow = _flow_or_404(flow_slug)
    node = flow.node_by_slug(node_slug)
    if node is None:
        return _moved_step(request, flow, node_slug)
    if request.method == "POST":
        return _answer(request, flow, node)
    return _show(request, flow, node)


def _show(request: HttpRequest, flow: Flow, node: Node, form: AnswerForm | None = None,
          status: int = 200) -> HttpResponse:
    locale = get_language()
    position = walk_position(flow, node, request)
    if not position.on_walk and position.other is not None and node.id in position.other.discarded:
        # Browser Back after "start again": the visitor's walk is the new one, not a page opened from a link.
        return redirect(node_url(flow, position.other_resolution.current))
    tools_query = node.id != flow.start and step_tools_module.uses_tools(node, request.GET)
    if not position.on_walk and node.id != flow.start and request.method == "GET" and not tools_query:
        # Opened from a link (or away from the visitor's walk): counted in aggregate, no session. A tool's own
        # GET form on that page is the same visitor again, not a new open.
        tracking.link_open_count(flow_id=flow.id, node_id=node.id, locale=locale)
    texts = step_texts(flow, locale)
    page = StepPage.build(flow, node, texts, position, locale, stale=request.GET.get("stale") == "1")
    shared = _shared_step(request, node, form, tools_query)
    # Only signed-in staff see the copy-link bar (a shared page is never a signed-in visitor's).
    staff = not shared and request.user.is_staff
    key = _step_key(request, page, position) if shared else None
    if key is not None:
        entry = pagecache.lookup(key)
        if entry is not None:
            return _step_response(request, entry, position)
    if page.ref_code:  # rendered as its slot, stored or not: the code is never compressed with anything else
        page = replace(page, ref_code=REF_CODE_SLOT)
    if form is None:
        form = AnswerForm(node, initial={"answer": position.resolution.answer_at(node.id)})  # a checklist: unticked
    tools = step_tools_module.step_tools(
        flow=flow, node=node, query=request.GET, answers=position.resolution.answers[:page.number - 1],
        texts_for=lambda code: texts if code == locale else step_texts(flow, code), locale=locale,
        reminder_url=guide_url("guide:reminder", flow.slug, node.slug),
    )
    if tools is not None and tools.has_errors and status == 200:
        status = 400  # the tool's form says what is wrong; the rest of the page is there as usual
    template = "guide/step.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#step"
    staff_permalink = request.build_absolute_uri(page.url) if staff else ""
    response = render(request, template, {"page": page, "form": form, "staff_permalink": staff_permalink,
                                          "tools": tools}, status=status)
    if key is not None:
        # A date counted from now is never stored (counts_from_now keeps such steps out; this holds if it misses one).
        entry = None if tools is not None and tools.time_dependent else pagecache.store(
            request, response, key, STEP_CACHE_SECONDS, slots={REF_CODE: REF_CODE_LENGTH})
        if entry is not None:
            return _step_response(request, entry, position)
    # Not stored: this response alone, its code filled in apart from the rest of the page (pagecache.seal).
    response = pagecache.seal(request, response, {REF_CODE: position.walk.ref_code})
    return _private(response, position.on_walk or staff or tools_query or (tools is not None and tools.time_dependent))


#: How long a stored step page is kept (a new revision token, build or view state is a new key anyway).
STEP_CACHE_SECONDS = 60 * 60 * 24
#: The one per-walk secret of a step page: its walk's reference code, filled in per response (portal/pagecache.py).
REF_CODE = "ref_code"
REF_CODE_SLOT = pagecache.slot(REF_CODE)
REF_CODE_LENGTH = len("ABCD-2345")  # tracking/refcodes.py: two groups of four
#: The only query a stored step page may have (`stale=1`: the notice after a stale tab's answer), with its value.
SHARED_QUERY = {"stale": "1"}


def _shared_step(request: HttpRequest, node: Node, form: AnswerForm | None, tools_query: bool) -> bool:
    """The page is a function of the key of `_step_key` (and the walk's code, filled in per response): a GET of a
    visitor whose page is not their own (no session: never staff, whose page has the copy-link bar; no message
    waiting; the vote is in the key), without a tool's input or any other query than `stale=1` (the key has the query string: any other would
    make a stored page per made-up query, each compressed at Brotli's best once) and on a step that counts no
    date from now."""
    return (form is None and pagecache.anonymous_get(request, keyed=("votes",)) and not tools_query
            and pagecache.stored_query(request, SHARED_QUERY)
            and not step_tools_module.counts_from_now(node))


def _step_key(request: HttpRequest, page: StepPage, position: Position) -> str | None:
    """The page cache key of a shared step page: the page cache's key (build, language, revision, htmx, path and
    query) and the walk's view state (StepPage.view_state, the answer checked here, the visitor's vote on an
    outcome). None when the revision token cannot be read (the page is rendered as usual)."""
    state = [*page.view_state(), ("answers", position.resolution.answers[:page.number - 1]),
             ("answer", position.resolution.answer_at(page.node.id))]
    if page.node.is_outcome:
        vote = feedback_state(request, page.feedback_target)
        state.append(("vote", vote.helpful, bool(vote.reason)))
    try:
        return pagecache.page_key(request, repr(state))
    except DatabaseError:
        return None


def _step_response(request: HttpRequest, entry: dict, position: Position) -> HttpResponse:
    private = position.on_walk
    response = pagecache.respond(request, entry, {REF_CODE: position.walk.ref_code}, conditional=not private)
    return _private(response, private)


def _private(response: HttpResponse, private: bool) -> HttpResponse:
    patch_vary_headers(response, ["Cookie"])  # the walk cookie decides what the page shows
    if private:
        # The visitor's answers or code, what they typed in a tool, or a date counted from now: no browser or
        # proxy keeps it (the server's page cache keeps the page with the code as a slot, never the code).
        patch_cache_control(response, private=True, no_store=True)
    return response


def _answer(request: HttpRequest, flow: Flow, node: Node) -> HttpResponse:
    form = AnswerForm(node, data=request.POST)
    if not form.is_valid():
        return _show(request, flow, node, form=form, status=400)
    result = walk_answer(request, flow, node, form.cleaned_data["answer"], locale=get_language(),
                         from_link=request.POST.get("from_link") == "1")
    url = node_url(flow, result.node)
    if result.stale:
        return see_other(f"{url}?stale=1")
    carried = step_tools_module.carried_query(result.node, request.POST)
    return see_other(f"{url}?{carried}" if carried else url)


@cross_origin_protected
@remember_walks
def code_request(request: HttpRequest, flow_slug: str, node_slug: str) -> HttpResponse:
    """POST "Get a reference code for support" on an outcome opened from a link: starts its tracked session."""
    if request.method != "POST":
        return method_not_allowed(request, ["POST"])
    flow, node = _step_or_404(flow_slug, node_slug)
    if not node.is_outcome:
        raise Http404("only outcomes give a reference code")
    walk_code_request(request, flow, node, locale=get_language())
    return see_other(node_url(flow, node) + "#ref-code")


def reminder(request: HttpRequest, flow_slug: str, node_slug: str) -> HttpResponse:
    """GET: the .ics reminder of a step's date, computed from the query string; nothing is written."""
    if request.method not in ("GET", "HEAD"):
        return method_not_allowed(request, ["GET", "HEAD"])
    flow, node = _step_or_404(flow_slug, node_slug)
    if not step_tools_module.offers_reminder(node):
        raise Http404("this step offers no reminder")
    found = step_tools_module.step_reminder(node, request.GET)
    if found is None:
        return bad_request_page(request)
    body = reminder_ics(
        start=found.start, summary=found.summary, description=found.description,
        url=request.build_absolute_uri(f"{node_url(flow, node)}?{found.query}"),
        uid_domain=request.get_host().split(":")[0], stamp=timezone.now(),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{flow.slug}-{node.slug}.ics"'
    patch_cache_control(response, private=True, no_store=True)
    return response


OUTCOME_LABELS = {
    Outcome.APPEAL: _("What to do: appeal"),
    Outcome.WAIT: _("What to do: wait"),
    Outcome.CONTACT_META: _("What to do: contact Meta"),
}


@dataclass(frozen=True)
class AnsweredQuestion:
    title: str
    answer: str
    url: str


@dataclass(frozen=True)
class StepBody:
    html: str
    sources_label: str
    sources: tuple  # (href, link text, site) already escaped by the sanitizer


@dataclass(frozen=True)
class StepPage:
    """Everything the step template shows, looked up once."""

    flow: Flow
    node: Node
    text: StepText
    url: str
    restart_url: str  # "start again?": the confirmation page
    start_url: str  # POST here to start a new walk
    ref_code: str
    number: int  # 1-based position of this node in the walk
    max_steps: int  # the most steps this walk can take from its entry, along the longest branch
    back_url: str | None
    answered: tuple[AnsweredQuestion, ...]
    deep_link: bool  # the walk was entered from a link, not from the start
    articles: tuple  # ArticleLink: the articles that explain this step
    fallback: bool  # the words are in Italian because the visitor's language has none yet
    on_walk: bool  # the step is on the visitor's stored walk (else it was opened from a link)
    resume_url: str | None  # the visitor's own walk, when this step is not on it
    stale: bool  # the visitor answered in an out-of-date tab and was brought back here
    code_url: str  # "Get a reference code" (an outcome opened from a link)

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [(answer.id, self.text.answers[answer.id]) for answer in self.node.answers]

    @property
    def entered_by_link(self) -> bool:
        """This is the step the visitor landed on from a link: earlier answers are unknown."""
        return self.deep_link and self.number == 1

    @cached_property
    def body(self) -> StepBody:
        """The step's text, with a closing "Sources: …" paragraph taken off to show as a collapsed list."""
        return step_body(str(self.text.body_html or ""))

    @property
    def description(self) -> str:
        """A line or two for search results and link previews: the step's hint, else the start of its text."""
        return step_description(self.text.hint, str(self.text.body_html or ""))

    @property
    def checklist_groups(self) -> list[tuple[str, str, list[tuple[str, str]]]]:
        """A checklist's boxes in groups, one per answer they choose: (answer id, its label, [(item id, label)])."""
        return [(answer.id, self.text.answers[answer.id], [(item, self.text.answers[item]) for item in answer.items])
                for answer in self.node.answers if answer.items]

    @property
    def nothing_ticked_label(self) -> str:
        """What a checklist's "nothing ticked" answer says (the summary of answers shows it too)."""
        return self.text.answers.get(NOTHING_TICKED, "")

    @property
    def first_input_id(self) -> str:
        if self.node.is_checklist:
            return f"item-{self.node.items[0]}"
        return f"answer-{self.node.answers[0].id}" if self.node.answers else "step-title"

    @property
    def feedback_target(self) -> str:
        return f"{'outcome' if self.node.is_outcome else 'step'}:{self.flow.id}:{self.node.id}"

    @property
    def outcome_label(self) -> str:
        return OUTCOME_LABELS[self.node.outcome] if self.node.outcome else ""

    @property
    def permalink(self) -> str:
        return self.url

    def view_state(self) -> list[tuple[str, object]]:
        """What of this page a stored copy depends on besides the page cache's key (build, language, revision
        token, htmx, path and query): every field, the words aside (the node, language and revision token give
        them) and the reference code only as "has one" (the code is filled in per response). A new field is in it
        unless it is named here."""
        state = []
        for field in fields(self):
            value = getattr(self, field.name)
            if field.name in _WORDS_FIELDS:
                continue
            if field.name == "ref_code":
                value = bool(value)
            elif field.name == "flow":
                value = (value.slug, value.version)
            elif field.name == "node":
                value = value.id
            state.append((field.name, value))
        return state

    @classmethod
    def build(cls, flow: Flow, node: Node, texts: StepTexts, position: Position, locale: str, stale: bool = False):
        resolution, walk = position.resolution, position.walk
        index = resolution.path.index(node.id)
        before = resolution.answers[:index]
        answered = tuple(
            AnsweredQuestion(
                title=texts[node_id].title,
                answer=texts[node_id].answers[answer_id],
                url=node_url(flow, flow.nodes[node_id]),
            )
            for node_id, answer_id in before
            if flow.nodes[node_id].is_question or flow.nodes[node_id].is_checklist
        )
        previous = flow.nodes[before[-1][0]] if before else None
        text = texts[node.id]
        return cls(
            flow=flow,
            node=node,
            text=text,
            url=node_url(flow, node),
            restart_url=guide_url("guide:restart", flow.slug),
            start_url=guide_url("guide:flow", flow.slug),
            ref_code=walk.ref_code,
            number=index + 1,
            max_steps=index + flow.depth[node.id],
            back_url=node_url(flow, previous) if previous else None,
            answered=answered,
            deep_link=walk.entry != flow.start,
            articles=tuple(texts.articles(node.id)),
            fallback=text.is_fallback_for(locale),
            on_walk=position.on_walk,
            resume_url=(node_url(flow, position.other_resolution.current)
                        if position.other is not None and position.other_resolution.current.id != node.id else None),
            stale=stale and position.on_walk,
            code_url=guide_url("guide:code", flow.slug, node.slug),
        )


#: StepPage fields that hold the words of the node in the language: the page cache's key has the node, the
#: language and the content revision token that give them.
_WORDS_FIELDS = ("text", "articles")


@functools.lru_cache(maxsize=4096)
def step_description(hint: str, body_html: str) -> str:
    """Worked out once per text (the words are the key: an edited text is a new entry)."""
    text = hint or strip_tags(body_html)
    return Truncator(" ".join(text.split())).chars(160)


@functools.lru_cache(maxsize=4096)
def step_body(body_html: str) -> StepBody:
    """A step's body split from its sources list: worked out once per text (the HTML is the key, so an edited text is
    a new entry), the same for every visitor; nothing of a walk goes in here."""
    html, label, links = split_sources(body_html)
    return StepBody(
        html=mark_safe(html),  # sanitized by render_markdown; split_sources only cuts it
        sources_label=label,
        sources=tuple((mark_safe(href), mark_safe(text), source_from(unescape(href)).site) for href, text in links),
    )


def _moved_step(request: HttpRequest, flow: Flow, node_slug: str) -> HttpResponse:
    """An old permalink (a moved id) answers 301 to the step it moved to, in the visitor's language; 404 otherwise.

    A POST from a page opened before the rename keeps its method and answer (308).
    """
    node = flow.moved_by_slug(node_slug)
    if node is None:
        raise Http404("unknown step")
    url = node_url(flow, node)
    if request.method in ("GET", "HEAD"):
        return HttpResponsePermanentRedirect(url)
    return permanent_redirect_keep_method(url)


def node_url(flow: Flow, node: Node) -> str:
    return guide_url("guide:step", flow.slug, node.slug)


def guide_url(name: str, *args: str) -> str:
    """reverse() of a guide URL by slugs, remembered (it walks the URLconf each time, and a step page asks for
    half a dozen): once per URL, language and script prefix."""
    return _reversed(name, args, get_language(), get_script_prefix())


@functools.lru_cache(maxsize=8192)
def _reversed(name: str, args: tuple[str, ...], language: str, script_prefix: str) -> str:
    return reverse(name, args=list(args))


def _step_or_404(flow_slug: str, node_slug: str) -> tuple[Flow, Node]:
    flow = _flow_or_404(flow_slug)
    node = flow.node_by_slug(node_slug)
    if node is None:
        raise Http404("unknown step")
    return flow, node


def _flow_or_404(slug: str) -> Flow:
    flow = get_flow(slug)
    if flow is None:
        raise Http404("unknown guide")
    return flow
