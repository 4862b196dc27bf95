"""Lesson text as safe HTML. Pure functions, no ORM.

A text lesson's body is cleaned here when it is saved (courses.services.structure), and the lesson
page renders the stored HTML as it is. So whatever an author pastes, only this small set of tags
reaches a learner's browser: no script, no event handler attribute, no style, no frame, no form,
and links only to http, https or mailto addresses, each opened without access to our page.
"""

import re

import nh3
from django.utils.html import linebreaks, strip_tags

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "strong",
        "em",
        "ul",
        "ol",
        "li",
        "h2",
        "h3",
        "a",
        "blockquote",
        "table",
        "caption",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
    }
)
ALLOWED_ATTRIBUTES = {"a": {"href"}, "th": {"scope", "colspan", "rowspan"}, "td": {"colspan", "rowspan"}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Removed with everything inside them; any other tag outside the allowed set is removed but its
# text is kept, so pasted <div> or <span> wrappers do not lose the author's words.
DROPPED_WITH_CONTENT = frozenset({"script", "style", "template", "iframe", "object", "noscript", "svg", "math"})

_cleaner = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(DROPPED_WITH_CONTENT),
    attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
    url_schemes=set(ALLOWED_URL_SCHEMES),
    # Relative links would point into our own site (for example at a logout form): refuse them.
    url_relative="deny",
    link_rel="noopener noreferrer",
    strip_comments=True,
)

_LOOKS_LIKE_HTML = re.compile(r"<\s*/?\s*[a-zA-Z!]")


def lesson_html_clean(text: str) -> str:
    """Return the lesson body as HTML holding only the allowed tags, attributes and links.

    Plain text (no tag at all) is turned into paragraphs first, so an author can simply type. A body
    without any visible text ("<p></p>") is returned empty.
    """
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        return ""
    if not _LOOKS_LIKE_HTML.search(text):
        text = linebreaks(text, autoescape=True)
    cleaned = _cleaner.clean(text).strip()
    return cleaned if strip_tags(cleaned).strip() else ""
