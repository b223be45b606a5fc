from django.contrib import admin

from .models import FlowSession, SessionEvent, Vote


class ReadOnlyAdminMixin:
    """Tracking rows are written by the site only (services.py); staff look, never edit."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SessionEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = SessionEvent
    fields = ("at", "kind", "node_id", "answer_id")
    readonly_fields = fields
    extra = 0


@admin.register(FlowSession)
class FlowSessionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
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
class VoteAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "target_type", "target_id", "locale", "helpful", "reason", "session")
    list_filter = ("target_type", "helpful", "reason", "locale", ("created_at", admin.DateFieldListFilter))
    search_fields = ("target_id", "session__ref_code")
    list_select_related = ("session",)
