"""The one way markdown becomes HTML on this site: a fixed set of extensions, then nh3 sanitizing.

Editors write the markdown (in kb/ files and in the admin), so its output is never trusted before nh3 has seen it.
Callers store the result (Article.body_html, StepText.body_html) instead of rendering per request.
"""

from __future__ import annotations

import functools
import re
import threading

import markdown as python_markdown
import nh3

EXTENSIONS = ("sane_lists", "tables", "smarty")

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "i", "li", "ol", "p", "pre",
    "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "ol": {"start"}, "td": {"align"}, "th": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}

#: A link to another article written as its bare slug: [testo](fare-ricorso) or [testo](fare-ricorso#sezione).
ARTICLE_SLUG = re.compile(r"^(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)/?(?P<fragment>#[\w-]*)?$")
EXTERNAL_LINK = re.compile(r'<a ([^>]*?)href="(https?://[^"]*)"')


def render_markdown(text: str, *, link_base: str = "") -> str:
    """Markdown → sanitized HTML.

    With `link_base` (e.g. "/it/articles/"), a link to a bare slug points at that article in the same locale.
    Links to other sites get rel="noopener noreferrer".
    """
    return _render(text or "", link_base)


_local = threading.local()


def _markdown() -> python_markdown.Markdown:
    """One converter per thread, reset between texts: building one (its extensions) costs more than many renders."""
    converter = getattr(_local, "converter", None)
    if converter is None:
        converter = _local.converter = python_markdown.Markdown(extensions=list(EXTENSIONS), output_format="html")
    return converter


@functools.lru_cache(maxsize=512)
def _render(text: str, link_base: str) -> str:
    converter = _markdown()
    try:
        html = converter.convert(text)
    finally:
        converter.reset()

    def attribute_filter(tag: str, attribute: str, value: str) -> str | None:
        if tag == "a" and attribute == "href" and link_base:
            match = ARTICLE_SLUG.match(value)
            if match:
                return f"{link_base}{match['slug']}/{match['fragment'] or ''}"
        return value

    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,
        attribute_filter=attribute_filter,
        strip_comments=True,
    )
    # nh3 serializes attributes with double quotes and escapes quotes inside values, so this only sees real hrefs.
    return EXTERNAL_LINK.sub(r'<a \1href="\2" rel="noopener noreferrer"', clean)


H2 = re.compile(r"<h2>(?P<text>.*?)</h2>", re.S)


def heading_anchors(html: str) -> tuple[str, list[tuple[str, str]]]:
    """Gives each <h2> of sanitized HTML an id, for a table of contents; returns the HTML and (id, text) pairs.

    The ids are made here, after nh3, from the heading's own text (prefixed, so they never clash with the page's)."""
    from django.utils.html import strip_tags
    from django.utils.text import slugify

    toc: list[tuple[str, str]] = []
    seen: set[str] = set()

    def anchor(match: re.Match) -> str:
        text = " ".join(strip_tags(match["text"]).split())
        base = f"s-{slugify(text) or len(toc) + 1}"
        anchor_id, n = base, 2
        while anchor_id in seen:
            anchor_id, n = f"{base}-{n}", n + 1
        seen.add(anchor_id)
        toc.append((anchor_id, text))
        return f'<h2 id="{anchor_id}">{match["text"]}</h2>'

    return H2.sub(anchor, html), toc


#: A closing paragraph that only lists links after a label: "Fonti: [Meta](…), [Wati](…)."
_SOURCES_PARAGRAPH = re.compile(
    r"<p>(?P<label>[^<:]{1,30}):\s*(?P<links>(?:<a [^>]*>[^<]*</a>[\s,;.]*)+)</p>\s*$", re.S
)
_LINK = re.compile(r'<a [^>]*href="(?P<href>[^"]*)"[^>]*>(?P<text>[^<]*)</a>')


def split_sources(html: str) -> tuple[str, str, list[tuple[str, str]]]:
    """Takes a closing "Label: link, link." paragraph off sanitized HTML, to show it as a collapsed list.

    Returns (the HTML without it, the label, [(href, text)]); without such a paragraph, (html, "", [])."""
    match = _SOURCES_PARAGRAPH.search(html)
    if not match:
        return html, "", []
    links = [(m["href"], m["text"]) for m in _LINK.finditer(match["links"])]
    return html[: match.start()].rstrip(), match["label"].strip(), links
