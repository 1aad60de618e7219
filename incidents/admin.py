from django.contrib import admin
from django.db import transaction

from incidents.models import (
    ChecklistItem,
    Checkpoint,
    ImpactScope,
    Incident,
    RoleAssignment,
    StatusUpdate,
    TimelineEvent,
)
from postmortems import live


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

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Responders and the restricted flag change here: open streams re-check
        # access on this event, so a removed responder's stream ends now, not
        # at its next keep-alive.
        incident_id = form.instance.pk
        transaction.on_commit(
            lambda: live.publish(live.Event(incident=incident_id, target="access", kind="access"))
        )


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
