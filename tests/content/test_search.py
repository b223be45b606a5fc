"""Search on an index, the same answers on SQLite (FTS5 + snowball stems) and PostgreSQL (stored tsvector + GIN):
stems, accents, synonyms from kb/<locale>/synonyms.toml, several words, no match; the index follows every edit."""

import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import snowballstemmer
from django.conf import settings
from django.db import connection

from portal.content import searchwords
from portal.content.importer import kb_import
from portal.content.models import Article
from portal.content.search import search, search_articles
from portal.flows.registry import all_flows
from tests.content.test_admin import article_form_data

pytestmark = pytest.mark.django_db


def found(query, locale):
    return [hit.article.translation_key for hit in search_articles(query, locale)]


def make_article(**fields):
    values = {"locale": "it", "slug": "prova", "translation_key": "prova", "title": "Prova", "summary": "s",
              "topic": "capire", "body": "Testo."}
    values.update(fields)
    return Article.objects.create(**values)


class SearchBehaviour:
    """Every test runs on SQLite (TestSqliteSearch) and on PostgreSQL (TestPostgresSearch)."""

    # -- the shared set of queries -------------------------------------------------------------------------------
    def test_stems_match_inflections(self, imported):
        assert "what-a-block-is" in found("bloccato", "it")  # the article says "blocco"
        assert "what-a-block-is" in found("bloccati", "it")
        assert "appeal" in found("appealing", "en")[:3]

    def test_accents_do_not_matter(self, imported):
        assert "prohibited-industries" in found("attivita", "it")  # the article says "attività"
        assert found("attivita", "it") == found("attività", "it")
        assert found("RICORSO", "it") == found("ricorso", "it")

    @pytest.mark.parametrize("query, locale, expected", [
        ("bannato", "it", "what-a-block-is"),
        ("sospeso", "it", "what-a-block-is"),
        ("template", "it", "template-quality-and-pausing"),
        ("appello", "it", "appeal"),
        ("banned", "en", "what-a-block-is"),
        ("review", "en", "appeal"),
    ])
    def test_synonyms_find_the_words_the_articles_use(self, imported, query, locale, expected):
        assert expected in found(query, locale)

    # Ranking depends on the articles' wording, which editors change: the right article is near the top.
    def test_template_finds_the_article_about_templates_near_the_top(self, imported):
        assert "template-quality-and-pausing" in found("template", "it")[:3]
        assert "template-quality-and-pausing" in found("template", "en")[:3]

    def test_several_words_rank_the_right_article_near_the_top(self, imported):
        assert "appeal" in found("ricorso revisione", "it")[:3]
        assert "prohibited-industries" in found("settori vietati", "it")[:3]

    def test_several_words_no_article_has_all_falls_back_to_any(self, imported):
        assert "appeal" in found("come faccio ricorso", "it")[:3]

    def test_english_query_finds_english_articles(self, imported):
        assert all(hit.article.locale == "en" for hit in search_articles("appealing", "en"))

    def test_nothing_found(self, imported):
        assert search_articles("zzzxqj", "it") == []
        assert search_articles("   ", "it") == []
        assert search_articles("!!!", "it") == []
        assert search_articles("il di che", "it") == []  # stop words only

    def test_unpublished_articles_are_not_found(self, imported):
        Article.objects.filter(translation_key="appeal").update(published=False)
        assert "appeal" not in found("ricorso", "it")

    # -- excerpts ------------------------------------------------------------------------------------------------
    def test_excerpt_marks_the_match_and_is_escaped(self, imported):
        make_article(title="Prova <b>", body="Il blocco <script>alert(1)</script> del numero.")
        hit = next(h for h in search_articles("blocco", "it") if h.article.slug == "prova")
        assert "<mark>blocco</mark>" in hit.excerpt
        assert "<script>" not in hit.excerpt

    def test_excerpt_has_no_markdown_leftovers(self, imported):
        make_article(body="## Il blocco\n\n**Attenzione**: leggi [la guida](https://example.org) e `il codice`.\n\n"
                          "- primo *punto*\n- secondo")
        excerpt = next(h.excerpt for h in search_articles("blocco", "it") if h.article.slug == "prova")
        for leftover in ("##", "**", "](", "`", "- primo", "*punto*"):
            assert leftover not in excerpt, excerpt
        assert "Attenzione" in excerpt and "la guida" in excerpt

    # -- the index stays current ---------------------------------------------------------------------------------
    def test_index_follows_an_admin_edit(self, admin_client, imported):
        article = Article.objects.get(locale="it", translation_key="appeal")
        assert "appeal" not in found("zanzibar", "it")
        response = admin_client.post(f"/admin/content/article/{article.pk}/change/",
                                     article_form_data(article, title="Ricorso da Zanzibar"))
        assert response.status_code == 302
        assert found("zanzibar", "it") == ["appeal"]

    def test_index_follows_an_import(self, imported, tmp_path):
        source = settings.KB_DIR / "it" / "articles" / "fare-ricorso.md"
        (tmp_path / "it" / "articles").mkdir(parents=True)
        target = tmp_path / "it" / "articles" / "fare-ricorso.md"
        target.write_text(source.read_text() + "\nUn caso raccontato da Zanzibar.\n")
        report = kb_import(kb_dir=tmp_path, locales=["it"], flows=all_flows().values())
        assert report.updated, report
        assert found("zanzibar", "it") == ["appeal"]

    def test_index_follows_a_delete(self, imported):
        make_article(title="Zanzibar")
        assert found("zanzibar", "it") == ["prova"]
        Article.objects.filter(slug="prova").delete()
        assert found("zanzibar", "it") == []
        make_article(slug="altra", translation_key="altra", title="Altro")  # may reuse the deleted row's id
        assert found("zanzibar", "it") == []

    # -- cost ----------------------------------------------------------------------------------------------------
    def test_only_a_bounded_set_is_ranked_and_a_title_match_is_always_in_it(self, imported, monkeypatch):
        from portal.content import search as search_module

        monkeypatch.setattr(search_module, "CANDIDATES", 5)
        Article.objects.bulk_create([
            Article(locale="it", slug=f"corpo-{i}", translation_key=f"corpo-{i}", title=f"Nota {i}", summary="s",
                    body="x", body_text="Una parola rara: zanzibar.", topic="capire")
            for i in range(12)
        ])
        from portal.content.search_index import index_articles

        index_articles(connection, Article.objects.filter(slug__startswith="corpo-").values_list(
            "pk", "locale", "title", "summary", "body_text"))
        make_article(title="Zanzibar, il caso", body="Testo.")  # written last: the newest of the matches
        keys = found("zanzibar", "it")
        assert keys[0] == "prova"  # found among the title matches, ranked first
        assert len(keys) <= 1 + 5 and set(keys[1:]) <= {f"corpo-{i}" for i in range(12)}


    @pytest.mark.parametrize("query", ["ricorso", "come faccio ricorso", "zzzxqj"])
    def test_at_most_two_queries_whatever_the_number_of_articles(self, imported, django_assert_max_num_queries,
                                                                 query):
        Article.objects.bulk_create([
            Article(locale="it", slug=f"copia-{i}", translation_key=f"copia-{i}", title=f"Ricorso {i}",
                    summary="Fare ricorso", body="x", body_text="Come chiedere la revisione", topic="risolvere")
            for i in range(30)
        ])
        with django_assert_max_num_queries(2):
            hits = search_articles(query, "it")
        assert all(hit.excerpt is not None for hit in hits)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 index is SQLite's")
