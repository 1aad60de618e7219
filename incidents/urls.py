from django.urls import path

from incidents.views import lists, page, timeline

app_name = "incidents"

urlpatterns = [
    path("", lists.incident_list, name="list"),
    path("new/", lists.incident_new, name="new"),
    path("<str:ref>/", page.incident_detail, name="detail"),
    path("<str:ref>/header/", page.incident_header, name="header"),
    # Timeline: the list re-fetches alone (?kind=); entries are scoped to the incident.
    path("<str:ref>/timeline/", timeline.events, name="timeline"),
    path("<str:ref>/timeline/add/", timeline.add, name="timeline_add"),
    path("<str:ref>/timeline/deleted/", timeline.deleted, name="timeline_deleted"),
    path("<str:ref>/timeline/<int:pk>/", timeline.entry, name="timeline_entry"),
    path("<str:ref>/timeline/<int:pk>/edit/", timeline.edit, name="timeline_edit"),
    path("<str:ref>/timeline/<int:pk>/save/", timeline.save, name="timeline_save"),
    path("<str:ref>/timeline/<int:pk>/delete/", timeline.delete, name="timeline_delete"),
    path("<str:ref>/timeline/<int:pk>/highlight/", timeline.highlight, name="timeline_highlight"),
    path("<str:ref>/timeline/<int:pk>/history/", timeline.history, name="timeline_history"),
]
