from django.contrib import admin

from postmortems.learning.models import Comment, Notification, ShareLink


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["incident", "author", "created_at", "resolved_at"]
    raw_id_fields = ["incident", "parent", "section", "factor", "event", "action"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "comment", "created_at", "read_at"]
    raw_id_fields = ["comment"]


@admin.register(ShareLink)
class ShareLinkAdmin(admin.ModelAdmin):
    list_display = ["postmortem", "created_by", "created_at", "expires_at", "revoked_at"]
    raw_id_fields = ["postmortem"]
