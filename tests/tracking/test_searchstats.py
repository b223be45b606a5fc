"""Search counting: the normalizer keeps no digits, e-mail addresses, phone numbers or URLs; counts go through a
buffer (no write per search); bots, HEAD and prefetches are not counted; result opens are counted by a redirect."""

from __future__ import annotations

import re
import string

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import example, given, settings as hypothesis_settings, strategies as st
from hypothesis.provisional import urls

from portal.content.models import Article
from portal.tracking import searchstats
from portal.tracking.models import SearchCount
from portal.tracking.searchstats import normalize_query

BROWSER = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36"


@pytest.mark.parametrize("raw, expected", [
    ("Perché il mio NUMERO è BLOCCATO?", "perche il mio numero e bloccato"),
    ("bloccato +39 333 123 4567", "bloccato"),
    ("scrivi a mario.rossi@example.it per il ricorso", "scrivi a per il ricorso"),
    ("https://www.example.com/pagina?x=1 sito non valido", "sito non valido"),
    ("sito www.negozio-esempio.it bloccato", "sito bloccato"),
    ("negozio.it", ""),
    ("codice ABC123XYZ", "codice abc xyz"),
    ("２０２６年 ① ²", "年"),
    ("Straße   Ärger", "strasse arger"),
    ("3331234567", ""),
    ("", ""),
])
def test_normalizer_examples(raw, expected):
    assert normalize_query(raw) == expected


def test_normalizer_keeps_at_most_a_hundred_characters_cut_at_a_word():
    query = normalize_query("parola " * 40)
    assert len(query) <= searchstats.MAX_QUERY and query.endswith("parola") and "  " not in query


# Property tests: whatever the text around it, the normalizer never keeps a digit, an e-mail address or a URL.

text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=60)
words = st.lists(st.text(alphabet=string.ascii_letters + "àèéìòù", min_size=1, max_size=8), max_size=5).map(" ".join)
phones = st.builds(
    lambda plus, groups, sep: ("+" if plus else "") + sep.join(groups),
    st.booleans(), st.lists(st.text(alphabet=string.digits, min_size=2, max_size=4), min_size=3, max_size=5),
    st.sampled_from([" ", "-", ".", "/", ""]),
)


@hypothesis_settings(max_examples=300, deadline=None)
@given(text)
@example("\U00020aea")  # a CJK ideograph (a letter, Lo) that Unicode gives a numeric value: hypothesis found it
def test_normalizer_never_keeps_a_digit(raw):
    normalized = normalize_query(raw)
    assert not any(char.isdigit() or char.isnumeric() for char in normalized)
    assert not re.search(r"\d", normalized)


@hypothesis_settings(max_examples=200, deadline=None)
@given(words, st.emails(), words)
def test_normalizer_never_keeps_an_email(before, email, after):
    normalized = normalize_query(f"{before} {email} {after}")
    assert "@" not in normalized
    assert normalized == normalize_query(f"{before} {after}")  # the address is gone whole, not in pieces


@hypothesis_settings(max_examples=200, deadline=None)
@given(words, urls(), words)
def test_normalizer_never_keeps_a_url(before, url, after):
    normalized = normalize_query(f"{before} {url} {after}")
    assert "://" not in normalized and "/" not in normalized and "." not in normalized
    assert normalized == normalize_query(f"{before} {after}")


@hypothesis_settings(max_examples=200, deadline=None)
@given(words, phones, words)
def test_normalizer_never_keeps_a_phone_number(before, phone, after):
    normalized = normalize_query(f"{before} {phone} {after}")
    assert normalized == normalize_query(f"{before} {after}")


@hypothesis_settings(max_examples=200, deadline=None)
@given(text)
def test_normalizing_twice_changes_nothing(raw):
    once = normalize_query(raw)
    assert normalize_query(once) == once


# Counting ------------------------------------------------------------------------------------------------------

pytestmark_db = pytest.mark.django_db


