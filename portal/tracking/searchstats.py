"""Search gaps: what people search for, what finds nothing, and which results are never opened.

Privacy first: `normalize_query` runs before anything is kept, even in memory. It folds case and accents and removes
URLs, e-mail addresses, phone numbers and every digit, so a query like "bloccato 333 123 4567" is stored as
"bloccato" and a query of only a phone number is not stored at all.

No search GET writes to the database (a GET writes nothing): `count_search` and `count_open` add to a process-local,
thread-safe buffer (a `CountBuffer` of counts.py, like the link-open counts); the buffer is written in ONE bulk upsert
(INSERT … ON CONFLICT … DO UPDATE SET n = n + excluded.n) at most every SEARCH_STATS_FLUSH_SECONDS or once it holds
SEARCH_STATS_FLUSH_ENTRIES distinct queries, by a background thread of the process, and at exit. A crash (SIGKILL,
power loss) can lose at most the counts of the last SEARCH_STATS_FLUSH_SECONDS seconds. With
SEARCH_STATS_FLUSH_SECONDS = 0 (tests) every count is written at once.
Bots, HEAD requests and prefetches are not counted; neither are a query's later result pages.
"""

from __future__ import annotations

import logging
import re
import unicodedata

from django.db import connection, connections
from django.http import HttpRequest
from django.utils import timezone

from .counts import CountBuffer

logger = logging.getLogger(__name__)

#: The longest normalized query kept (cut at a word).
MAX_QUERY = 100

_URL = re.compile(r"(?:[a-z][a-z0-9+.\-]*://|www\.)\S*|\b(?:[\w-]+\.)+[a-z]{2,}(?:[/:?#]\S*)?", re.IGNORECASE)
_EMAIL = re.compile(r"\S*@\S*")
_PHONE = re.compile(r"\+?\(?\d[\d\s().\-/]*\d|\d")


def normalize_query(text: str) -> str:
    """A query as it may be stored: lower case, accents folded, without URLs, e-mail addresses, phone numbers or any
    digit or other number character, punctuation turned into spaces, at most MAX_QUERY characters. "" when nothing
    is left (such a query is not counted)."""
    text = unicodedata.normalize("NFKC", str(text or "")).casefold()
    text = _EMAIL.sub(" ", text)  # first: an address holds dots that look like a domain
    text = _URL.sub(" ", text)
    text = _PHONE.sub(" ", text)
    folded = unicodedata.normalize("NFKD", text)
    kept = []
    for char in folded:
        category = unicodedata.category(char)
        if category == "Mn":  # an accent, now apart from its letter
            continue
        # Letters only: no digits, symbols, punctuation, nor the few letters that are numbers too (CJK numerals).
        kept.append(char if category[0] == "L" and not char.isnumeric() else " ")
    words = "".join(kept).split()
    query = ""
    for word in words:
        candidate = f"{query} {word}" if query else word
        if len(candidate) > MAX_QUERY:
            break
        query = candidate
    return query


_BOT = re.compile(r"bot|crawl|spider|slurp|fetch|preview|scan|monitor|curl|wget|python-|http[-_ ]?client|"
                  r"facebookexternalhit|whatsapp|telegram|skype|headless|lighthouse", re.IGNORECASE)


def countable(request: HttpRequest) -> bool:
    """A person's search: a GET (not HEAD), not a prefetch or prerender, not a bot or a link preview."""
    if request.method != "GET":
        return False
    purpose = " ".join(request.headers.get(name, "") for name in ("Purpose", "Sec-Purpose", "X-Purpose", "X-Moz"))
    if "prefetch" in purpose.lower() or "prerender" in purpose.lower():
        return False
    agent = request.headers.get("User-Agent", "")
    return bool(agent) and not _BOT.search(agent)


# The buffer ------------------------------------------------------------------------------------------------------

class SearchCounts(CountBuffer):
    """Counts per (day, language, normalized query): (searches, zero_results, opens), written by a thread of the
    process every SEARCH_STATS_FLUSH_SECONDS (counts.py), at once when SEARCH_STATS_FLUSH_ENTRIES different queries
    are waiting, and at exit."""

    seconds_setting, seconds_default = "SEARCH_STATS_FLUSH_SECONDS", 30.0
    entries_setting, entries_default = "SEARCH_STATS_FLUSH_ENTRIES", 500
    in_background = True

    @staticmethod
    def combine(waiting, count):
        return tuple(a + b for a, b in zip(waiting, count))

    def write(self, counts: dict) -> None:
        _upsert([(day, locale, query, *numbers) for (day, locale, query), numbers in counts.items()])


search_counts = SearchCounts("search_count")


def _add(locale: str, query: str, searches: int = 0, zero: int = 0, opens: int = 0) -> None:
    search_counts.add((timezone.localdate(), locale[:8], query), (searches, zero, opens))


def count_search(request: HttpRequest, query: str, locale: str, hits: int) -> None:
    """Counts one search (call it from the search view, outside any page cache). Never raises."""
    try:
        if not countable(request) or request.GET.get("page") not in (None, "", "1"):
            return
        normalized = normalize_query(query)
        if normalized:
            _add(locale, normalized, searches=1, zero=0 if hits else 1)
    except Exception:  # counting must never break a search
        logger.exception("search count lost")


def count_open(request: HttpRequest, query: str, locale: str) -> None:
    """Counts one opened result of a search for `query` (the result-link redirect). Never raises."""
    try:
        if not countable(request):
            return
        normalized = normalize_query(query)
        if normalized:
            _add(locale, normalized, opens=1)
    except Exception:
        logger.exception("search open count lost")


def flush() -> int:
    """Writes the buffer in one bulk upsert; returns the rows written. On a database error the counts go back into
    the buffer for the next flush (counts.py) and 0 is returned."""
    return search_counts.flush_keys() or 0


def _upsert(rows) -> None:
    from .models import SearchCount

    table = connection.ops.quote_name(SearchCount._meta.db_table)
    values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(rows))
    sql = (f"INSERT INTO {table} (day, locale, query, searches, zero_results, opens) VALUES {values} "
           f"ON CONFLICT (day, locale, query) DO UPDATE SET "
           f"searches = {table}.searches + excluded.searches, "
           f"zero_results = {table}.zero_results + excluded.zero_results, "
           f"opens = {table}.opens + excluded.opens")
    params = [value for row in rows for value in row]
    with connections["default"].cursor() as cursor:
        cursor.execute(sql, params)


def pending() -> int:
    """How many different queries wait in this process's buffer."""
    return len(search_counts.pending())
