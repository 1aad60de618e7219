from django.urls import path

from incidents.views import (
    lists,
    live,
    page,
    response,
    response_checklist,
    response_checkpoints,
    response_impact,
    response_roles,
    response_status,
    timeline,
    timeline_import,
)

app_name = "incidents"

urlpatterns = [
    path("", lists.incident_list, name="list"),
    path("new/", lists.incident_new, name="new"),
    path("<str:ref>/", page.incident_detail, name="detail"),
    path("<str:ref>/header/", page.incident_header, name="header"),
    # The live channel (Server-Sent Events) and who is on the page.
    path("<str:ref>/live/", live.incident_stream, name="live"),
    path("<str:ref>/presence/", live.presence_list, name="presence"),
    path("<str:ref>/presence/beat/", live.presence_beat, name="presence_beat"),
    # Timeline: the list re-fetches alone (?kind=); entries are scoped to the incident.
    path("<str:ref>/timeline/", timeline.events, name="timeline"),
    path("<str:ref>/timeline/add/", timeline.add, name="timeline_add"),
    path("<str:ref>/timeline/import/", timeline_import.timeline_import, name="timeline_import"),
    path("<str:ref>/timeline/deleted/", timeline.deleted, name="timeline_deleted"),
    path("<str:ref>/timeline/<int:pk>/", timeline.entry, name="timeline_entry"),
    path("<str:ref>/timeline/<int:pk>/edit/", timeline.edit, name="timeline_edit"),
    path("<str:ref>/timeline/<int:pk>/save/", timeline.save, name="timeline_save"),
    path("<str:ref>/timeline/<int:pk>/delete/", timeline.delete, name="timeline_delete"),
    path("<str:ref>/timeline/<int:pk>/highlight/", timeline.highlight, name="timeline_highlight"),
    path("<str:ref>/timeline/<int:pk>/history/", timeline.history, name="timeline_history"),
    # Response panels: each GET returns its fragment, each POST re-renders it.
    path("<str:ref>/state/", response.state_panel, name="state"),
    path("<str:ref>/close/", response.close_incident, name="close"),
    path("<str:ref>/roles/", response_roles.roles_panel, name="roles"),
    path("<str:ref>/roles/assign/", response_roles.role_assign_view, name="role_assign"),
    path("<str:ref>/roles/solo/", response_roles.solo_mode_view, name="solo_mode"),
    path("<str:ref>/status/", response_status.status_panel, name="status"),
    path("<str:ref>/status/earlier/", response_status.status_earlier, name="status_earlier"),
    path("<str:ref>/status/post/", response_status.status_post, name="status_post"),
    path("<str:ref>/status/cadence/", response_status.status_cadence, name="status_cadence"),
    path("<str:ref>/checkpoints/", response_checkpoints.checkpoints_panel, name="checkpoints"),
    path(
        "<str:ref>/checkpoints/record/",
        response_checkpoints.checkpoint_record_view,
        name="checkpoint_record",
    ),
    path("<str:ref>/impact/", response_impact.impact_panel, name="impact"),
    path("<str:ref>/impact/add/", response_impact.impact_add, name="impact_add"),
    path("<str:ref>/impact/<int:pk>/", response_impact.impact_update, name="impact_update"),
    path("<str:ref>/impact/<int:pk>/delete/", response_impact.impact_delete, name="impact_delete"),
    path("<str:ref>/checklist/", response_checklist.checklist_panel, name="checklist"),
    path(
        "<str:ref>/checklist/<int:pk>/tick/",
        response_checklist.checklist_tick_view,
        name="checklist_tick",
    ),
]
