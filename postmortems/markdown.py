"""The project's one Markdown renderer and sanitizer.

Every piece of user-written Markdown shown on a page goes through
``render_markdown``: Python-Markdown turns it into HTML (raw HTML in the
source is passed through by Markdown, so it is never trusted), then bleach
keeps only an allowlist of tags, attributes and link protocols and turns bare
URLs into links. Imports no domain models, so any app may use it.
"""

import threading
from functools import lru_cache, partial

import markdown
from bleach.linkifier import LinkifyFilter
from bleach.sanitizer import Cleaner
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = frozenset(
    {
        *("h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "blockquote"),
        *("strong", "em", "b", "i", "del", "ins", "sub", "sup", "abbr"),
        *("code", "pre", "kbd", "ul", "ol", "li", "dl", "dt", "dd", "a", "div"),
        *("table", "thead", "tbody", "tr", "th", "td"),
    }
)
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener"


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    match tag, name:
        case ("a", "href" | "title" | "rel") | ("abbr", "title"):
            return True
        case ("th" | "td", "align"):
            return value in {"left", "right", "center"}
        case ("code", "class"):
            return value.startswith("language-")
        case ("div", "class"):
            return value == "footnote"
        case ("a", "class"):
            return value in {"footnote-ref", "footnote-backref"}
        # Footnotes link by id; no other id is allowed, so user text cannot
        # clobber the page's own ids (``main``, form fields).
        case ("sup", "id"):
            return value.startswith("fnref:")
        case ("li", "id"):
            return value.startswith("fn:")
    return False


def _set_rel(attrs: dict, new: bool = False) -> dict:
    """Every link leaving the page is nofollow noopener; in-page anchors stay as they are."""
    if not attrs.get((None, "href"), "").startswith("#"):
        attrs[(None, "rel")] = LINK_REL
    return attrs


# A Cleaner keeps parser state, so each thread gets its own.
_local = threading.local()


def _cleaner() -> Cleaner:
    cleaner = getattr(_local, "cleaner", None)
    if cleaner is None:
        cleaner = _local.cleaner = Cleaner(
            tags=ALLOWED_TAGS,
            attributes=_allowed_attribute,
            protocols=ALLOWED_PROTOCOLS,
            strip=True,
            strip_comments=True,
            filters=[partial(LinkifyFilter, callbacks=[_set_rel], skip_tags={"pre", "code"})],
        )
    return cleaner


# The same Markdown renders to the same HTML: a page shows every section on
# every view and most are unchanged since the last one, so the result (an
# immutable SafeString) is kept per text. Bounded: about 4,096 sections.
@lru_cache(maxsize=4096)
def render_markdown(text: str) -> SafeString:
    html = markdown.markdown(
        text,
        extensions=["extra", "sane_lists"],
        # Table alignment as an attribute: the CSP forbids inline styles.
        extension_configs={"extra": {"tables": {"use_align_attribute": True}}},
        output_format="html",
    )
    return sanitize(html)


def sanitize(html: str) -> SafeString:
    """Only the allowlisted tags, attributes and protocols of ``html``;
    sanitizing the result again changes nothing."""
    cleaned = _cleaner().clean(html)
    # Misnested input (a table inside a link) serializes to HTML that parses
    # into another tree; clean until what a browser parses is what was cleaned.
    for _ in range(3):
        again = _cleaner().clean(cleaned)
        if again == cleaned:
            break
        cleaned = again
    # Safe: only the allowlisted tags, attributes and protocols are left (the
    # one mark_safe of user text; bandit is told so).
    return mark_safe(cleaned)  # nosec B308