class TestSqliteSearch(SearchBehaviour):
    def test_searches_the_fts_table(self, imported):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM content_article_fts")
            assert cursor.fetchone()[0] == Article.objects.count()

    def test_the_index_tags_each_stem_with_its_language(self, imported):
        article = Article.objects.get(locale="en", translation_key="appeal")
        with connection.cursor() as cursor:
            cursor.execute("SELECT title FROM content_article_fts WHERE rowid = %s", [article.pk])
            assert all(token.startswith("en_") for token in cursor.fetchone()[0].split())


@pytest.mark.postgres
class TestPostgresSearch(SearchBehaviour):
    def test_ranks_over_the_gin_index(self, imported):
        with connection.cursor() as cursor:
            cursor.execute("SET enable_seqscan = off")
            cursor.execute("EXPLAIN SELECT id FROM content_article WHERE search_vector @@ "
                           "plainto_tsquery('portal_italian', 'ricorso')")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "content_article_search" in plan

    def test_title_and_summary_have_their_own_gin_index(self, imported):
        with connection.cursor() as cursor:
            cursor.execute("SET enable_seqscan = off")
            cursor.execute("EXPLAIN SELECT id FROM content_article WHERE search_head @@ "
                           "plainto_tsquery('portal_italian', 'ricorso')")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "content_article_search_head" in plan
        article = Article.objects.get(locale="it", translation_key="appeal")
        article.title = "Zanzibar"
        article.save()
        with connection.cursor() as cursor:
            cursor.execute("SELECT search_head @@ plainto_tsquery('portal_italian', 'zanzibar') "
                           "FROM content_article WHERE id = %s", [article.pk])
            assert cursor.fetchone()[0] is True  # the trigger keeps it current on save


