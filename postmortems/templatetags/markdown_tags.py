from django import template
from django.utils.safestring import SafeString

from postmortems.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str | None) -> SafeString:
    """``{{ section.body|markdown }}``: sanitized HTML of the Markdown text."""
    return render_markdown(text or "")
