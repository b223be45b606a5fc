"""The staff home: a list of sections that other parts of the site can add to.

A section names its page by URL name and the permission it needs; the home page shows the sections the signed-in
user may open, in the order they were registered. Register from an app's `ready()` (or at import of its urls).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from django.urls import reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class Section:
    key: str
    title: str | Promise
    description: str | Promise
    url_name: str
    permission: str | None = None
    #: Optional: what the staff home lists under the section, as (text, url, note) links one click away.
    highlights: Callable[[], list[tuple[str, str, str]]] | None = None

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_sections: dict[str, Section] = {}


def register(section: Section) -> None:
    """Adds (or replaces, by key) a section of the staff home."""
    _sections[section.key] = section


def sections_for(user) -> list[Section]:
    return [s for s in _sections.values() if not s.permission or user.has_perm(s.permission)]