class TestStemmerThreads:
    """Issue 10: one snowball stemmer shared by threads mixed words up (500s, wrong stems that stayed cached)."""

    def test_concurrent_stemming_gives_the_same_stems_as_one_thread(self):
        vocabulary = [f"{root}{ending}" for root in ("blocc", "ricors", "numer", "messagg", "contatt", "verific")
                      for ending in ("are", "ato", "ati", "ando", "azione", "amenti", "hiamo", "erebbero")]
        reference = snowballstemmer.stemmer("italian")
        expected = {word: reference.stemWord(searchwords.unaccent(word)) for word in vocabulary}
        searchwords.stem.cache_clear()
        start = threading.Barrier(16)
        interval = sys.getswitchinterval()
        sys.setswitchinterval(1e-6)  # switch threads as often as possible: the shared stemmer failed this way

        def stem_all(offset):
            start.wait()
            return {word: searchwords._thread_stemmer("italian").stemWord(searchwords.unaccent(word))
                    for word in vocabulary[offset:] + vocabulary[:offset] for _ in range(5)}

        try:
            with ThreadPoolExecutor(16) as pool:
                results = list(pool.map(stem_all, range(16)))
        finally:
            sys.setswitchinterval(interval)
        for result in results:
            assert result == expected
        assert {searchwords.stem("it", word) for word in vocabulary} == set(expected.values())

    def test_each_thread_has_its_own_stemmer(self):
        mine = searchwords._thread_stemmer("italian")
        with ThreadPoolExecutor(1) as pool:
            theirs = pool.submit(searchwords._thread_stemmer, "italian").result()
        assert mine is searchwords._thread_stemmer("italian")
        assert theirs is not mine


class TestSearchPage:
    def test_results_page_names_the_query_and_shows_excerpts(self, client, imported):
        body = client.get("/it/search/", {"q": "ricorso"}).content.decode()
        assert "data-search-query" in body and "ricorso" in body.split("data-search-query", 1)[1].split("</h1>")[0]
        assert 'data-article="appeal"' in body and "<mark>" in body
        assert 'role="status"' in body

    def test_a_query_about_a_block_offers_the_guide_above_the_results(self, client, imported):
        body = client.get("/it/search/", {"q": "numero bannato"}).content.decode()
        assert "data-search-guide" in body
        assert body.index("data-search-guide") < body.index('class="results"')
        assert 'href="/it/guide/blocked-number/"' in body

    def test_other_queries_do_not_push_the_guide(self, client, imported):
        body = client.get("/it/search/", {"q": "template"}).content.decode()
        assert 'class="results"' in body and "data-search-guide" not in body

    def test_search_page_costs_the_same_queries_whatever_the_number_of_articles(
            self, client, imported, django_assert_max_num_queries):
        client.get("/it/search/", {"q": "bloccato"})  # the guide card's words are read once per text revision
        with django_assert_max_num_queries(3):  # the search, the articles, the words' revision token
            client.get("/it/search/", {"q": "ricorso"})

    def test_no_results_suggests_starting_the_guide(self, client, imported):
        body = client.get("/en/search/", {"q": "zzzxqj"}).content.decode()
        assert "data-search-guide" in body
        assert 'href="/en/guide/blocked-number/"' in body

    def test_search_box_is_on_every_page(self, client, imported):
        for path in ("/it/", "/en/", "/it/guide/blocked-number/start/", "/it/search/"):
            assert 'role="search"' in client.get(path).content.decode(), path

    def test_query_is_escaped_in_the_page(self, client, imported):
        body = client.get("/it/search/", {"q": "<script>alert(1)</script>"}).content.decode()
        assert "<script>alert(1)</script>" not in body
        assert "&lt;script&gt;" in body
