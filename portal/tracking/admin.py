from urllib.parse import urlencode

from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from portal.content.steps import step_texts
from portal.flows.registry import flow_by_id

from .models import FlowSession, LinkOpen, SessionEvent, Vote
from .refcodes import PATTERN, normalize_ref_code


class ReadOnlyAdminMixin:
    """Tracking rows are written by the site only (services.py); staff look, never edit."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RefCodeSearchMixin:
    """A reference code as a customer dictates it ("k7qx 2m4p", "K7QX2M4P") finds its session."""

    ref_code_field = "ref_code"

    def get_search_results(self, request, queryset, search_term):
        code = normalize_ref_code(search_term)
        if PATTERN.match(code):
            return queryset.filter(**{self.ref_code_field: code}), False
        return super().get_search_results(request, queryset, search_term)


def _seconds(value) -> str:
    """Admin times to the second, in the site's time zone (the stock format stops at the minute)."""
    return formats.date_format(timezone.localtime(value), "Y-m-d H:i:s") if value else "—"


def _words(session: FlowSession):
    """The session's flow and its step texts in the session's language, or (None, None) for a flow we lost.

    Kept on the session object, so the session page reads the words once."""
    if not hasattr(session, "_admin_words"):
        flow = flow_by_id(session.flow_id)
        session._admin_words = (flow, step_texts(flow, session.locale)) if flow else (None, None)
    return session._admin_words


def step_title(session: FlowSession, node_id: str) -> str:
    flow, texts = _words(session)
    if not node_id or flow is None or node_id not in flow.nodes:
        return node_id or "—"
    return texts[node_id].title


def answer_label(session: FlowSession, node_id: str, answer_id: str) -> str:
    flow, texts = _words(session)
    if not answer_id or flow is None or node_id not in flow.nodes:
        return answer_id
    if flow.nodes[node_id].is_info:
        return _("Continue")
    return texts[node_id].answers.get(answer_id, answer_id)


def _table(headers, rows, marker: str):
    """A small read-only table for the session page (one query for the rows, the words looked up once)."""
    if not rows:
        return "—"
    head = format_html_join("", "<th scope=\"col\">{}</th>", ((header,) for header in headers))
    body = format_html_join("", "<tr>{}</tr>", ((format_html_join("", "<td>{}</td>", ((cell,) for cell in row)),)
                                                for row in rows))
    return format_html('<table {}><thead><tr>{}</tr></thead><tbody>{}</tbody></table>', marker, head, body)


@admin.register(FlowSession)
class FlowSessionAdmin(RefCodeSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    # The list stays in ids (one row per session, no words to look up); the session page speaks words.
    list_display = ("ref_code", "flow_id", "locale", "entry_node", "outcome_kind", "outcome_node", "started",
                    "last_seen")
    list_filter = ("outcome_kind", "locale", ("started_at", admin.DateFieldListFilter), "flow_id")
    search_fields = ("ref_code",)
    date_hierarchy = "started_at"
    fields = ("ref_code", "lookup", "flow_id", "flow_version", "locale", "entry", "last_step", "started",
              "last_seen", "outcome_kind", "outcome", "outcome_time", "walk", "votes")
    readonly_fields = fields

    @admin.display(description=_("the walk, event by event"))
    def walk(self, session):
        rows = [(_seconds(event.at), event.get_kind_display(), step_title(session, event.node_id),
                 answer_label(session, event.node_id, event.answer_id))
                for event in session.events.all()]
        return _table([_("time"), _("event"), _("step"), _("answer")], rows, mark_safe("data-walk-events"))

    @admin.display(description=_("votes in this walk"))
    def votes(self, session):
        rows = []
        for vote in session.votes.order_by("created_at"):
            flow_id, _colon, node_id = vote.target_id.partition(":")
            on_this_flow = vote.target_type != Vote.Target.ARTICLE and flow_id == session.flow_id
            rows.append((_seconds(vote.created_at), vote.get_target_type_display(),
                         step_title(session, node_id) if on_this_flow else vote.target_id,
                         _("Yes") if vote.helpful else _("No"), vote.get_reason_display() or "—"))
        return _table([_("time"), _("on"), _("what"), _("helpful"), _("reason")], rows, mark_safe("data-walk-votes"))

    @admin.display(description=_("entry step"), ordering="entry_node")
    def entry(self, session):
        return step_title(session, session.entry_node)

    @admin.display(description=_("last step"))
    def last_step(self, session):
        return step_title(session, session.last_node)

    @admin.display(description=_("outcome step"), ordering="outcome_node")
    def outcome(self, session):
        return step_title(session, session.outcome_node) if session.outcome_node else "—"

    @admin.display(description=_("started"), ordering="started_at")
    def started(self, session):
        return _seconds(session.started_at)

    @admin.display(description=_("last seen"), ordering="last_seen_at")
    def last_seen(self, session):
        return _seconds(session.last_seen_at)

    @admin.display(description=_("outcome reached"))
    def outcome_time(self, session):
        return _seconds(session.outcome_at)

    @admin.display(description=_("staff look-up"))
    def lookup(self, session):
        """The walk as the customer saw it, in the staff workspace (when it is installed)."""
        try:
            url = reverse("staff:lookup")
        except NoReverseMatch:
            return "—"
        return format_html('<a href="{}?{}">{}</a>', url, urlencode({"code": session.ref_code}),
                           _("Open in the staff look-up"))


@admin.register(Vote)
class VoteAdmin(RefCodeSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    ref_code_field = "session__ref_code"
    list_display = ("created_at", "target_type", "target_id", "locale", "helpful", "reason", "session")
    list_filter = ("target_type", "helpful", "reason", "locale", ("created_at", admin.DateFieldListFilter))
    search_fields = ("target_id", "session__ref_code")
    list_select_related = ("session",)


@admin.register(LinkOpen)
class LinkOpenAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("day", "flow_id", "node_id", "locale", "count")
    list_filter = ("locale", ("day", admin.DateFieldListFilter), "flow_id")
    search_fields = ("node_id",)
    date_hierarchy = "day"
