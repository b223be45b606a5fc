"""Article pages, search, sitemap and robots.txt: look up, then render."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from portal.flows.registry import step_ref

from .articles import article_lookup, article_page, article_url
from .guides import guide_cards
from .models import Article
from .search import search as search_kb
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
    locale = get_language()
    results = search_kb(request.GET.get("q", ""), locale)
    return render(request, "content/search.html", {
        "query": results.query, "hits": results.hits, "about_a_block": results.about_a_block,
        "guides": guide_cards(locale),
    })


@require_GET
def sitemap(request: HttpRequest) -> HttpResponse:
    """Home pages and every published article in every locale, with hreflang alternates; not the guide's steps."""
    articles = list(Article.objects.published().order_by("translation_key", "locale"))
    by_key: dict[str, list[Article]] = {}
    for article in articles:
        by_key.setdefault(article.translation_key, []).append(article)
    entries = []
    for code, _ in settings.LANGUAGES:
        with translation.override(code):
            entries.append({"loc": request.build_absolute_uri(reverse("home")), "alternates": [], "lastmod": None})
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
    lines = ["User-agent: *", "Disallow: /admin/", "Allow: /", f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}"]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")


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
