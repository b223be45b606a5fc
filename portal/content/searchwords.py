"""The words search works with: snowball stems (one stemmer per thread), accents, stop words and the per-language
synonyms kept in kb/<locale>/synonyms.toml. Both database back-ends build their queries from `query_terms`."""

from __future__ import annotations

import re
import threading
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import snowballstemmer
from django.conf import settings

#: Snowball stemmers (and PostgreSQL text search configurations, see migration 0002) per locale.
LANGUAGES = {"it": "italian", "en": "english"}
WORD = re.compile(r"\w+", re.UNICODE)
MAX_QUERY_WORDS = 8

_local = threading.local()


def _thread_stemmer(language: str):
    """A snowball stemmer keeps its working word in the instance: sharing one between threads mixes words up."""
    stemmers = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = _local.stemmers = {}
    if language not in stemmers:
        stemmers[language] = snowballstemmer.stemmer(language)
    return stemmers[language]


def unaccent(word: str) -> str:
    """"perché" → "perche": people type without accents on a phone; PostgreSQL's unaccent does the same."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=50_000)
def stem(locale: str, word: str) -> str:
    """The stem of one lowercase word (accents removed first). The cache is shared; the stemmers are not."""
    return _thread_stemmer(LANGUAGES.get(locale, "italian")).stemWord(unaccent(word))


def words(text: str) -> list[str]:
    return WORD.findall((text or "").lower())


def stems_text(text: str, locale: str) -> str:
    """The text as the SQLite index stores it: one stem per word, stop words left out."""
    stop = search_words(locale).stop_words
    return " ".join(stem(locale, w) for w in words(text) if w not in stop)


@dataclass(frozen=True)
class SearchWords:
    #: stem of a word people type → phrases the articles use (each phrase a tuple of words)
    synonyms: dict[str, tuple[tuple[str, ...], ...]]
    stop_words: frozenset[str]
    #: stems that make a query "about a block": the guide is offered above the results
    guide_stems: frozenset[str]


@lru_cache(maxsize=8)
def search_words(locale: str) -> SearchWords:
    path = Path(settings.KB_DIR) / locale / "synonyms.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    listed = [w.lower() for w in data.get("stop", {}).get("words", [])]
    stop_words = frozenset(listed) | frozenset(unaccent(w) for w in listed)
    synonyms: dict[str, list[tuple[str, ...]]] = {}
    for target, typed in data.get("synonyms", {}).items():
        phrase = tuple(words(target))
        for word in typed:
            for key in words(word)[:1]:
                synonyms.setdefault(stem(locale, key), []).append(phrase)
    guide_stems = frozenset(stem(locale, w) for w in words(" ".join(data.get("guide_words", []))))
    return SearchWords({k: tuple(v) for k, v in synonyms.items()}, stop_words, guide_stems)


@dataclass(frozen=True)
class QueryTerm:
    """One word of a query: an article must contain one of its alternatives (the word itself, or a synonym phrase,
    each a tuple of words, stop words left out); `stemmed` is the same as stems."""

    word: str
    alternatives: tuple[tuple[str, ...], ...]
    stemmed: tuple[tuple[str, ...], ...]

    @property
    def stems(self) -> set[str]:
        return {s for phrase in self.stemmed for s in phrase}


def query_terms(query: str, locale: str) -> list[QueryTerm]:
    """The query's words without stop words, each with its synonyms, as stems. Empty: nothing to search for."""
    vocabulary = search_words(locale)
    terms = []
    seen = set()
    for word in words(query):
        if word in vocabulary.stop_words or unaccent(word) in vocabulary.stop_words:
            continue
        own = stem(locale, word)
        if not own or own in seen:
            continue
        seen.add(own)
        alternatives, stemmed = [(word,)], [(own,)]
        for phrase in vocabulary.synonyms.get(own, ()):
            phrase = tuple(w for w in phrase if w not in vocabulary.stop_words)
            stems = tuple(stem(locale, w) for w in phrase)
            if stems and stems not in stemmed:
                alternatives.append(phrase)
                stemmed.append(stems)
        terms.append(QueryTerm(word, tuple(alternatives), tuple(stemmed)))
        if len(terms) == MAX_QUERY_WORDS:
            break
    # "ricorso revisione": revisione means ricorso, which the query already asks for; keeping it would count twice.
    own_stems = {term.stemmed[0][0] for term in terms}
    return [term for term in terms
            if not any(set(phrase) <= own_stems - {term.stemmed[0][0]} for phrase in term.stemmed[1:])]


def about_a_block(terms: list[QueryTerm], locale: str) -> bool:
    guide_stems = search_words(locale).guide_stems
    return any(term.stems & guide_stems for term in terms)
