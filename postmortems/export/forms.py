from django import forms

from incidents.refs import validate_change_id


class ExportForm(forms.Form):
    redact = forms.BooleanField(required=False)


class ImportForm(forms.Form):
    change_id = forms.CharField(
        max_length=80,
        label="Change id",
        help_text="The folder Planning/Changes/<change id>/ in the export repository.",
    )

    def clean_change_id(self) -> str:
        value = self.cleaned_data["change_id"].strip()
        validate_change_id(value)
        return value
