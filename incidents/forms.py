import datetime as dt
import re

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from incidents.access import people_who_may_see
from incidents.models import Checkpoint, ImpactScope, Incident, RoleAssignment, TimelineEvent
from incidents.refs import validate_change_id
from incidents.timeparse import HELP as TIME_HELP
from incidents.timeparse import parse_typed_time

User = get_user_model()

SEVERITY_HELP = (
    "SEV-1: widespread critical user, data or security impact. "
    "SEV-2: major but bounded customer impact. "
    "SEV-3: limited degradation or internal dependency risk. "
    "SEV-4: low-impact anomaly that needs follow-up."
)


class TypedTimeField(forms.CharField):
    """A time as a scribe types it, read in the viewer's zone (see timeparse)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", TIME_HELP)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("placeholder", "now, or 14:05")
        self.widget.attrs.setdefault("autocomplete", "off")

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        zone = timezone.get_current_timezone()
        return parse_typed_time(text, zone=zone, today=timezone.localdate(timezone=zone))

    def prepare_value(self, value):
        if isinstance(value, dt.datetime):
            return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
        return value


def user_choices():
    return User.objects.filter(is_active=True).order_by("first_name", "last_name", "username")


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class UserMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):(?!\s)", re.IGNORECASE)


def validate_http_url(value: str) -> None:
    """A source is a plain reference ("alert #4411") or an http(s) link;
    any other scheme (javascript:, file:, data:) is refused."""
    match = _SCHEME.match(value.strip())
    if match and match[1].lower() not in {"http", "https"}:
        raise ValidationError("A link must start with http:// or https://.", code="scheme")


class IncidentDeclareForm(forms.Form):
    title = forms.CharField(max_length=200)
    # No preselected answer: the declarer makes each call consciously.
    severity = forms.ChoiceField(
        choices=[("", "Choose…"), *Incident.Severity.choices], help_text=SEVERITY_HELP
    )
    impact_category = forms.ChoiceField(choices=[("", "Choose…"), *Incident.ImpactCategory.choices])
    detection_method = forms.ChoiceField(
        choices=[("", "Choose…"), *Incident.DetectionMethod.choices]
    )
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    started_at = TypedTimeField(required=False, label="Impact started")
    detected_at = TypedTimeField(required=False, label="Detected")
    is_hotfix = forms.BooleanField(required=False, label="This is a hotfix")
    change_id = forms.CharField(
        required=False,
        max_length=80,
        label="Change id",
        help_text="CHG-YYYYMMDD-<slug>, e.g. CHG-20261124-login-timeout.",
    )
    restricted = forms.BooleanField(
        required=False,
        label="Restricted (security track)",
        help_text="Only the named responders and superusers will see this incident.",
    )
    responders = UserMultipleChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="Hold Ctrl (⌘ on a Mac) to pick several. You are added automatically.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responders"].queryset = user_choices()

    def clean_change_id(self) -> str:
        value = self.cleaned_data["change_id"].strip()
        if value:
            validate_change_id(value)
            if Incident.objects.filter(change_id=value).exists():
                raise ValidationError("Another incident already has this change id.")
        return value

    def clean(self):
        data = super().clean()
        if data.get("change_id") and not data.get("is_hotfix"):
            self.add_error("is_hotfix", "A change id belongs to a hotfix: tick “This is a hotfix”.")
        started, detected = data.get("started_at"), data.get("detected_at")
        if started and detected and started > detected:
            self.add_error("started_at", "Impact cannot start after it was detected.")
        if data.get("restricted") and not data.get("responders"):
            self.add_error("responders", "Name the responders who may see a restricted incident.")
        return data


class TimelineEventForm(forms.ModelForm):
    occurred_at = TypedTimeField(required=False, label="Time")
    move_milestone = forms.BooleanField(required=False, label="Move milestone here")

    class Meta:
        model = TimelineEvent
        fields = ["occurred_at", "kind", "milestone", "text", "actor", "source", "highlighted"]
        widgets = {"text": forms.TextInput(attrs={"autocomplete": "off"})}
        labels = {"source": "Source record", "highlighted": "Key event"}

    def clean_text(self) -> str:
        text = self.cleaned_data["text"].strip()
        if not text:
            raise ValidationError("Say what happened.")
        return text

    def clean_source(self) -> str:
        source = self.cleaned_data["source"].strip()
        validate_http_url(source)
        return source

    def validate_constraints(self) -> None:
        # The choice fields already check kind and milestone, and the service
        # explains a taken milestone better than the constraint would: skip
        # the model's constraint queries.
        return None


class RoleAssignForm(forms.Form):
    role = forms.ChoiceField(choices=RoleAssignment.Role.choices)
    user = UserChoiceField(queryset=User.objects.none(), label="Person")

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people_who_may_see(incident)


class SoloModeForm(forms.Form):
    user = UserChoiceField(queryset=User.objects.none(), label="Person holding every role")

    def __init__(self, *args, incident, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people_who_may_see(incident)


class StatusUpdateForm(forms.Form):
    known = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="What we know")
    unknown = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="What we don't know yet"
    )
    impact = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Impact")
    mitigation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Mitigation"
    )
    next_update_due = TypedTimeField(label="Next update by")

    def clean_next_update_due(self) -> dt.datetime:
        due = self.cleaned_data["next_update_due"]
        if due is None:
            raise ValidationError("Every status update says when the next one comes.")
        if due <= timezone.now():
            raise ValidationError("The next update must be due in the future.")
        return due


class CheckpointForm(forms.ModelForm):
    next_decision_at = TypedTimeField(required=False, label="Next decision point")

    class Meta:
        model = Checkpoint
        fields = Checkpoint.PACKET_FIELDS
        widgets = {
            field: forms.Textarea(attrs={"rows": 2})
            for field in ["state", "hypothesis", "customer_impact", "in_flight_actions"]
        }


class ImpactScopeForm(forms.ModelForm):
    class Meta:
        model = ImpactScope
        fields = ["user_group", "fault_domain", "dependency", "recent_change", "notes"]
        help_texts = {field: "Write “unknown” if it is not known yet." for field in fields[:4]}
        widgets = {"notes": forms.TextInput()}


class StatusCadenceForm(forms.Form):
    """The agreed cadence of a SEV-3 or SEV-4 incident; empty for the default."""

    status_cadence_minutes = forms.IntegerField(
        required=False,
        min_value=5,
        max_value=7 * 24 * 60,
        label="Minutes between updates",
        help_text="Leave empty for the severity's default.",
    )


class ChecklistTickForm(forms.Form):
    done = forms.BooleanField(required=False)
