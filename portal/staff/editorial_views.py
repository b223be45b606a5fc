"""The editorial readouts (issue 12): what to translate, what to rewrite, what to write next. Each view reads one
query module (editorial.py, searchgaps.py) and renders it; each table also downloads as CSV from the same rows."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.content.models import Article, SourceRevision, StepText
from portal.content.revisions import side_by_side
from portal.content.words import SOURCE_LOCALE
from portal.flows.registry import all_flows

from . import editorial, searchgaps
from .access import EDITORIAL, staff_page
from .forms import DashboardFilterForm
from .tables import Column, Table, csv_response

TRANSLATIONS_PAGE_SIZE = 100
STATUSES = (editorial.MISSING, editorial.OUTDATED, editorial.CURRENT)


class EditorialFilterForm(DashboardFilterForm):
    """The dashboard's period and language, without a guide, version or step."""

    def __init__(self, data):
        super().__init__(data, flow=next(iter(all_flows().values())), step_choices=[])


def _locale(request: HttpRequest) -> str:
    locales = editorial.translation_locales()
    locale = request.GET.get("locale") or locales[0]
    if locale not in locales:
        raise Http404("no such language")
    return locale


def _translation_rows(request: HttpRequest):
    locale = _locale(request)
    status = request.GET.get("status", "")
    if status and status not in STATUSES:
        raise Http404("no such status")
    coverages = []
    chosen_rows = []
    for code in editorial.translation_locales():
        coverage, rows = editorial.localization(code, today=timezone.localdate())
        coverages.append(coverage)
        if code == locale:
            chosen_rows = [row for row in rows if not status or row.status == status]
    return locale, status, coverages, chosen_rows


TRANSLATION_COLUMNS = (
    Column("locale", _("Language")), Column("kind", _("Kind")), Column("key", _("Key")), Column("title", _("Title")),
    Column("status", _("State")), Column("readers", _("Readers"), numeric=True),
    Column("source_revision", _("Italian revision"), numeric=True), Column("follows", _("Follows"), numeric=True),
    Column("behind", _("Revisions behind")),
)


@staff_page(EDITORIAL)
def translations(request: HttpRequest) -> HttpResponse:
    locale, status, coverages, rows = _translation_rows(request)
    paginator = Paginator(rows, TRANSLATIONS_PAGE_SIZE, allow_empty_first_page=True)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "staff/translations.html", {
        "nav": "translations", "locale": locale, "status": status, "coverages": coverages, "page": page,
        "locales": editorial.translation_locales(), "statuses": STATUSES, "read_days": editorial.READ_DAYS,
    })


@staff_page(EDITORIAL)
def translations_csv(request: HttpRequest) -> HttpResponse:
    locale, status, _coverages, rows = _translation_rows(request)
    table = Table("translations", _("Translations"), TRANSLATION_COLUMNS, [row.csv_row(locale) for row in rows])
    return csv_response(table, f"translations-{locale}{'-' + status if status else ''}.csv")


@staff_page(EDITORIAL)
def translation_changes(request: HttpRequest, kind: str, key: str, locale: str) -> HttpResponse:
    """The Italian text's changes since the revision a translation follows, side by side."""
    if kind not in SourceRevision.Kind.values or locale not in editorial.translation_locales():
        raise Http404("no such text")
    if kind == SourceRevision.Kind.ARTICLE:
        source = Article.objects.filter(locale=SOURCE_LOCALE, translation_key=key).first()
        translation = Article.objects.filter(locale=locale, translation_key=key).first()
        admin_name = "admin:content_article_change"
    else:
        flow_id, _colon, node_id = key.partition(":")
        source = StepText.objects.filter(locale=SOURCE_LOCALE, flow_id=flow_id, node_id=node_id).first()
        translation = StepText.objects.filter(locale=locale, flow_id=flow_id, node_id=node_id).first()
        admin_name = "admin:content_steptext_change"
    if source is None:
        raise Http404("no such text")
    follows = translation.source_revision if translation is not None else 0
    revisions = list(SourceRevision.objects.filter(kind=kind, key=key, number__gt=follows or 0)
                     .order_by("number").defer("text"))
    from django.urls import reverse

    return render(request, "staff/translation_changes.html", {
        "nav": "translations", "kind": kind, "key": key, "locale": locale, "source": source,
        "translation": translation, "follows": follows or 0, "revisions": revisions,
        "rows": side_by_side(kind, key, follows), "latest": source.revision,
        "admin_url": reverse(admin_name, args=[translation.pk]) if translation else "",
        "source_admin_url": reverse(admin_name, args=[source.pk]),
    })


def _period_form(request: HttpRequest):
    form = EditorialFilterForm(request.GET)
    return form, (form.filters() if form.is_valid() else None)


UNHELPFUL_COLUMNS = (
    Column("locale", _("Language")), Column("first_day", _("From")), Column("last_day", _("To")),
    Column("on", _("On")), Column("key", _("Key")), Column("title", _("Title")),
    Column("votes", _("Votes"), numeric=True), Column("no", _("“No” votes"), numeric=True),
    Column("score", _("Unhelpful score (Wilson lower bound)"), numeric=True),
    *(Column(f"reason_{reason}", label, numeric=True) for reason, label in
      ((r.value, r.label) for r in editorial.Vote.UNHELPFUL_REASONS)),
)


@staff_page(EDITORIAL)
def unhelpful(request: HttpRequest) -> HttpResponse:
    form, filters = _period_form(request)
    context = {"nav": "unhelpful", "form": form, "reasons": editorial.Vote.UNHELPFUL_REASONS}
    if filters is None:
        return render(request, "staff/unhelpful.html", context, status=400)
    context.update(filters=filters, rows=editorial.unhelpful(locale=filters.locale, first=filters.first_day,
                                                             last=filters.last_day))
    return render(request, "staff/unhelpful.html", context)


@staff_page(EDITORIAL)
def unhelpful_csv(request: HttpRequest) -> HttpResponse:
    form, filters = _period_form(request)
    if filters is None:
        return render(request, "staff/unhelpful.html", {"nav": "unhelpful", "form": form}, status=400)
    rows = editorial.unhelpful(locale=filters.locale, first=filters.first_day, last=filters.last_day)
    table = Table("unhelpful", _("Unhelpful content"), UNHELPFUL_COLUMNS,
                  [row.csv_row(filters.locale, filters.first_day, filters.last_day) for row in rows])
    return csv_response(table, f"unhelpful-{filters.locale or 'all'}-{filters.first_day}-{filters.last_day}.csv")


@staff_page(EDITORIAL)
def searches(request: HttpRequest) -> HttpResponse:
    form, filters = _period_form(request)
    context = {"nav": "searches", "form": form, "min_count": settings.SEARCH_STATS_MIN_COUNT}
    if filters is None:
        return render(request, "staff/searches.html", context, status=400)
    context.update(filters=filters, tables=searchgaps.readout(
        locale=filters.locale, first=filters.first_day, last=filters.last_day))
    return render(request, "staff/searches.html", context)


@staff_page(EDITORIAL)
def searches_csv(request: HttpRequest, table: str) -> HttpResponse:
    if table not in searchgaps.TABLES:
        raise Http404("unknown table")
    form, filters = _period_form(request)
    if filters is None:
        return render(request, "staff/searches.html", {"nav": "searches", "form": form}, status=400)
    tables = searchgaps.readout(locale=filters.locale, first=filters.first_day, last=filters.last_day, only=table)
    return csv_response(tables[table], f"searches-{table}-{filters.locale or 'all'}-{filters.first_day}-"
                                       f"{filters.last_day}.csv")
