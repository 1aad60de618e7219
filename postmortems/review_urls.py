"""URLs of the postmortem review domain (the project package's own URLconf is urls.py).

Every URL of one postmortem carries the incident's ``ref``; rows are ``pk``
within it. Everything that changes something is POST-only.
"""

from django.urls import path

from postmortems.views import actions, attachments, document, meeting, rows, sections, workflow
from postmortems.views import export as export_views

app_name = "postmortems"

urlpatterns = [
    path("", document.postmortem_list, name="list"),
    path("start/<str:ref>/", document.postmortem_new, name="start"),
    path("import/", export_views.import_change, name="import"),
    path("<str:ref>/", document.postmortem_detail, name="detail"),
    path("<str:ref>/blocks/<slug:anchor>/", document.postmortem_block, name="block"),
    path("<str:ref>/meeting/", meeting.meeting, name="meeting"),
    path("<str:ref>/meeting/actions/", meeting.meeting_capture, name="meeting-capture"),
    path("<str:ref>/preview/", sections.section_preview, name="preview"),
    path("<str:ref>/sections/<int:pk>/", sections.section_update, name="section"),
    path("<str:ref>/sections/<int:pk>/edit/", sections.section_edit, name="section-edit"),
    path("<str:ref>/impact/<int:pk>/", sections.impact_update, name="impact"),
    path("<str:ref>/factors/", rows.add, {"part": rows.FACTORS}, name="factor-add"),
    path("<str:ref>/factors/<int:pk>/", rows.edit, {"part": rows.FACTORS}, name="factor-edit"),
    path(
        "<str:ref>/factors/<int:pk>/delete/",
        rows.delete,
        {"part": rows.FACTORS},
        name="factor-delete",
    ),
    path(
        "<str:ref>/factors/<int:pk>/move/",
        rows.move,
        {"part": rows.FACTORS},
        name="factor-move",
    ),
    path("<str:ref>/whys/", rows.add, {"part": rows.WHYS}, name="why-add"),
    path("<str:ref>/whys/<int:pk>/", rows.edit, {"part": rows.WHYS}, name="why-edit"),
    path("<str:ref>/whys/<int:pk>/delete/", rows.delete, {"part": rows.WHYS}, name="why-delete"),
    path("<str:ref>/whys/<int:pk>/move/", rows.move, {"part": rows.WHYS}, name="why-move"),
    path("<str:ref>/actions/", actions.action_add, name="action-add"),
    path("<str:ref>/actions/<int:pk>/", actions.action_row, name="action"),
    path("<str:ref>/actions/<int:pk>/edit/", actions.action_edit, name="action-edit"),
    path("<str:ref>/workflow/", workflow.workflow_move, name="workflow"),
    path("<str:ref>/signoffs/<int:pk>/", workflow.signoff_update, name="signoff"),
    path(
        "<str:ref>/checks/<slug:check_name>/override/",
        workflow.check_override_add,
        name="check-override",
    ),
    path(
        "<str:ref>/checks/<slug:check_name>/withdraw/",
        workflow.check_override_remove,
        name="check-withdraw",
    ),
    path("<str:ref>/attachments/", attachments.attachment_upload, name="attachment-add"),
    # Named ``attachment`` (not ``pk``): the one GET that takes a row id.
    path(
        "<str:ref>/attachments/<int:attachment>/",
        attachments.attachment_file,
        name="attachment",
    ),
    path("<str:ref>/related/", attachments.related_link, name="related-add"),
    path("<str:ref>/related/<int:pk>/delete/", attachments.related_unlink, name="related-delete"),
    path("<str:ref>/export/", export_views.export_panel, name="export"),
    path(
        "<str:ref>/export/<int:pk>/markdown/", export_views.export_markdown, name="export-markdown"
    ),
]
