"""Page models of the staff pages: what each template shows, assembled from the query modules."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.content.models import StepText
from portal.content.steps import StepTexts
from portal.flows.model import CONTINUE, Flow

from . import charts
from .dashboard import OUTCOMES, NO_OUTCOME, Dashboard
from .flowmap import NODE_HEIGHT, NODE_WIDTH, Layout, PlacedEdge, PlacedNode
from .steplinks import permalink


def admin_text_urls(flow: Flow, locale: str) -> dict[str, str]:
    """Each node's StepText change page in the admin, in `locale` where it exists, else in Italian (one query)."""
    urls: dict[str, str] = {}
    rows = StepText.objects.filter(flow_id=flow.id, locale__in=[locale, "it"]).values_list("pk", "node_id", "locale")
    for pk, node_id, row_locale in sorted(rows, key=lambda row: row[2] != locale, reverse=True):
        urls[node_id] = reverse("admin:content_steptext_change", args=[pk])
    return urls


def dashboard_charts(board: Dashboard) -> dict[str, str]:
    """The SVG chart drawn from each table that has one."""
    result = {}
    tables = board.tables
    if "outcomes" in tables:
        bars = [charts.Bar(str(row["outcome"]), row["walks"], f"{row['walks']} ({row['share'] or 0}%)",
                           charts.COLOURS[row["key"]]) for row in tables["outcomes"].rows]
        result["outcomes"] = charts.bar_chart("chart-outcomes", _("Outcome mix"), bars)
    if "trend" in tables:
        table = tables["trend"]
        series = [(key, str(column.label), [row[key] for row in table.rows])
                  for key, column in ((c.key, c) for c in table.columns) if key in OUTCOMES + [NO_OUTCOME]]
        result["trend"] = charts.stacked_columns("chart-trend", _("Walks started per day, by outcome"),
                                                 [row["day"] for row in table.rows], series)
    if "dropoff" in tables:
        bars = [charts.Bar(str(row["step"]), row["share"] or 0, f"{row['share'] or 0}% ({row['left']})",
                           charts.COLOURS["bad"]) for row in tables["dropoff"].rows if row["reached"]]
        result["dropoff"] = charts.bar_chart("chart-dropoff", _("Share of walks that left at each step"), bars)
    return result


@dataclass(frozen=True)
class MapNode:
    place: PlacedNode
    kind: str  # question, info, outcome
    outcome: str
    title_lines: tuple[str, ...]
    title: str
    page_url: str
    admin_url: str
    dashboard_url: str
    untaken: bool  # no edge into this node had traffic (and it is not the start)

    @property
    def svg(self) -> dict[str, str]:
        """Coordinates as unlocalized strings (an Italian template would print "10,5")."""
        x, y = self.place.x, self.place.y
        return {key: f"{value:.1f}" for key, value in {
            "x": x, "y": y, "width": NODE_WIDTH, "height": NODE_HEIGHT, "text_x": x + 10, "title_y": y + 18,
            "links_y": y + NODE_HEIGHT - 10, "figures_x": x + 54, "kind_x": x + 120,
        }.items()}


@dataclass(frozen=True)
class MapEdge:
    place: PlacedEdge
    label: str
    answer: str
    source_title: str
    target_title: str
    traffic: int

    @property
    def svg(self) -> dict[str, str]:
        return {"label_x": f"{self.place.label_x:.1f}", "label_y": f"{self.place.label_y:.1f}"}


def _wrap(text: str, width: int = 27, lines: int = 2) -> tuple[str, ...]:
    words, result, line = text.split(), [], ""
    for word in words:
        if len(line) + len(word) + (1 if line else 0) <= width:
            line = f"{line} {word}".strip()
        else:
            result.append(line)
            line = word
    result.append(line)
    if len(result) > lines:
        result = result[:lines]
        result[-1] = result[-1][: width - 1].rstrip() + "…"
    return tuple(r[:width] for r in result)


def flow_map_model(flow: Flow, layout: Layout, texts: StepTexts, traffic: dict[tuple[str, str], int], locale: str,
                   query: dict) -> tuple[list[MapNode], list[MapEdge]]:
    admin_urls = admin_text_urls(flow, locale)
    dashboard = reverse("staff:dashboard")
    inbound: dict[str, int] = {}
    edges = []
    for placed in layout.edges:
        count = traffic.get((placed.source, placed.answer), 0)
        inbound[placed.target] = inbound.get(placed.target, 0) + count
        answer = _("Continue") if placed.answer == CONTINUE else texts[placed.source].answers.get(placed.answer,
                                                                                                    placed.answer)
        edges.append(MapEdge(placed, f"{_clip(answer, 15)} · {count}", answer, texts[placed.source].title,
                             texts[placed.target].title, count))
    nodes = []
    for node_id, place in layout.nodes.items():
        node = flow.nodes[node_id]
        title = texts[node_id].title
        nodes.append(MapNode(
            place=place,
            kind=node.type.value,
            outcome=node.outcome.value if node.outcome else "",
            title_lines=_wrap(title),
            title=title,
            page_url=permalink(flow, node, locale),
            admin_url=admin_urls.get(node_id, ""),
            dashboard_url=f"{dashboard}?{urlencode({**query, 'step': node_id})}#figures",
            untaken=node_id != flow.start and inbound.get(node_id, 0) == 0,
        ))
    return nodes, edges


def _clip(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def version_choices(flow: Flow, versions: list[dict], chosen: str) -> list[tuple[str, str]]:
    """The flow versions to offer: the current one first, then those with walks in the period, then the chosen."""
    choices = [(flow.version, _("%(version)s (current)") % {"version": flow.version})]
    for row in versions:
        if row["flow_version"] != flow.version:
            walks = row["walks"]
            choices.append((row["flow_version"], ngettext("%(version)s (%(n)s walk)", "%(version)s (%(n)s walks)",
                                                          walks) % {"version": row["flow_version"], "n": walks}))
    if chosen and chosen not in {value for value, _label in choices}:
        choices.append((chosen, chosen))
    return choices
