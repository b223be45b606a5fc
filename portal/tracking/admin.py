from urllib.parse import urlencode

from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.html import format_html
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
    """The session's flow and its step texts in the session's language, or (None, None) for a flow we lost."""
    flow = flow_by_id(session.flow_id)
    return (flow, step_texts(flow, session.locale)) if flow else (None, None)


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


class SessionEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = SessionEvent
    verbose_name_plural = _("the walk, event by event")
    fields = ("time", "kind", "step", "answer")
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("session")

    @admin.display(description=_("time"))
    def time(self, event):
        return _seconds(event.at)

    @admin.display(description=_("step"))
    def step(self, event):
        return step_title(event.session, event.node_id)

    @admin.display(description=_("answer"))
    def answer(self, event):
        return answer_label(event.session, event.node_id, event.answer_id)


class VoteInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Vote
    verbose_name_plural = _("votes in this walk")
    fields = ("time", "target_type", "target", "helpful", "reason")
    readonly_fields = fields
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("session")

    @admin.display(description=_("time"))
    def time(self, vote):
        return _seconds(vote.created_at)

    @admin.display(description=_("what"))
    def target(self, vote):
        flow_id, _colon, node_id = vote.target_id.partition(":")
        if vote.target_type in (Vote.Target.STEP, Vote.Target.OUTCOME) and flow_id == vote.session.flow_id:
            return step_title(vote.session, node_id)
        return vote.target_id


@admin.register(FlowSession)
class FlowSessionAdmin(RefCodeSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("ref_code", "flow_id", "locale", "entry", "outcome_kind", "outcome", "started", "last_seen")
    list_filter = ("outcome_kind", "locale", ("started_at", admin.DateFieldListFilter), "flow_id")
    search_fields = ("ref_code",)
    date_hierarchy = "started_at"
    fields = ("ref_code", "lookup", "flow_id", "flow_version", "locale", "entry", "last_step", "started",
              "last_seen", "outcome_kind", "outcome", "outcome_time")
    readonly_fields = fields
    inlines = [SessionEventInline, VoteInline]

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
