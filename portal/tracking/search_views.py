"""The result link of a search: counts that a result was opened (buffered, searchstats.py), then redirects."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from portal.content.articles import article_lookup, article_url

from .searchstats import count_open


@require_safe
def search_open(request: HttpRequest, slug: str) -> HttpResponse:
    """/<lang>/search/open/<slug>/?q=<normalized query>: the article's page, after counting the open. Only a slug
    is followed, so this is no open redirect; `q` is normalized again before it is counted."""
    found = article_lookup(slug, get_language())
    if found is None:
        raise Http404("no such article")
    count_open(request, request.GET.get("q", "")[:300], get_language())
    response = redirect(found if isinstance(found, str) else article_url(found, get_language()))
    response["X-Robots-Tag"] = "noindex"
    return response
