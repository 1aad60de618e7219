from django import forms
from django.contrib.auth import get_user_model

from actions.models import ActionItem


class ActionCaptureForm(forms.ModelForm):
    """The meeting's quick capture: enough to name an action and who owns it."""

    class Meta:
        model = ActionItem
        fields = ["title", "category", "owner", "owner_team", "due_date"]
        widgets = {
            "due_date": forms.DateInput(attrs={"type": "date"}),
            "category": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner"]
        owner.queryset = (
            get_user_model()
            .objects.filter(is_active=True)
            .order_by("first_name", "last_name", "username")
        )
        owner.label_from_instance = lambda user: user.get_full_name() or user.get_username()
        owner.empty_label = "Nobody yet"
        self.fields["category"].choices = ActionItem.Category.choices

    def clean_owner_team(self) -> str:
        team = self.cleaned_data["owner_team"].strip()
        if team and self.cleaned_data.get("owner"):
            raise forms.ValidationError("Choose a person or a team, not both.")
        return team
