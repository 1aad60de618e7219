import datetime as dt
import functools

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import URLValidator
from django.utils.text import Truncator

from actions.dashboard import ALL, GROUP_CHOICES, teams_visible_to
from actions.models import ActionItem, Bucket
from incidents.access import people_who_may_see

# Long enough for a holiday, short enough that nothing is parked for good.
MAX_SNOOZE = dt.timedelta(days=30)


def offer_people(field: forms.ModelChoiceField, *, empty_label: str, people=None) -> None:
    """Active people by name, or ``people`` (a queryset of them)."""
    field.queryset = (
        people
        if people is not None
        else get_user_model()
        .objects.filter(is_active=True)
        .order_by("first_name", "last_name", "username")
    )
    field.label_from_instance = lambda user: user.get_full_name() or user.get_username()
    field.empty_label = empty_label


class ActionCaptureForm(forms.ModelForm):
    """The meeting's quick capture: enough to name an action and who owns it."""

    class Meta:
        model = ActionItem
        fields = ["title", "category", "owner", "owner_team", "due_date"]
        widgets = {
            "due_date": forms.DateInput(attrs={"type": "date"}),
            "category": forms.RadioSelect,
        }

    def __init__(self, *args, incident, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # An owner must be able to open the incident (restricted: its people).
        offer_people(
            self.fields["owner"], empty_label="Nobody yet", people=people_who_may_see(incident)
        )
        self.fields["category"].choices = ActionItem.Category.choices

    def clean_owner_team(self) -> str:
        team = self.cleaned_data["owner_team"].strip()
        if team and self.cleaned_data.get("owner"):
            raise forms.ValidationError("Choose a person or a team, not both.")
        return team


class ActionFilterForm(forms.Form):
    """The dashboard's filters, read from GET so that a view can be bookmarked and shared."""

    # Drawn by the template as the bucket cards, each with its count.
    bucket = forms.ChoiceField(
        required=False, choices=[("", "Open"), *Bucket.choices, (ALL, "All, also closed")]
    )
    team = forms.CharField(required=False, widget=forms.Select)
    owner = forms.ModelChoiceField(required=False, queryset=get_user_model().objects.none())
    priority = forms.MultipleChoiceField(
        required=False,
        choices=[(value, value) for value in ActionItem.Priority.values],
        widget=forms.CheckboxSelectMultiple,
    )
    category = forms.ChoiceField(
        required=False, choices=[("", "Any category"), *ActionItem.Category.choices]
    )
    group = forms.ChoiceField(
        required=False, choices=[("", "Nothing"), *GROUP_CHOICES], label="Group by"
    )
    mine = forms.BooleanField(required=False, label="Only my actions")

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        offer_people(self.fields["owner"], empty_label="Anyone")

        # Read only when the select is drawn (never for a CSV export), and
        # once: drawing a select walks its choices more than once.
        @functools.cache
        def team_choices() -> list[tuple[str, str]]:
            return [("", "Any team"), *((team, team) for team in teams_visible_to(user))]

        self.fields["team"].widget.choices = team_choices

    @property
    def active(self) -> dict:
        """The cleaned filters that narrow the list (grouping and bucket aside)."""
        data = getattr(self, "cleaned_data", {})
        return {
            name: data[name]
            for name in ("team", "owner", "priority", "category", "mine")
            if data.get(name)
        }


class SnoozeForm(forms.Form):
    """Snooze an item's reminders once: until a date within a month, with a reason."""

    snoozed_until = forms.DateField(
        label="Remind me again on", widget=forms.DateInput(attrs={"type": "date"})
    )
    snooze_reason = forms.CharField(
        label="Reason",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Shown beside the item on the dashboard and to the facilitator.",
    )

    def __init__(self, *args, today: dt.date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        latest = today + MAX_SNOOZE
        self.fields["snoozed_until"].widget.attrs.update(
            min=(today + dt.timedelta(days=1)).isoformat(), max=latest.isoformat()
        )

    def clean_snoozed_until(self) -> dt.date:
        until = self.cleaned_data["snoozed_until"]
        if until <= self.today:
            raise forms.ValidationError("Choose a day after today.")
        if until > self.today + MAX_SNOOZE:
            raise forms.ValidationError(
                f"A snooze lasts at most {MAX_SNOOZE.days} days; choose an earlier day."
            )
        return until


class ActionItemForm(ActionCaptureForm):
    """An action item in full, as the postmortem page adds and edits it."""

    confirm_verified = forms.BooleanField(
        required=False,
        label="I have seen the verification signal",
        help_text="Needed to mark it done: your name and the time are recorded.",
    )
    tracking_url = forms.URLField(
        required=False,
        max_length=500,
        label="Tracking link",
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="The ticket in Jira, GitHub, Linear ...: any http(s) link.",
    )

    class Meta(ActionCaptureForm.Meta):
        fields = [
            "title",
            "category",
            "owner",
            "owner_team",
            "priority",
            "due_date",
            "status",
            "wont_do_reason",
            "verification_signal",
            "tracking_url",
            "factor",
        ]
        widgets = {
            **ActionCaptureForm.Meta.widgets,
            "verification_signal": forms.Textarea(attrs={"rows": 2}),
            "wont_do_reason": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"verification_signal": "Done when", "factor": "Answers factor"}

    def __init__(self, *args, factors, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["factor"].queryset = factors
        self.fields["factor"].empty_label = "No factor"
        self.fields["factor"].label_from_instance = _factor_label
        self.fields["wont_do_reason"].label = "Why it won't be done"

    def offer_factors(self, factors: list) -> None:
        """Draw the choices from rows already read; a submitted choice is still
        checked against the queryset."""
        self.fields["factor"].choices = [
            ("", "No factor"),
            *((factor.pk, _factor_label(factor)) for factor in factors),
        ]

    def clean(self) -> dict:
        data = super().clean()
        status = data.get("status")
        if status == ActionItem.Status.WONT_DO and not data.get("wont_do_reason", "").strip():
            self.add_error("wont_do_reason", "Say why this action will not be done.")
        if status == ActionItem.Status.DONE:
            if not data.get("verification_signal", "").strip():
                self.add_error(
                    "verification_signal",
                    "Say how anyone can see it worked before marking it done.",
                )
            elif not (self.instance.verified_at or data.get("confirm_verified")):
                self.add_error(
                    "confirm_verified", "Confirm you have seen the signal to mark it done."
                )
        return data


def _factor_label(factor) -> str:
    return f"{factor.get_layer_display()}: {Truncator(factor.description).chars(80)}"
