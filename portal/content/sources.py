"""Readable names for an article's sources: the site and the page's title, not a raw URL broken mid-word."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

#: A path segment that names a page: words joined by hyphens or underscores, optionally after a numeric id.
_WORDY = re.compile(r"^(?:\d+-)?(?P<words>[^\W\d_][\w%.-]*[-_][\w%.-]+)$")


@dataclass(frozen=True)
class Source:
    url: str
    site: str  # the domain, without "www."
    title: str  # words taken from the address, or "" when it has none worth showing


def source_from(value) -> Source:
    """A source as stored on an article: a URL, or a mapping with "url" and an optional "title"."""
    if isinstance(value, dict):
        url = str(value.get("url", ""))
        given = str(value.get("title", "")).strip()
    else:
        url, given = str(value), ""
    parts = urlsplit(url)
    site = parts.hostname or url
    site = site.removeprefix("www.")
    return Source(url=url, site=site, title=given or _title_from_path(parts.path))


def _title_from_path(path: str) -> str:
    for segment in reversed([s for s in unquote(path).split("/") if s]):
        segment = re.sub(r"\.(md|html?|php|aspx?)$", "", segment)
        match = _WORDY.match(segment)
        if match:
            words = re.sub(r"[-_]+", " ", match["words"]).strip()
            return words[:1].upper() + words[1:]
    return ""


def sources_merged(stored, named: list[tuple[str, str]]) -> list[Source]:
    """An article's sources field, plus the links of its closing "Sources: …" line (escaped HTML pairs), once each;
    a link's own text names the page better than its address does."""
    from html import unescape

    titles = {unescape(href): unescape(text) for href, text in named}
    result, seen = [], set()
    for value in [*stored, *titles]:
        source = source_from(value)
        if source.url in seen:
            continue
        seen.add(source.url)
        if source.url in titles and not (isinstance(value, dict) and value.get("title")):
            source = Source(url=source.url, site=source.site, title=titles[source.url])
        result.append(source)
    return result