def search(client, q, **headers):
    return client.get("/it/search/", {"q": q}, HTTP_USER_AGENT=headers.pop("agent", BROWSER), **headers)


@pytest.mark.django_db
def test_done_when_searching_for_a_phone_number_leaves_no_digits_in_the_database(client, imported):
    assert search(client, "+39 333 123 4567").status_code == 200
    assert search(client, "bloccato 333-1234567 mario.rossi@example.it").status_code == 200
    assert list(SearchCount.objects.values_list("query", "searches", "zero_results")) == [("bloccato", 1, 0)]
    from io import StringIO

    dump = StringIO()
    call_command("dumpdata", "tracking", stdout=dump)
    assert "333" not in dump.getvalue() and "1234567" not in dump.getvalue() and "example.it" not in dump.getvalue()
    assert not any(re.search(r"\d", query) for query in SearchCount.objects.values_list("query", flat=True))


@pytest.mark.django_db
def test_found_nothing_is_counted_per_language_and_day(client, imported):
    search(client, "zzqy xxkw")
    search(client, "Zzqy XXKW!")
    client.get("/en/search/", {"q": "zzqy xxkw"}, HTTP_USER_AGENT=BROWSER)
    rows = {(row.locale, row.query): (row.searches, row.zero_results) for row in SearchCount.objects.all()}
    assert rows == {("it", "zzqy xxkw"): (2, 2), ("en", "zzqy xxkw"): (1, 1)}


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["bot", "preview", "head", "prefetch", "sec-purpose", "no-agent", "page-2"])
def test_bots_heads_prefetches_and_later_pages_are_not_counted(client, imported, how):
    if how == "bot":
        client.get("/it/search/", {"q": "ricorso"}, HTTP_USER_AGENT="Googlebot/2.1 (+http://www.google.com/bot.html)")
    elif how == "preview":
        client.get("/it/search/", {"q": "ricorso"}, HTTP_USER_AGENT="WhatsApp/2.23.20.0 A")
    elif how == "head":
        client.head("/it/search/", {"q": "ricorso"}, HTTP_USER_AGENT=BROWSER)
    elif how == "prefetch":
        client.get("/it/search/", {"q": "ricorso"}, HTTP_USER_AGENT=BROWSER, HTTP_PURPOSE="prefetch")
    elif how == "sec-purpose":
        client.get("/it/search/", {"q": "ricorso"}, HTTP_USER_AGENT=BROWSER, HTTP_SEC_PURPOSE="prefetch;prerender")
    elif how == "no-agent":
        client.get("/it/search/", {"q": "ricorso"})
    else:
        client.get("/it/search/", {"q": "ricorso", "page": "2"}, HTTP_USER_AGENT=BROWSER)
    assert not SearchCount.objects.exists()


@pytest.mark.django_db
def test_a_search_get_writes_nothing_until_the_buffer_is_flushed(client, imported, settings):
    settings.SEARCH_STATS_FLUSH_SECONDS = 3600
    settings.SEARCH_STATS_FLUSH_ENTRIES = 3
    search(client, "ricorso")  # warm caches
    searchstats.flush()
    SearchCount.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        search(client, "ricorso")
        search(client, "spam")
    writes = [q["sql"] for q in queries.captured_queries if "tracking_searchcount" in q["sql"]]
    assert writes == [] and searchstats.pending() == 2
    assert not SearchCount.objects.exists()
    with CaptureQueriesContext(connection) as queries:
        search(client, "sito web")  # the third distinct query fills the buffer: one bulk upsert
    upserts = [q["sql"] for q in queries.captured_queries if "tracking_searchcount" in q["sql"]]
    assert len(upserts) == 1 and upserts[0].startswith("INSERT")
    assert searchstats.pending() == 0
    assert sorted(SearchCount.objects.values_list("query", "searches")) == [("ricorso", 1), ("sito web", 1),
                                                                           ("spam", 1)]
    search(client, "ricorso")
    searchstats.flush()  # the upsert adds to the day's row
    assert SearchCount.objects.get(query="ricorso").searches == 2


