"""The staff home's own sections (issue 12's editorial readouts register theirs beside these)."""

from django.utils.translation import gettext_lazy as _

from .access import VIEW_WALKS
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
