"""Article pages, search, sitemap and robots.txt: look up, then render."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count
from django.core.paginator import InvalidPage, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from portal.flows.registry import all_flows, step_ref
from portal.pagecache import cached_page
from portal.tracking.searchstats import count_search

from .articles import (TOPIC_PAGE_SIZE, TopicList, article_lookup, article_page, article_url, article_urls,
                       topic_url)
from .guides import guide_cards
from .markdown import heading_anchors, split_sources
from .models import Article, Topic
from .search import search as search_kb
from .sources import sources_merged
from .steps import step_texts


#: A table of contents from this many sections up: a shorter article is read at a glance.
TOC_MIN_HEADINGS = 3


@require_GET
@cached_page  # reads no query parameter: a page with a query is rendered, not stored
def article_detail(request: HttpRequest, slug: str) -> HttpResponse:
    locale = get_language()
    found = article_lookup(slug, locale)
    if found is None:
        raise Http404("no such article")
    if isinstance(found, str):
        return redirect(found, permanent=True)
    page = article_page(found, locale)
    body, _label, named = split_sources(found.body_html)  # the closing "Fonti: …" line joins the list below
    body, toc = heading_anchors(body)
    topic = Topic(found.topic) if found.topic in Topic.values else None
    return render(request, "content/article.html", {
        "page": page,
        "article": found,
        "body": mark_safe(body),  # sanitized at save (render_markdown); heading_anchors only adds ids it made
        "toc": toc if len(toc) >= TOC_MIN_HEADINGS else [],
        "topic": {"label": topic.label, "url": topic_url(topic.value, locale)} if topic else None,
        "sources": sources_merged(found.sources or [], named),
        "steps": _steps_using(found, locale),
        "guides": guide_cards(locale),
        "language_links": [{"code": code, "url": url, "name": translation.get_language_info(code)["name_local"]}
                           for code, url, _ in page.alternates],
        "hreflang": [(found.locale, request.build_absolute_uri(article_url(found)))] + [
            (code, request.build_absolute_uri(url)) for code, url, real in page.alternates if real
        ],
    })


#: Search result pages stay cached for this long (their key changes with every content edit anyway).
SEARCH_CACHE_SECONDS = 600


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    # Anything that must run on every search (counting the query, without a write: a GET writes nothing) goes here, outside the page
    # cache: a cache hit skips everything in search_page, whose query and hit count come back stored with the page.
    response = search_page(request)
    meta = getattr(response, "page_meta", None)
    if meta is not None:
        count_search(request, meta["query"], get_language(), meta["hits"])  # buffered, no write per search
    return response


@cached_page(timeout=SEARCH_CACHE_SECONDS, query=("q",))
def search_page(request: HttpRequest) -> HttpResponse:
    locale = get_language()
    results = search_kb(request.GET.get("q", ""), locale)
    response = render(request, "content/search.html", {
        "query": results.query, "hits": results.hits, "about_a_block": results.about_a_block,
        "guides": guide_cards(locale),
    })
    response.page_meta = {"query": results.query, "hits": len(results.hits)}  # for search()'s count, hit or not
    return response


@require_GET
@cached_page(timeout=SEARCH_CACHE_SECONDS, query=("page",))  # ordered by helpful votes too, which do not replace the revision token
def topic(request: HttpRequest, topic: str) -> HttpResponse:
    """A topic's articles, TOPIC_PAGE_SIZE a page (?page=N); a page that does not exist is a 404, another spelling
    of a page number (?page=02) a redirect to it."""
    if topic not in Topic.values:
        raise Http404("no such topic")
    locale = get_language()
    paginator = Paginator(TopicList(locale, topic), TOPIC_PAGE_SIZE, allow_empty_first_page=True)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except (InvalidPage, ValueError):
        raise Http404("no such page") from None
    base = topic_url(topic, locale)
    if request.GET.get("page", str(page.number)) != str(page.number):
        # "?page=02": the page's own address (each spelling would be a stored page of its own).
        return redirect(f"{base}?page={page.number}" if page.number > 1 else base, permanent=True)
    url = article_urls(locale)
    return render(request, "content/topic.html", {
        "topic": topic, "topic_label": Topic(topic).label, "page": page,
        "articles": [(article, url(article)) for article in page.object_list],
        "prev_url": (base if page.previous_page_number() == 1 else f"{base}?page={page.previous_page_number()}")
        if page.has_previous() else "",
        "next_url": f"{base}?page={page.next_page_number()}" if page.has_next() else "",
    })


#: URLs in one sitemap file (the protocol's limit); past it, /sitemap.xml becomes an index of files per language.
SITEMAP_MAX_URLS = 50_000


@require_GET
def sitemap(request: HttpRequest) -> HttpResponse:
    """Home and topic pages, each guide's first step and every published article in every locale, with hreflang
    alternates; not the guide's other steps (noindex, and out of bounds in robots.txt). Once past
    SITEMAP_MAX_URLS, an index of sitemap files per language."""
    counts = dict(Article.objects.published().values_list("locale").annotate(n=Count("id")).order_by())
    sizes = {code: len(_fixed_entries(code)) + counts.get(code, 0) for code, _ in settings.LANGUAGES}
    if sum(sizes.values()) <= SITEMAP_MAX_URLS:
        entries = [entry for code in sizes for entry in _sitemap_entries(request, code, 0, sizes[code])]
        return render(request, "sitemap.xml", {"entries": entries}, content_type="application/xml")
    files = [request.build_absolute_uri(reverse("sitemap-section", args=[code, number]))
             for code, size in sizes.items() for number in range(1, -(-size // SITEMAP_MAX_URLS) + 1)]
    return render(request, "sitemap_index.xml", {"files": files}, content_type="application/xml")


@require_GET
def sitemap_section(request: HttpRequest, locale: str, page: int) -> HttpResponse:
    """One file of the sitemap index: a language's URLs, SITEMAP_MAX_URLS a file."""
    if locale not in dict(settings.LANGUAGES) or page < 1:
        raise Http404("no such sitemap")
    start = (page - 1) * SITEMAP_MAX_URLS
    entries = _sitemap_entries(request, locale, start, start + SITEMAP_MAX_URLS)
    if not entries:
        raise Http404("no such sitemap")
    return render(request, "sitemap.xml", {"entries": entries}, content_type="application/xml")


