"""Article pages, search, sitemap and robots.txt: look up, then render."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from portal.flows.registry import all_flows, step_ref

from .articles import article_lookup, article_page, article_url
from .guides import guide_cards
from .models import Article
from .search import search_articles
from .steps import step_texts


@require_GET
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    locale = get_language()
    found = article_lookup(slug, locale)
    if found is None:
        raise Http404("no such article")
    if isinstance(found, str):
        return redirect(found, permanent=True)
    page = article_page(found, locale)
    return render(request, "content/article.html", {
        "page": page,
        "article": found,
        "steps": _steps_using(found, locale),
        "guides": guide_cards(locale),
        "language_links": [{"code": code, "url": url, "name": translation.get_language_info(code)["name_local"]}
                           for code, url, _ in page.alternates],
        "hreflang": [(found.locale, request.build_absolute_uri(article_url(found)))] + [
            (code, request.build_absolute_uri(url)) for code, url, real in page.alternates if real
        ],
    })


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    locale = get_language()
    hits = search_articles(query, locale) if query else []
    return render(request, "content/search.html", {"query": query, "hits": hits, "guides": guide_cards(locale)})


@require_GET
def sitemap(request: HttpRequest) -> HttpResponse:
    """Home pages, each guide's first step and every published article in every locale, with hreflang
    alternates; not the guide's other steps (noindex, and out of bounds in robots.txt)."""
    articles = list(Article.objects.published().order_by("translation_key", "locale"))
    by_key: dict[str, list[Article]] = {}
    for article in articles:
        by_key.setdefault(article.translation_key, []).append(article)
    entries = []
    for code, _ in settings.LANGUAGES:
        with translation.override(code):
            entries.append({"loc": request.build_absolute_uri(reverse("home")), "alternates": [], "lastmod": None})
    for flow in all_flows().values():  # each guide's first step is public; the other steps are noindex
        urls = []
        for code, _ in settings.LANGUAGES:
            with translation.override(code):
                urls.append((code, request.build_absolute_uri(_first_step_url(flow))))
        entries += [{"loc": url, "alternates": urls, "lastmod": None} for _code, url in urls]
    for article in articles:
        entries.append({
            "loc": request.build_absolute_uri(article_url(article)),
            "lastmod": article.updated,
            "alternates": [(other.locale, request.build_absolute_uri(article_url(other)))
                           for other in by_key[article.translation_key]],
        })
    return render(request, "sitemap.xml", {"entries": entries}, content_type="application/xml")


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Crawlers stay out of the guide's steps (each visit there is somebody's walk), except each guide's first
    step, its public landing page (also in the sitemap); the longest matching rule wins, so Allow beats Disallow."""
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /staff/"]
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            lines.append(f"Disallow: /{code}/guide/")
            lines.append(f"Disallow: {reverse('tracking:feedback')}")
            for flow in all_flows().values():
                lines.append(f"Allow: {_first_step_url(flow)}$")
    lines += ["Allow: /", f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}"]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


def _first_step_url(flow) -> str:
    return reverse("guide:step", args=[flow.slug, flow.nodes[flow.start].slug])


def _steps_using(article: Article, locale: str) -> list[tuple[str, str]]:
    """(step title, permalink) of the guide steps that link this article."""
    texts = {}
    result = []
    for step in article.steps:
        ref = step_ref(step)
        if ref:
            flow, node = ref
            if flow.id not in texts:
                texts[flow.id] = step_texts(flow, locale)
            result.append((texts[flow.id][node.id].title, reverse("guide:step", args=[flow.slug, node.slug])))
    return result
