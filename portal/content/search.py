"""Article search over an index: PostgreSQL full-text search (a stored, weighted tsvector with a GIN index) or
SQLite FTS5 (snowball stems). Same words on both: `searchwords.query_terms` (stems, stop words, synonyms).

Every query word (or one of its synonyms) must be in an article, or, when no article has them all, any of them; the
best matches come first (title > summary > body), each with a short excerpt of the body whose matching words are
wrapped in <mark>. One query per search, two when the first finds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import Article
from .search_index import FTS_TABLE
from .searchwords import QueryTerm, about_a_block, query_terms, stem, words

MAX_RESULTS = 20
EXCERPT_WORDS = 30
#: PostgreSQL text search configurations per locale (migration 0002: the built-in ones, accents removed).
CONFIGS = {"it": "portal_italian", "en": "portal_english"}
#: Only what the results page prints: the body's text is read for the excerpt on SQLite only.
FIELDS = ("id", "locale", "slug", "translation_key", "title", "summary")
# Sentinels that cannot occur in article text, turned into <mark> only after escaping.
START, STOP = "\x02", "\x03"


@dataclass(frozen=True)
class SearchHit:
    article: Article
    excerpt: SafeString


@dataclass(frozen=True)
class SearchResults:
    query: str
    hits: list[SearchHit]
    #: the query is about a block: the page offers the guide above the results
    about_a_block: bool


def search(query: str, locale: str) -> SearchResults:
    query = " ".join((query or "").split())[:200]
    terms = query_terms(query, locale)
    hits = []
    backend = _search_postgres if connection.vendor == "postgresql" else _search_sqlite
    if terms:
        hits = backend(terms, locale, every=True)
    if not hits and len(terms) > 1:  # "come faccio ricorso": no article has every word; the best of any
        hits = backend(terms, locale, every=False)
    return SearchResults(query, hits, about_a_block(terms, locale))


def search_articles(query: str, locale: str) -> list[SearchHit]:
    return search(query, locale).hits


def _search_postgres(terms: list[QueryTerm], locale: str, every: bool) -> list[SearchHit]:
    """Rank over the GIN index in a subquery; the headline only for the rows shown."""
    config = CONFIGS.get(locale, CONFIGS["it"])
    groups, params = [], []
    for term in terms:
        groups.append("(" + " || ".join("plainto_tsquery(%s::regconfig, %s)" for _ in term.alternatives) + ")")
        for phrase in term.alternatives:
            params += [config, " ".join(phrase)]
    tsquery = (" && " if every else " || ").join(groups)
    columns = ", ".join(f"a.{name}" for name in FIELDS)
    sql = f"""
        WITH q AS (SELECT {tsquery} AS query)
        SELECT {columns}, ts_headline(%s::regconfig, a.body_text, q.query, %s) AS headline
        FROM (
            SELECT a.id, ts_rank(a.search_vector, q.query) AS rank
            FROM content_article a, q
            WHERE a.search_vector @@ q.query AND a.locale = %s AND a.published
            ORDER BY rank DESC, a.title LIMIT {MAX_RESULTS}
        ) ranked JOIN content_article a ON a.id = ranked.id, q
        ORDER BY ranked.rank DESC, a.title
    """
    options = f"StartSel={START}, StopSel={STOP}, MaxWords={EXCERPT_WORDS}, MinWords=15, MaxFragments=1"
    params += [config, options, locale]
    return [SearchHit(row, _marked(row.headline)) for row in Article.objects.raw(sql, params)]


def _search_sqlite(terms: list[QueryTerm], locale: str, every: bool) -> list[SearchHit]:
    """bm25 over the FTS5 table (title 10, summary 4, body 1); the excerpt from the stems of the rows shown."""
    match = (" AND " if every else " OR ").join(
        "(" + " OR ".join("(" + " AND ".join(f'"{s}"' for s in phrase) + ")" for phrase in term.stemmed) + ")"
        for term in terms
    )
    columns = ", ".join(f"a.{name}" for name in FIELDS)
    sql = f"""
        SELECT {columns}, a.body_text FROM {FTS_TABLE} f JOIN content_article a ON a.id = f.rowid
        WHERE {FTS_TABLE} MATCH %s AND a.locale = %s AND a.published
        ORDER BY bm25({FTS_TABLE}, 10.0, 4.0, 1.0), a.title LIMIT {MAX_RESULTS}
    """
    wanted = {s for term in terms for s in term.stems}
    return [SearchHit(row, _excerpt(row.body_text, wanted, locale))
            for row in Article.objects.raw(sql, [match, locale])]


def _excerpt(text: str, wanted: set[str], locale: str) -> SafeString:
    def matches(token: str) -> bool:
        return any(stem(locale, w) in wanted for w in words(token))

    tokens = text.split()
    first = next((i for i, token in enumerate(tokens) if matches(token)), 0)
    start = max(0, first - EXCERPT_WORDS // 3)
    chosen = [f"{START}{t}{STOP}" if matches(t) else t for t in tokens[start:start + EXCERPT_WORDS]]
    prefix = "… " if start else ""
    suffix = " …" if start + EXCERPT_WORDS < len(tokens) else ""
    return _marked(prefix + " ".join(chosen) + suffix)


def _marked(text: str) -> SafeString:
    """Escape everything, then turn the sentinels into <mark>: the excerpt is safe whatever the article says."""
    return mark_safe(escape(text or "").replace(START, "<mark>").replace(STOP, "</mark>"))
