from urllib.parse import urlencode

from django import template
from django.urls import reverse

from portal.tracking.searchstats import normalize_query

register = template.Library()


@register.simple_tag
def result_url(article, query: str) -> str:
    """A search result's link: through the counting redirect with the normalized query (never the raw text), or
    straight to the article when nothing of the query may be kept."""
    key = normalize_query(query)
    if not key:
        return reverse("content:article", args=[article.slug])
    return reverse("tracking:search_open", args=[article.slug]) + "?" + urlencode({"q": key})
