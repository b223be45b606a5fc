"""Article search: PostgreSQL full-text search with the language's stemming; a ranked fallback elsewhere.

Both return the best matches first with a short excerpt whose matching words are wrapped in <mark>.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from django.db import connection
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import Article

#: PostgreSQL text search configurations (and snowball stemmers) per locale.
CONFIGS = {"it": "italian", "en": "english"}
MAX_RESULTS = 20
EXCERPT_WORDS = 30
# Sentinels that cannot occur in article text, turned into <mark> only after escaping.
START, STOP = "\x02", "\x03"
WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class SearchHit:
    article: Article
    excerpt: SafeString


def search_articles(query: str, locale: str) -> list[SearchHit]:
    query = " ".join((query or "").split())[:200]
    if not query or not WORD.search(query):
        return []
    if connection.vendor == "postgresql":
        return _search_postgres(query, locale)
    return _search_ranked(query, locale)


def _search_postgres(query: str, locale: str) -> list[SearchHit]:
    from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector

    config = CONFIGS.get(locale, "simple")
    vector = (
        SearchVector("title", weight="A", config=config)
        + SearchVector("summary", weight="B", config=config)
        + SearchVector("body_text", weight="C", config=config)
    )
    search_query = SearchQuery(query, config=config, search_type="websearch")
    rows = (
        Article.objects.published()
        .filter(locale=locale)
        .annotate(rank=SearchRank(vector, search_query))
        .filter(rank__gt=0)
        .annotate(headline=SearchHeadline(
            "body_text", search_query, config=config, start_sel=START, stop_sel=STOP,
            max_words=EXCERPT_WORDS, min_words=15, max_fragments=1,
        ))
        .order_by("-rank", "title")[:MAX_RESULTS]
    )
    return [SearchHit(row, _marked(row.headline)) for row in rows]


def _search_ranked(query: str, locale: str) -> list[SearchHit]:
    """Without PostgreSQL: stem query and text with the language's snowball stemmer; rank by how many query
    words an article has, then by where (title > summary > body) and how often they occur."""
    stem = _stemmer(locale)
    wanted = {stem(word) for word in WORD.findall(query.lower())}
    hits = []
    for article in Article.objects.published().filter(locale=locale):
        fields = [(weight, [stem(w) for w in WORD.findall(text.lower())])
                  for weight, text in ((3.0, article.title), (2.0, article.summary), (1.0, article.body_text))]
        covered = wanted & {s for _, stems in fields for s in stems}
        if covered:
            frequency = sum(weight * min(sum(1 for s in stems if s in wanted), 10) for weight, stems in fields)
            hits.append((len(covered) * 100 + frequency, article))
    hits.sort(key=lambda item: (-item[0], item[1].title))
    return [SearchHit(article, _excerpt(article.body_text, wanted, stem)) for _, article in hits[:MAX_RESULTS]]


def _excerpt(text: str, wanted: set[str], stem) -> SafeString:
    words = text.split()
    first = next((i for i, w in enumerate(words) if any(stem(t.lower()) in wanted for t in WORD.findall(w))), 0)
    start = max(0, first - EXCERPT_WORDS // 3)
    chosen = words[start:start + EXCERPT_WORDS]
    marked = []
    for word in chosen:
        if any(stem(t.lower()) in wanted for t in WORD.findall(word)):
            marked.append(f"{START}{word}{STOP}")
        else:
            marked.append(word)
    prefix = "… " if start else ""
    suffix = " …" if start + EXCERPT_WORDS < len(words) else ""
    return _marked(prefix + " ".join(marked) + suffix)


def _marked(text: str) -> SafeString:
    """Escape everything, then turn the sentinels into <mark>: the excerpt is safe whatever the article says."""
    return mark_safe(escape(text or "").replace(START, "<mark>").replace(STOP, "</mark>"))


@lru_cache(maxsize=8)
def _stemmer(locale: str):
    language = CONFIGS.get(locale, "italian")
    stemmer = snowballstemmer.stemmer(language)
    return lru_cache(maxsize=20000)(stemmer.stemWord)
