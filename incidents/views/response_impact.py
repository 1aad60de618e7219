"""The impact-scope panel: one row per affected user group or tenant, with
its fault domain, dependency and recent change; added, edited and deleted in
place. "unknown" is an honest answer in any cell."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET, require_POST

from incidents.forms import ImpactScopeForm
from incidents.models import ImpactScope, Incident
from incidents.services import impact_scope_delete, impact_scope_save
from incidents.views import incident_for
from incidents.views.response_base import INVALID, answer_change, render_panel
from postmortems.http import HtmxHttpRequest


def impact_context(
    incident: Incident,
    *,
    form: ImpactScopeForm | None = None,
    editing: ImpactScope | None = None,
    edit_form: ImpactScopeForm | None = None,
    adding: bool = False,
) -> dict:
    """``adding``: the add form stays open with the cursor in it, for the next row."""
    if editing is not None and edit_form is None:
        edit_form = ImpactScopeForm(instance=editing, prefix=f"scope-{editing.pk}")
        edit_form.fields["user_group"].widget.attrs["autofocus"] = True
    if form is None:
        form = ImpactScopeForm(prefix="scope")
        if adding:
            form.fields["user_group"].widget.attrs["autofocus"] = True
    return {
        "scopes": list(incident.impact_scopes.all()),
        "scope_form": form,
        "scope_form_open": adding or form.is_bound,
        "scope_editing": editing.pk if editing else None,
        "scope_edit_form": edit_form,
    }


def _render(request: HtmxHttpRequest, incident: Incident, **options) -> HttpResponse:
    context = {"incident": incident, **impact_context(incident, **options)}
    forms = (context["scope_form"], context["scope_edit_form"])
    invalid = any(form is not None and form.errors for form in forms)
    return render_panel(request, "impact", context, status=INVALID if invalid else 200)


def _row(incident: Incident, pk: object) -> ImpactScope:
    """The incident's own row: another incident's row is a 404 like a missing one."""
    try:
        return get_object_or_404(incident.impact_scopes, pk=int(str(pk)))
    except ValueError:
        raise Http404("No such row.") from None


@require_GET
def impact_panel(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    """The table; ``?edit=<row>`` opens that row for editing."""
    incident = incident_for(request, ref)
    editing = _row(incident, request.GET["edit"]) if "edit" in request.GET else None
    return _render(request, incident, editing=editing)


@require_POST
def impact_add(request: HtmxHttpRequest, ref: str) -> HttpResponse:
    incident = incident_for(request, ref)
    form = ImpactScopeForm(request.POST, prefix="scope")
    if not form.is_valid():
        return _render(request, incident, form=form)
    form.instance.incident = incident
    impact_scope_save(row=form.save(commit=False), by=request.user)
    return answer_change(request, incident, _render(request, incident, adding=True))


@require_POST
def impact_update(request: HtmxHttpRequest, ref: str, pk: int) -> HttpResponse:
    incident = incident_for(request, ref)
    row = _row(incident, pk)
    form = ImpactScopeForm(request.POST, instance=row, prefix=f"scope-{row.pk}")
    if not form.is_valid():
        return _render(request, incident, editing=row, edit_form=form)
    impact_scope_save(row=form.save(commit=False), by=request.user)
    return answer_change(request, incident, _render(request, incident))


@require_POST
def impact_delete(request: HtmxHttpRequest, ref: str, pk: int) -> HttpResponse:
    incident = incident_for(request, ref)
    impact_scope_delete(row=_row(incident, pk), by=request.user)
    return answer_change(request, incident, _render(request, incident))
