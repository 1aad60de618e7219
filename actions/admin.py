from django.contrib import admin

from actions.models import ActionItem


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ["ref", "title", "postmortem", "owner", "owner_team", "priority", "due_date"]
    list_filter = ["status", "priority", "category"]
    search_fields = ["title", "owner_team", "postmortem__incident__ref"]
    list_select_related = ["postmortem__incident", "owner"]
