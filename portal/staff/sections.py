"""The staff home's own sections (issue 12's editorial readouts register theirs beside these)."""

from django.utils.translation import gettext_lazy as _

from .access import EDITORIAL, VIEW_WALKS
from .hub import Section, register


def register_staff_sections() -> None:
    register(Section("lookup", _("Look up a walk"),
                     _("Type the reference code a customer quotes and see the walk as they saw it."),
                     "staff:lookup", VIEW_WALKS))
    register(Section("links", _("Step links"),
                     _("Every step of the guide, with its link in each language, ready to copy."),
                     "staff:links"))
    register(Section("dashboard", _("Dashboard"),
                     _("Walks, outcomes, drop-off, answers, helpfulness and link opens, by period and language."),
                     "staff:dashboard", VIEW_WALKS))
    register(Section("flow-map", _("Flow map"),
                     _("The whole guide drawn as a map, each branch with its traffic."),
                     "staff:flow_map", VIEW_WALKS))
    register(Section("translations", _("Translations"),
                     _("What to translate: per language, the share up to date, and every missing or outdated text."),
                     "staff:translations", EDITORIAL))
    register(Section("unhelpful", _("Unhelpful content"),
                     _("The articles, steps and outcomes people find least helpful, with their reasons."),
                     "staff:unhelpful", EDITORIAL, highlights=_least_helpful))
    register(Section("searches", _("Search gaps"),
                     _("What people search for, what finds nothing, and results nobody opens."),
                     "staff:searches", EDITORIAL, highlights=_zero_result_search))


#: The staff home's highlights look at this many days.
HIGHLIGHT_DAYS = 30


def _period():
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()
    return today - dt.timedelta(days=HIGHLIGHT_DAYS - 1), today


def _least_helpful() -> list[tuple[str, str, str]]:
    """The three least helpful pages of the last 30 days, each linked to its page."""
    from . import editorial

    first, last = _period()
    return [(row.title, row.page_url or row.admin_url,
             _("%(no)s of %(votes)s said no") % {"no": row.no, "votes": row.votes})
            for row in editorial.unhelpful(locale="", first=first, last=last, limit=3)]


def _zero_result_search() -> list[tuple[str, str, str]]:
    """The search that found nothing most often in the last 30 days, linked to the readout's list."""
    from django.urls import reverse

    from . import searchgaps

    first, last = _period()
    found = searchgaps.most_common_zero(first=first, last=last)
    if not found:
        return []
    return [(f"“{found['query']}”", reverse("staff:searches") + "#table-zero",
             _("found nothing %(times)s times") % {"times": found["nothing"]})]
