"""Sanitizing is idempotent: what the sanitizer lets through, it lets through
unchanged a second time, so nothing it emits can turn into something it
would have refused (no mutation XSS across a round trip)."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from postmortems.markdown import render_markdown, sanitize
from tests.security.xss_corpus import PAYLOADS

TAGS = [
    "a",
    "img",
    "script",
    "svg",
    "p",
    "div",
    "code",
    "pre",
    "sup",
    "li",
    "table",
    "td",
    "style",
    "iframe",
    "math",
    "noscript",
    "textarea",
    "title",
    "b",
    "abbr",
]
ATTRIBUTES = ["href", "src", "onerror", "onload", "id", "class", "title", "rel", "align", "style"]
VALUES = [
    "javascript:alert(1)",
    "https://example.com/?a=1&b=2",
    "#fn:1",
    "fnref:1",
    "footnote",
    "language-py",
    'x" onerror="alert(1)',
    "&#106;avascript:x",
    "left",
    "data:x,1",
]


@st.composite
def html(draw) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.sampled_from(["open", "close", "text", "payload", "entity", "url"]))
        if kind == "open":
            attrs = draw(
                st.lists(
                    st.tuples(st.sampled_from(ATTRIBUTES), st.sampled_from(VALUES)), max_size=3
                )
            )
            rendered = "".join(f' {name}="{value}"' for name, value in attrs)
            parts.append(f"<{draw(st.sampled_from(TAGS))}{rendered}>")
        elif kind == "close":
            parts.append(f"</{draw(st.sampled_from(TAGS))}>")
        elif kind == "payload":
            parts.append(draw(st.sampled_from(PAYLOADS)))
        elif kind == "entity":
            parts.append(
                draw(st.sampled_from(["&amp;", "&lt;", "&gt;", "&quot;", "&#60;", "&", "<", ">"]))
            )
        elif kind == "url":
            parts.append(
                draw(
                    st.sampled_from(["https://example.com/a_b", "www.example.org", "x@example.com"])
                )
            )
        else:
            parts.append(draw(st.text(max_size=20)))
    return "".join(parts)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(html())
def test_sanitizing_twice_equals_sanitizing_once(source):
    once = sanitize(source)
    assert sanitize(once) == once


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(PAYLOADS) | st.text(max_size=30), max_size=6).map("\n\n".join))
def test_rendered_markdown_is_a_fixed_point_of_the_sanitizer(source):
    rendered = render_markdown(source)
    assert sanitize(rendered) == rendered
