"""URLs of learning across incidents, mounted at the site root.

Comments hang off the incident's ``ref`` (rows are ``pk`` within it), share
links off the postmortem's; the shared page itself needs no account.
"""

from django.urls import path

from postmortems.learning.views import comments, insights, notifications, search, share

app_name = "learning"

urlpatterns = [
    path("search/", search.search_page, name="search"),
    path("insights/", insights.insights_page, name="insights"),
    path("insights/<slug:chart>.csv", insights.insights_csv, name="insights-csv"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/read/", notifications.notifications_mark_read, name="notifications-read"),
    path("notifications/count/", notifications.notification_count, name="notification-count"),
    path("comments/<str:ref>/", comments.comments, name="comments"),
    path("comments/<str:ref>/<int:pk>/reply/", comments.comment_reply, name="comment-reply"),
    path(
        "comments/<str:ref>/<int:pk>/resolve/",
        comments.comment_resolve_view,
        name="comment-resolve",
    ),
    path("shares/<str:ref>/", share.share_links, name="shares"),
    path("shares/<str:ref>/<int:pk>/revoke/", share.share_revoke, name="share-revoke"),
    path("share/<str:token>/", share.shared_page, name="shared"),
]
