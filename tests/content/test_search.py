"""Search finds articles in both languages, with stemming (bloccato → blocco), excerpts and a no-results path."""

import pytest
from django.db import connection

from portal.content.models import Article
from portal.content.search import search_articles

pytestmark = pytest.mark.django_db


def titles(query, locale):
    return [hit.article.translation_key for hit in search_articles(query, locale)]


class SearchBehaviour:
    """Run on SQLite (ranked stemming) and on PostgreSQL (full-text search) by the subclasses below."""

    def test_italian_inflections_match(self, imported):
        found = titles("bloccato", "it")
        assert found, "bloccato should find articles about the blocco"
        assert "what-a-block-is" in found

    def test_italian_query_ranks_the_right_article_first(self, imported):
        assert titles("ricorso revisione", "it")[0] == "appeal"
        assert titles("settori vietati", "it")[0] == "prohibited-industries"

    def test_english_query_finds_english_articles(self, imported):
        found = titles("appealing", "en")
        assert found[0] == "appeal"
        assert all(hit.article.locale == "en" for hit in search_articles("appealing", "en"))

    def test_excerpt_marks_the_match_and_is_escaped(self, imported):
        Article.objects.create(
            locale="it", slug="prova", translation_key="prova", title="Prova <b>", summary="s", topic="capire",
            body="Il blocco <script>alert(1)</script> del numero.",
        )
        hit = next(h for h in search_articles("blocco", "it") if h.article.slug == "prova")
        assert "<mark>" in hit.excerpt
        assert "<script>" not in hit.excerpt

    def test_nothing_found(self, imported):
        assert search_articles("zzzxqj", "it") == []
        assert search_articles("   ", "it") == []
        assert search_articles("!!!", "it") == []

    def test_unpublished_articles_are_not_found(self, imported):
        Article.objects.filter(translation_key="appeal").update(published=False)
        assert "appeal" not in titles("ricorso", "it")


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the fallback ranking is for databases without FTS")
class TestFallbackSearch(SearchBehaviour):
    pass


@pytest.mark.postgres
class TestPostgresSearch(SearchBehaviour):
    def test_uses_full_text_search(self, imported, django_assert_max_num_queries):
        assert connection.vendor == "postgresql"
        with django_assert_max_num_queries(1):
            search_articles("ricorso", "it")


class TestSearchPage:
    def test_results_page_shows_excerpts(self, client, imported):
        body = client.get("/it/search/", {"q": "ricorso"}).content.decode()
        assert 'class="result"' in body and "<mark>" in body
        assert 'role="status"' in body

    def test_no_results_suggests_starting_the_guide(self, client, imported):
        body = client.get("/en/search/", {"q": "zzzxqj"}).content.decode()
        assert "No article matches" in body
        assert 'href="/en/guide/blocked-number/"' in body

    def test_search_box_is_on_every_page(self, client, imported):
        for path in ("/it/", "/en/", "/it/guide/blocked-number/start/", "/it/search/"):
            assert 'role="search"' in client.get(path).content.decode(), path

    def test_query_is_escaped_in_the_page(self, client, imported):
        body = client.get("/it/search/", {"q": "<script>alert(1)</script>"}).content.decode()
        assert "<script>alert(1)</script>" not in body
        assert "&lt;script&gt;" in body
