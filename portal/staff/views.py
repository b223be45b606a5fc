"""The staff workspace. Views look up, call one query module, render; they never call the guide's views."""

from __future__ import annotations

from dataclasses import replace

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language

from portal.content.steps import step_texts
from portal.flows.model import Flow
from portal.flows.registry import all_flows, get_flow

from . import dashboard as figures
from .access import VIEW_WALKS, staff_page
from .flowmap import layout
from .forms import DashboardFilterForm
from .hub import sections_for
from .lookup import sessions_by_typed_code, walk_report
from .pages import dashboard_charts, flow_map_model, version_choices
from .steplinks import flow_order, step_tree
from .tables import csv_response

#: The longest text the look-up box takes (a code is 9 characters; room for spaces and a pasted sentence).
MAX_CODE_INPUT = 64


@staff_page()
def home(request: HttpRequest) -> HttpResponse:
    sections = sections_for(request.user)
    entries = [(section, section.highlights() if section.highlights else []) for section in sections]
    return render(request, "staff/home.html", {"sections": sections, "entries": entries, "nav": "home"})


@staff_page(VIEW_WALKS)
def lookup(request: HttpRequest) -> HttpResponse:
    typed = request.GET.get("code", "")
    context = {"nav": "lookup", "typed": typed[:MAX_CODE_INPUT]}
    if not typed.strip():
        return render(request, "staff/lookup.html", context)
    if len(typed) > MAX_CODE_INPUT:
        return render(request, "staff/lookup.html", {**context, "malformed": True}, status=400)
    found = sessions_by_typed_code(typed)
    context["found"] = found
    if not found.well_formed:
        return render(request, "staff/lookup.html", {**context, "malformed": True}, status=400)
    if not found.sessions:
        return render(request, "staff/lookup.html", context, status=404)
    if len(found.sessions) == 1:
        context["report"] = walk_report(found.sessions[0])
    return render(request, "staff/lookup.html", context)


@staff_page()
def links(request: HttpRequest) -> HttpResponse:
    flow = _flow(request)
    return render(request, "staff/links.html", {
        "nav": "links", "flow": flow, "flows": _flows(), "tree": step_tree(flow, step_texts(flow, get_language())),
    })


def _dashboard_form(request: HttpRequest, flow: Flow, texts) -> DashboardFilterForm:
    steps = [(node_id, texts[node_id].title) for node_id in flow_order(flow)]
    return DashboardFilterForm(request.GET, flow=flow, step_choices=steps)


@staff_page(VIEW_WALKS)
def dashboard(request: HttpRequest) -> HttpResponse:
    flow = _flow(request)
    locale = get_language()
    texts = step_texts(flow, locale)
    form = _dashboard_form(request, flow, texts)
    context = {"nav": "dashboard", "flow": flow, "flows": _flows(), "form": form,
               "version_choices": version_choices(flow, [], request.GET.get("version", "")[:64]),
               "chosen_version": request.GET.get("version") or flow.version}
    if not form.is_valid():
        return render(request, "staff/dashboard.html", context, status=400)
    filters = form.filters()
    board = figures.build(filters, texts, locale, now=timezone.now())
    context.update(board=board, charts=dashboard_charts(board), filters=filters,
                   version_choices=version_choices(flow, board.versions, filters.version),
                   chosen_version=filters.version, step_title=texts[filters.step].title if filters.step else "")
    return render(request, "staff/dashboard.html", context)


@staff_page(VIEW_WALKS)
def dashboard_csv(request: HttpRequest, table: str) -> HttpResponse:
    if table not in figures.TABLES:
        raise Http404("unknown table")
    flow = _flow(request)
    locale = get_language()
    texts = step_texts(flow, locale)
    form = _dashboard_form(request, flow, texts)
    if not form.is_valid():
        return render(request, "staff/dashboard.html",
                      {"nav": "dashboard", "flow": flow, "flows": _flows(), "form": form}, status=400)
    filters = form.filters()
    board = figures.build(filters, texts, locale, now=timezone.now(), only=table)
    parts = [flow.slug, filters.version, table, filters.first_day.isoformat(), filters.last_day.isoformat()]
    if filters.locale:
        parts.append(filters.locale)
    if filters.step:
        parts.append(filters.step)
    return csv_response(board.tables[table], "-".join(_safe(part) for part in parts) + ".csv")


@staff_page(VIEW_WALKS)
def flow_map(request: HttpRequest) -> HttpResponse:
    flow = _flow(request)
    locale = get_language()
    texts = step_texts(flow, locale)
    form = _dashboard_form(request, flow, texts)
    context = {"nav": "flow_map", "flow": flow, "flows": _flows(), "form": form}
    if not form.is_valid():
        return render(request, "staff/flow_map.html", context, status=400)
    filters = form.filters()
    # The map is the current flow's structure, so its traffic is the current version's.
    filters = replace(filters, version=flow.version, step="")
    placed = layout(flow)
    nodes, edges = flow_map_model(flow, placed, texts, figures.answers_chosen(figures.Sources.of(filters)), locale,
                                  _query(request, drop=("step", "version")))
    context.update(filters=filters, nodes=nodes, edges=edges,
                   size={"width": f"{placed.width:.0f}", "height": f"{placed.height:.0f}"},
                   untaken=[edge for edge in edges if not edge.traffic])
    return render(request, "staff/flow_map.html", context)


def _flows() -> list[Flow]:
    return list(all_flows().values())


def _flow(request: HttpRequest) -> Flow:
    slug = request.GET.get("flow")
    if slug:
        flow = get_flow(slug)
        if flow is None:
            raise Http404("unknown guide")
        return flow
    return _flows()[0]


def _query(request: HttpRequest, drop=()) -> dict[str, str]:
    """The filters of this request, to carry into links (CSV, a step's slice)."""
    return {key: value for key, value in request.GET.items() if key not in drop and value}


def _safe(text: str) -> str:
    return "".join(char if char.isalnum() or char in "._" else "-" for char in text)[:40]
