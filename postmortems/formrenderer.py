from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Form templates may come from the project's templates/ folder; every
    field group uses templates/forms/field.html (label, help, errors)."""

    field_template_name = "forms/field.html"
