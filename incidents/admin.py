from django.contrib import admin

from incidents.models import (
    ChecklistItem,
    Checkpoint,
    ImpactScope,
    Incident,
    RoleAssignment,
    StatusUpdate,
    TimelineEvent,
)


class TimelineEventInline(admin.TabularInline):
    model = TimelineEvent
    extra = 0
    fields = ["occurred_at", "kind", "milestone", "text", "actor", "source"]


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    fields = ["role", "user", "started_at", "ended_at"]


class StatusUpdateInline(admin.StackedInline):
    model = StatusUpdate
    extra = 0


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    list_display = ["ref", "title", "severity", "state", "is_hotfix", "change_id", "restricted"]
    list_filter = ["severity", "state", "restricted", "is_hotfix", "impact_category"]
    search_fields = ["ref", "title", "change_id"]
    filter_horizontal = ["responders"]
    readonly_fields = ["ref", "created_at", "updated_at"]
    inlines = [RoleAssignmentInline, TimelineEventInline, StatusUpdateInline]


@admin.register(TimelineEvent)
class TimelineEventAdmin(admin.ModelAdmin):
    list_display = ["incident", "occurred_at", "kind", "milestone", "actor"]
    list_filter = ["kind", "milestone"]
    search_fields = ["text", "incident__ref"]
    list_select_related = ["incident"]


@admin.register(Checkpoint)
class CheckpointAdmin(admin.ModelAdmin):
    list_display = ["incident", "recorded_at", "author"]
    list_select_related = ["incident", "author"]


@admin.register(ImpactScope)
class ImpactScopeAdmin(admin.ModelAdmin):
    list_display = ["incident", "user_group", "fault_domain", "dependency", "recent_change"]
    list_select_related = ["incident"]


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    list_display = ["incident", "stage", "text", "done_at"]
    list_filter = ["stage"]
    list_select_related = ["incident"]
