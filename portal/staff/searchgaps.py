"""The search gaps readout: top queries, queries that found nothing, queries whose results were never opened.

Reads only tracking.SearchCount (normalized queries, counted per day and language by tracking/searchstats.py).
A query made fewer than SEARCH_STATS_MIN_COUNT times in the period is never shown, in any list or export.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import F, Sum
from django.utils.translation import gettext_lazy as _

from portal.tracking.models import SearchCount

from .tables import Column, Table

LIMIT = 50
TABLES = ("top", "zero", "unopened")

COLUMNS = (
    Column("query", _("Search")),
    Column("searches", _("Searches"), numeric=True),
    Column("zero_results", _("Found nothing"), numeric=True),
    Column("opens", _("Results opened"), numeric=True),
)


def grouped(*, locale: str, first: dt.date, last: dt.date):
    """Each query of the period (and language; "" for all) with its totals, if made at least the minimum times."""
    rows = SearchCount.objects.filter(day__gte=first, day__lte=last)
    if locale:
        rows = rows.filter(locale=locale)
    return (rows.values("query").annotate(total=Sum("searches"), nothing=Sum("zero_results"), opened=Sum("opens"))
            .filter(total__gte=max(1, settings.SEARCH_STATS_MIN_COUNT)))


def readout(*, locale: str, first: dt.date, last: dt.date, only: str | None = None,
            limit: int = LIMIT) -> dict[str, Table]:
    base = grouped(locale=locale, first=first, last=last)
    lists = {
        "top": (_("Most searched"), base.order_by("-total", "query"), ""),
        "zero": (_("Searches that found nothing"), base.filter(nothing__gt=0).order_by("-nothing", "query"),
                 _("Write an article for these, or add the words as synonyms in kb/<language>/synonyms.toml.")),
        "unopened": (_("Searches whose results were never opened"),
                     base.filter(opened=0, total__gt=F("nothing"))
                     .order_by((F("total") - F("nothing")).desc(), "query"),
                     _("People found articles but opened none: the titles may not match what they look for.")),
    }
    tables = {}
    for slug, (title, rows, note) in lists.items():
        if only and slug != only:
            continue
        tables[slug] = Table(slug, title, COLUMNS, [
            {"query": query, "searches": total, "zero_results": nothing, "opens": opened}
            for query, total, nothing, opened in rows.values_list("query", "total", "nothing", "opened")[:limit]
        ], note=note)
    return tables


def most_common_zero(*, first: dt.date, last: dt.date) -> dict | None:
    """The query that found nothing most often in the period, in any language (for the staff home)."""
    return (grouped(locale="", first=first, last=last).filter(nothing__gt=0)
            .order_by("-nothing", "query").values("query", "nothing").first())