def _fixed_entries(locale: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """(path, [(language, path)] alternates) of a language's pages that are not articles."""
    with translation.override(locale):
        pages = [(reverse("home"), []), *((reverse("content:topic", args=[topic]), []) for topic in Topic.values)]
    for flow in all_flows().values():  # each guide's first step is public; the other steps are noindex
        alternates = []
        for code, _ in settings.LANGUAGES:
            with translation.override(code):
                alternates.append((code, _first_step_url(flow)))
        pages.append((dict(alternates)[locale], alternates))
    return pages


def _sitemap_entries(request: HttpRequest, locale: str, start: int, stop: int) -> list[dict]:
    """Entries start..stop of a language: its home and topic pages, then its articles by id."""
    fixed = _fixed_entries(locale)
    entries = [{"loc": request.build_absolute_uri(url), "lastmod": None,
                "alternates": [(code, request.build_absolute_uri(other)) for code, other in alternates]}
               for url, alternates in fixed[start:stop]]
    first, last = max(start - len(fixed), 0), stop - len(fixed)
    if last <= 0:
        return entries
    fields = ("id", "locale", "slug", "translation_key", "updated")
    page = Article.objects.published().filter(locale=locale).order_by("id").only(*fields)[first:last]
    articles = list(page)
    by_key: dict[str, list[Article]] = {}
    if articles:
        others = (Article.objects.published().exclude(locale=locale).only(*fields)
                  .filter(translation_key__in=page.values("translation_key")))
        for other in others:
            by_key.setdefault(other.translation_key, []).append(other)
    for article in articles:
        own = request.build_absolute_uri(article_url(article))
        translations = by_key.get(article.translation_key, [])
        entries.append({
            "loc": own,
            "lastmod": article.updated,
            "alternates": [(article.locale, own)] + [
                (other.locale, request.build_absolute_uri(article_url(other))) for other in translations
            ],
        })
    return entries


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
                lines.append(f"Allow: {_first_step_url(flow)}")
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
