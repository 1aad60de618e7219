"""Forms of the postmortem document: one per kind of edit, each carrying the
version the edit was made to where the row has one."""

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from incidents.models import Incident
from postmortems.kinds import TEMPLATES, Kind
from postmortems.models import ContributingFactor, Postmortem, Why

MAX_IMAGE_BYTES = 5 * 1024 * 1024

# The first bytes of each image format accepted as supporting data. The type
# is read from the content, never from the file name or the browser's claim.
IMAGE_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def sniff_image(head: bytes) -> str | None:
    """The image content type the bytes start with, or None."""
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    for signature, content_type in IMAGE_SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


class StartForm(forms.Form):
    kind = forms.ChoiceField(
        label="Template",
        choices=[(kind.value, template.label) for kind, template in TEMPLATES.items()],
        widget=forms.RadioSelect,
        initial=Kind.FULL.value,
    )
    facilitator = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        help_text="Runs the review meeting and keeps the document moving.",
    )
    log_root = forms.CharField(
        label="Log root",
        required=False,
        max_length=500,
        help_text="Hotfix only: the change's log folder (log_root in the triage frontmatter).",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        roots = ", ".join(str(root) for root in settings.EXPORT_LOG_ROOTS)
        self.fields["log_root"].help_text += f" It must lie inside {roots}."
        self.fields["facilitator"].label_from_instance = lambda user: (
            user.get_full_name() or user.get_username()
        )

    def clean(self):
        data = super().clean()
        if data.get("kind") == Kind.HOTFIX and not data.get("log_root", "").strip():
            self.add_error("log_root", "A hotfix postmortem needs its change's log root.")
        return data


class SectionForm(forms.Form):
    body = forms.CharField(required=False, strip=False, widget=forms.Textarea)
    version = forms.IntegerField(min_value=1)


class ImpactFieldForm(forms.Form):
    value = forms.CharField(required=False, max_length=500)
    version = forms.IntegerField(min_value=1)


class VersionForm(forms.Form):
    version = forms.IntegerField(min_value=1)


class MoveForm(forms.Form):
    offset = forms.TypedChoiceField(choices=[("-1", "Up"), ("1", "Down")], coerce=int)


class FactorForm(forms.ModelForm):
    class Meta:
        model = ContributingFactor
        fields = ["layer", "status", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "description": "What made this possible: a condition of the system, never a person.",
        }


class WhyForm(forms.ModelForm):
    class Meta:
        model = Why
        fields = ["question", "answer"]
        widgets = {"answer": forms.Textarea(attrs={"rows": 2})}
        labels = {"answer": "Because …"}


class WorkflowForm(forms.Form):
    to = forms.ChoiceField(choices=Postmortem.State.choices)
    version = forms.IntegerField(min_value=1)


class SignOffForm(forms.Form):
    signed = forms.TypedChoiceField(choices=[("1", "Sign"), ("0", "Withdraw")], coerce=int)


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label="Image",
        help_text="PNG, JPEG, GIF or WebP, up to 5 MB: a graph, a dashboard, a screenshot.",
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}
        ),
    )
    caption = forms.CharField(max_length=300, required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMAGE_BYTES:
            raise ValidationError("The image is larger than 5 MB.", code="too_large")
        upload.seek(0)
        head = upload.read(16)
        upload.seek(0)
        content_type = sniff_image(head)
        if content_type is None:
            raise ValidationError(
                "This file is not a PNG, JPEG, GIF or WebP image.", code="not_an_image"
            )
        self.content_type = content_type
        return upload


class RelatedIncidentForm(forms.Form):
    ref = forms.CharField(
        label="Incident ref", max_length=32, help_text="For example INC-2026-11-02-1."
    )

    def __init__(self, *args, visible: "forms.models.QuerySet[Incident]", **kwargs):
        super().__init__(*args, **kwargs)
        self.visible = visible

    def clean_ref(self) -> Incident:
        ref = self.cleaned_data["ref"].strip().upper()
        # The same answer for a ref that does not exist and one the user may
        # not see: a restricted incident's existence never leaks.
        incident = self.visible.filter(ref=ref).first()
        if incident is None:
            raise ValidationError(f"No incident {ref} that you can see.", code="unknown")
        return incident
