from django.contrib import admin

from .models import FlowSession, SessionEvent, Vote
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


class SessionEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = SessionEvent
    fields = ("at", "kind", "node_id", "answer_id")
    readonly_fields = fields
    extra = 0


@admin.register(FlowSession)
class FlowSessionAdmin(RefCodeSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("ref_code", "flow_id", "locale", "entry_node", "outcome_kind", "outcome_node", "started_at",
                    "last_seen_at")
    list_filter = ("outcome_kind", "locale", ("started_at", admin.DateFieldListFilter), "flow_id")
    search_fields = ("ref_code",)
    date_hierarchy = "started_at"
    readonly_fields = ("ref_code", "flow_id", "flow_version", "locale", "entry_node", "started_at",
                       "last_seen_at", "outcome_kind", "outcome_node")
    fields = readonly_fields
    inlines = [SessionEventInline]


@admin.register(Vote)
class VoteAdmin(RefCodeSearchMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    ref_code_field = "session__ref_code"
    list_display = ("created_at", "target_type", "target_id", "locale", "helpful", "reason", "session")
    list_filter = ("target_type", "helpful", "reason", "locale", ("created_at", admin.DateFieldListFilter))
    search_fields = ("target_id", "session__ref_code")
    list_select_related = ("session",)