@pytest.mark.django_db
def test_a_failed_flush_keeps_the_counts_for_the_next_one(imported, settings, monkeypatch):
    from django.db import DatabaseError
    from django.test import RequestFactory

    settings.SEARCH_STATS_FLUSH_SECONDS = 3600
    request = RequestFactory().get("/it/search/", {"q": "ricorso"}, HTTP_USER_AGENT=BROWSER)
    searchstats.count_search(request, "ricorso", "it", hits=2)

    def broken(rows):
        raise DatabaseError("down")

    monkeypatch.setattr(searchstats, "_upsert", broken)
    assert searchstats.flush() == 0 and searchstats.pending() == 1
    monkeypatch.undo()
    assert searchstats.flush() == 1
    assert SearchCount.objects.get(query="ricorso").searches == 1


@pytest.mark.django_db
def test_search_counts_go_through_the_shared_count_buffer_path(imported, settings, monkeypatch, caplog):
    """Search counts are a CountBuffer (counts.py) with settings of their own: the link-open interval does not
    write them, a failed write is counted like every tracking write, the exit flush writes them, and a search and
    an opened result of one query wait as one entry and land in one row."""
    from django.db import DatabaseError
    from django.test import RequestFactory

    from portal.tracking import counts
    from portal.tracking.safety import failed_writes

    settings.PORTAL_COUNT_FLUSH_SECONDS = 0  # the link opens' interval: not the search counts'
    settings.SEARCH_STATS_FLUSH_SECONDS = 3600
    request = RequestFactory().get("/it/search/", {"q": "ricorso"}, HTTP_USER_AGENT=BROWSER)
    searchstats.count_search(request, "Ricorso", "it", hits=0)
    searchstats.count_open(request, "ricorso!", "it")
    assert searchstats.pending() == 1 and not SearchCount.objects.exists()

    def broken(rows):
        raise DatabaseError("down")

    before = failed_writes().get("search_count", 0)
    monkeypatch.setattr(searchstats, "_upsert", broken)
    counts.flush_all()
    assert failed_writes()["search_count"] == before + 1 and searchstats.pending() == 1
    monkeypatch.undo()

    counts.flush_all()  # what runs at exit
    row = SearchCount.objects.get()
    assert (row.locale, row.query, row.searches, row.zero_results, row.opens) == ("it", "ricorso", 1, 1, 1)
    searchstats.count_search(request, "spam", "it", hits=1)
    counts.discard_all()  # between tests (tests/conftest.py)
    assert searchstats.pending() == 0


@pytest.mark.django_db
def test_result_links_count_opens_through_a_redirect_with_the_normalized_query(client, imported):
    body = search(client, "Ricorso 333 1234567").content.decode()
    article = Article.objects.get(locale="it", translation_key="appeal")
    link = f'/it/search/open/{article.slug}/?q=ricorso'
    assert f'href="{link}"' in body and "1234567" not in body.split("<ol class=\"results\"")[1]
    response = client.get(link, HTTP_USER_AGENT=BROWSER)
    assert response.status_code == 302 and response["Location"] == f"/it/articles/{article.slug}/"
    client.get(link, HTTP_USER_AGENT="facebookexternalhit/1.1")  # a link preview: not counted
    row = SearchCount.objects.get(query="ricorso")
    assert (row.searches, row.zero_results, row.opens) == (1, 0, 1)


@pytest.mark.django_db
def test_result_redirect_of_an_unknown_article_is_a_404(client, imported):
    assert client.get("/it/search/open/non-esiste/?q=x", HTTP_USER_AGENT=BROWSER).status_code == 404
    assert client.post(f"/it/search/open/{Article.objects.first().slug}/").status_code == 405
    assert not SearchCount.objects.exists()
