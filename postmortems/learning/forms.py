import datetime as dt

from django import forms

from incidents.models import Incident

WHOLE = ""


class CommentForm(forms.Form):
    """A new thread: what it is about (a choice among the incident's own
    parts, so a posted id from another incident is simply invalid) and the text."""

    about = forms.ChoiceField(required=False, label="About")
    body = forms.CharField(
        label="Comment",
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Markdown. Mention someone with @username to notify them.",
    )

    def __init__(self, *args, targets: dict[str, tuple[str, object]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.targets = targets
        self.fields["about"].choices = [(WHOLE, "The incident as a whole")] + [
            (key, label) for key, (label, _) in targets.items()
        ]

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError("Write something first.")
        return body

    def target(self) -> tuple[str, object] | None:
        """(field name, row) of the chosen part, or None for the whole incident."""
        key = self.cleaned_data.get("about")
        if not key:
            return None
        return key.partition(":")[0], self.targets[key][1]


class ReplyForm(forms.Form):
    body = forms.CharField(
        label="Reply", max_length=10_000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_body(self) -> str:
        body = self.cleaned_data["body"].strip()
        if not body:
            raise forms.ValidationError("Write something first.")
        return body


class ResolveForm(forms.Form):
    resolved = forms.BooleanField(required=False)


class SearchForm(forms.Form):
    KINDS = [
        ("", "Everything"),
        ("incident", "Incidents"),
        ("section", "Postmortem sections"),
        ("event", "Timeline entries"),
        ("factor", "Contributing factors"),
        ("action", "Action items"),
    ]

    q = forms.CharField(label="Search for", max_length=200, required=False)
    kind = forms.ChoiceField(label="In", choices=KINDS, required=False)
    severity = forms.ChoiceField(
        required=False, choices=[("", "Any severity"), *Incident.Severity.choices]
    )
    since = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="Until", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict:
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "Until must not be before From.")
        return data


class ShareForm(forms.Form):
    """Which parts the wider audience sees; everything else stays internal."""

    parts = forms.MultipleChoiceField(
        label="Parts to share",
        widget=forms.CheckboxSelectMultiple,
        help_text="Unchecked parts stay internal.",
    )
    days = forms.IntegerField(label="Link valid for (days)", min_value=1, max_value=90, initial=14)

    def __init__(self, *args, parts: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parts"].choices = parts

    @property
    def lifetime(self) -> dt.timedelta:
        return dt.timedelta(days=self.cleaned_data["days"])
