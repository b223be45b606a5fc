"""Article search over an index: PostgreSQL full-text search (a stored, weighted tsvector with a GIN index) or
SQLite FTS5 (snowball stems). Same words on both: `searchwords.query_terms` (stems, stop words, synonyms).

Every query word (or one of its synonyms) must be in an article, or, when no article has them all, any of them; the
best matches come first (title > summary > body), each with a short excerpt of the body whose matching words are
wrapped in <mark>. One query per search, two when the first finds nothing.

Only a bounded set of matches is ranked (CANDIDATES articles matching in the title or summary, and as many matching
anywhere), so a word found in thousands of articles costs about what a rare one does; the excerpt is
made only for the MAX_RESULTS shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .models import Article
from .search_index import FTS_TABLE, fts_token
from .searchwords import QueryTerm, about_a_block, query_terms, stem, words

MAX_RESULTS = 20
#: Matches ranked at most, twice (title or summary matches, then matches anywhere): a query's cost stays bounded
#: however many of the articles contain its words; the best title matches are among them.
CANDIDATES = 100
EXCERPT_WORDS = 30
#: PostgreSQL text search configurations per locale (migration 0002: the built-in ones, accents removed).
CONFIGS = {"it": "portal_italian", "en": "portal_english"}
#: Only what the results page prints, and the body's text for the excerpt.
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
    """ts_rank over a bounded set of candidates found on the GIN indexes (title and summary first, then anywhere)."""
    config = CONFIGS.get(locale, CONFIGS["it"])
    groups, query_params = [], []
    for term in terms:
        groups.append("(" + " || ".join("plainto_tsquery(%s::regconfig, %s)" for _ in term.alternatives) + ")")
        for phrase in term.alternatives:
            query_params += [config, " ".join(phrase)]
    tsquery = "(" + (" && " if every else " || ").join(groups) + ")"
    columns = ", ".join(f"a.{name}" for name in FIELDS)
    # The tsquery is written out where it is used (not read from a CTE), so each match can use its GIN index.
    sql = f"""
        WITH candidates AS (
            (SELECT id FROM content_article WHERE search_head @@ {tsquery} AND locale = %s AND published
             LIMIT {CANDIDATES})
            UNION
            (SELECT id FROM content_article WHERE search_vector @@ {tsquery} AND locale = %s AND published
             LIMIT {CANDIDATES})
        ), ranked AS (
            SELECT a.id, a.title, ts_rank(a.search_vector, {tsquery}) AS rank
            FROM candidates JOIN content_article a ON a.id = candidates.id
            ORDER BY rank DESC, a.title LIMIT {MAX_RESULTS}
        )
        SELECT {columns}, a.body_text FROM ranked JOIN content_article a ON a.id = ranked.id
        ORDER BY ranked.rank DESC, ranked.title
    """
    params = [*query_params, locale, *query_params, locale, *query_params]
    return _hits(Article.objects.raw(sql, params), terms, locale)


def _search_sqlite(terms: list[QueryTerm], locale: str, every: bool) -> list[SearchHit]:
    """bm25 (title 10, summary 4, body 1) over a bounded set of candidates: the first matches in the title or the
    summary, then the first matches anywhere; the excerpt from the stems of the rows shown."""
    match = "(" + (" AND " if every else " OR ").join(
        "(" + " OR ".join("(" + " AND ".join(f'"{fts_token(locale, s)}"' for s in phrase) + ")"
                          for phrase in term.stemmed) + ")"
        for term in terms
    ) + ")"
    columns = ", ".join(f"a.{name}" for name in FIELDS)
    # Without ORDER BY, FTS5 walks the matches in rowid order and stops at the LIMIT: only these are scored.
    candidates = (f"SELECT * FROM (SELECT f.rowid AS id, bm25({FTS_TABLE}, 10.0, 4.0, 1.0) AS score "
                  f"FROM {FTS_TABLE} f JOIN content_article a ON a.id = f.rowid "
                  f"WHERE {FTS_TABLE} MATCH %s AND a.published LIMIT {CANDIDATES})")
    sql = f"""
        SELECT {columns}, a.body_text FROM (
            SELECT id, min(score) AS score FROM ({candidates} UNION ALL {candidates})
            GROUP BY id ORDER BY score LIMIT {MAX_RESULTS}
        ) ranked JOIN content_article a ON a.id = ranked.id
        ORDER BY ranked.score, a.title
    """
    params = [f"{{title summary}} : {match}", match]
    return _hits(Article.objects.raw(sql, params), terms, locale)


def _hits(rows, terms: list[QueryTerm], locale: str) -> list[SearchHit]:
    """The excerpts are made here from the rows shown, the same way on both databases (PostgreSQL's ts_headline
    parses each whole body again and cost more than the search)."""
    wanted = {s for term in terms for s in term.stems}
    return [SearchHit(row, _excerpt(row.body_text, wanted, locale)) for row in rows]


def _excerpt(text: str, wanted: set[str], locale: str) -> SafeString:
    seen: dict[str, bool] = {}

    def matches(token: str) -> bool:
        found = seen.get(token)
        if found is None:
            found = seen[token] = any(stem(locale, w) in wanted for w in words(token))
        return found

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
