"""The one Markdown renderer: what a reader of a postmortem would notice."""

import pytest
from django.template import Context, Template
from django.utils.safestring import SafeString

from postmortems.markdown import render_markdown


@pytest.mark.parametrize(
    "source",
    [
        "Before <script>alert('pwned')</script> after",
        "<SCRIPT src=https://evil.example/x.js></SCRIPT>",
        "```\nfine\n```\n\n<script>alert(1)</script>",
    ],
)
def test_script_tags_do_not_survive(source):
    assert "<script" not in render_markdown(source).lower()


def test_event_handler_attributes_are_dropped():
    html = render_markdown(
        '<img src="x" onerror="alert(1)"> <a href="https://a.example" onclick="x()">a</a>'
    )
    assert "onerror" not in html
    assert "onclick" not in html
    assert "<img" not in html


@pytest.mark.parametrize(
    "source",
    [
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(1)">click</a>',
        "[click](JaVaScRiPt:alert(1))",
        "[data](data:text/html;base64,PHNjcmlwdD4=)",
    ],
)
def test_only_http_https_and_mailto_links_keep_their_target(source):
    html = render_markdown(source).lower()
    assert "javascript:" not in html
    assert "data:" not in html
    assert "click" in html or "data" in html  # the text itself stays readable


def test_iframes_and_inline_styles_do_not_survive():
    html = render_markdown(
        '<iframe src="https://evil.example"></iframe>\n\n<p style="color:red">red</p>'
    )
    assert "<iframe" not in html
    assert "style=" not in html
    assert "red" in html


def test_markdown_structure_survives():
    html = render_markdown(
        "## Root cause\n\n"
        "- first\n- second\n\n"
        "1. one\n2. two\n\n"
        "| Metric | Value |\n|:--|--:|\n| TTD | 4m |\n\n"
        "```python\nif pool.size < 1:\n    raise Exhausted\n```\n\n"
        "See [the runbook](https://wiki.example.com/runbook) or mail "
        "[sre](mailto:sre@example.com)."
    )
    assert "<h2>Root cause</h2>" in html
    assert "<ul>\n<li>first</li>" in html
    assert "<ol>\n<li>one</li>" in html
    assert "<table>" in html
    assert '<td align="right">4m</td>' in html  # alignment without an inline style
    assert '<code class="language-python">if pool.size &lt; 1:' in html
    assert (
        '<a href="https://wiki.example.com/runbook" rel="nofollow noopener">the runbook</a>' in html
    )
    assert 'href="mailto:sre@example.com"' in html


def test_bare_urls_become_links_but_not_inside_code():
    html = render_markdown(
        "Dashboard: https://grafana.example.com/d/1\n\n    curl https://x.example"
    )
    assert (
        '<a href="https://grafana.example.com/d/1" rel="nofollow noopener">'
        "https://grafana.example.com/d/1</a>" in html
    )
    assert "<code>curl https://x.example" in html


def test_user_text_cannot_claim_page_ids():
    html = render_markdown('<div id="main">x</div>\n\n## Heading {: #main }')
    assert 'id="main"' not in html


def test_footnotes_keep_their_anchors():
    html = render_markdown("Pool exhausted[^1].\n\n[^1]: Max 20 connections.")
    assert 'id="fnref:1"' in html
    assert 'href="#fn:1"' in html


def test_result_is_safe_for_templates_and_empty_text_renders_nothing():
    assert isinstance(render_markdown("x"), SafeString)
    assert render_markdown("") == ""


def test_template_filter_renders_markdown():
    template = Template("{% load markdown_tags %}{{ body|markdown }}")
    html = template.render(Context({"body": "**bold** <script>x</script>"}))
    assert "<strong>bold</strong>" in html
    assert "<script" not in html
