"""Home and topic pages at scale: a few articles per topic on the home page, paginated topic pages with
rel="next"/"prev", 404 past the end, query counts that do not grow with the knowledge base; the sitemap index."""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from portal.content import articles as articles_module
from portal.content import views as content_views
from portal.content.models import Article, TextRevision, Topic
from portal.tracking.services import vote_change, vote_record

pytestmark = pytest.mark.django_db


def add_articles(n, locale="it", topic="capire", prefix="extra", **fields):
    Article.objects.bulk_create([
        Article(locale=locale, slug=f"{prefix}-{i:05d}", translation_key=f"{prefix}-{i:05d}",
                title=f"{prefix.title()} {i:05d}", summary="Riassunto.", body="Testo.", body_html="<p>Testo.</p>",
                body_text="Testo.", topic=topic, **fields)
        for i in range(n)
    ])


def article_keys(body):
    return re.findall(r'data-article="([^"]+)"', body)


class TestHome:
    def test_each_topic_shows_its_first_articles_and_links_its_page(self, client, imported):
        add_articles(30)
        body = client.get("/it/").content.decode()
        section = body.split('id="topic-capire"', 1)[1].split("</section>", 1)[0]
        assert len(re.findall(r'href="/it/articles/', section)) == articles_module.HOME_ARTICLES_PER_TOPIC
        assert 'href="/it/topics/capire/"' in section

    def test_the_editors_order_comes_first(self, client, imported):
        add_articles(30)
        Article.objects.filter(slug="extra-00029").update(position=1)
        section = client.get("/it/").content.decode().split('id="topic-capire"', 1)[1].split("</section>", 1)[0]
        assert section.index("/it/articles/extra-00029/") == section.index("/it/articles/")

    def test_the_most_helpful_come_next_and_the_editors_order_overrides(self, client, imported):
        add_articles(30)
        for helpful in (True, True, False):
            vote_record(target_type="article", target_id="extra-00020", locale="it", helpful=helpful, session_id=None)
        vote_record(target_type="article", target_id="extra-00010", locale="en", helpful=True, session_id=None)
        assert Article.objects.get(slug="extra-00020").helpful_score == 1  # two helpful, one not
        section = client.get("/it/").content.decode().split('id="topic-capire"', 1)[1].split("</section>", 1)[0]
        links = re.findall(r'href="/it/articles/([^/]+)/"', section)
        assert links[:2] == ["extra-00010", "extra-00020"]  # a tie on score goes by title
        Article.objects.filter(slug="extra-00029").update(position=1)
        TextRevision.bump()  # as an admin save does (update() skips its signal): stored pages are read again
        section = client.get("/it/").content.decode().split('id="topic-capire"', 1)[1].split("</section>", 1)[0]
        assert re.findall(r'href="/it/articles/([^/]+)/"', section)[:3] == ["extra-00029", "extra-00010", "extra-00020"]
        topic_page = client.get("/it/topics/capire/").content.decode()
        assert article_keys(topic_page)[:3] == ["extra-00029", "extra-00010", "extra-00020"]  # the same order

    def test_a_changed_vote_and_a_recount_keep_the_score_true(self, imported):
        add_articles(2)
        add_articles(2, locale="en")  # the same translation keys: a vote counts for every language
        vote = vote_record(target_type="article", target_id="extra-00001", locale="en", helpful=True, session_id=None)
        assert set(Article.objects.filter(translation_key="extra-00001").values_list("helpful_score", flat=True)) == {1}
        assert vote_change(vote_id=vote.pk, helpful=False)
        assert set(Article.objects.filter(translation_key="extra-00001").values_list("helpful_score", flat=True)) == {-1}
        assert vote_change(vote_id=vote.pk, reason="unclear")  # a reason alone changes no score
        Article.objects.update(helpful_score=7)  # e.g. votes deleted by hand: the command recounts
        call_command("article_scores", stdout=StringIO())
        scores = dict(Article.objects.filter(locale="en").values_list("slug", "helpful_score"))
        assert scores.pop("extra-00001") == -1 and set(scores.values()) == {0}

    @pytest.mark.parametrize("locale", ["it", "en"])
    def test_the_home_reads_its_articles_in_one_query(self, imported, django_assert_num_queries, locale):
        add_articles(40, locale="it", prefix="solo")  # English shows them after its own articles
        add_articles(40, locale=locale, topic="motivi", prefix="abaco")
        with django_assert_num_queries(1):
            groups = articles_module.home_topics(locale)
        assert [group.topic for group in groups] == list(Topic.values)
        shown = {group.topic: [article.slug for article, _url in group.articles] for group in groups}
        assert all(0 < len(slugs) <= articles_module.HOME_ARTICLES_PER_TOPIC for slugs in shown.values())
        assert shown["motivi"] == [f"abaco-{i:05d}" for i in range(4)]  # position 100 ties, then title

    def test_home_stays_small_and_its_queries_do_not_grow(self, client, imported):
        client.get("/it/")  # warm the words cache
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as few:
            small = client.get("/en/")
        add_articles(300, locale="en", prefix="more")
        add_articles(300, locale="it", prefix="altro", topic="motivi")
        with CaptureQueriesContext(connection) as many:
            big = client.get("/en/")
        assert len(many) <= len(few) <= 2 * len(Topic) + 1  # at most two small queries a topic
        assert len(big.content) < 20_000
        assert abs(len(big.content) - len(small.content)) < 2_000

    def test_untranslated_italian_articles_fill_a_topic_in_english(self, client, imported):
        Article.objects.filter(locale="en", topic="capire").delete()
        body = client.get("/en/").content.decode()
        section = body.split('id="topic-capire"', 1)[1].split("</section>", 1)[0]
        assert 'hreflang="it" lang="it"' in section


class TestTopicPage:
    def test_pages_with_rel_next_and_prev(self, client, imported):
        add_articles(45)  # + the real "capire" articles: three pages of 20
        first = client.get("/it/topics/capire/").content.decode()
        assert '<link rel="next" href="/it/topics/capire/?page=2">' in first and 'rel="prev"' not in first
        middle = client.get("/it/topics/capire/?page=2").content.decode()
        assert '<link rel="prev" href="/it/topics/capire/">' in middle
        assert '<link rel="next" href="/it/topics/capire/?page=3">' in middle
        last = client.get("/it/topics/capire/?page=3").content.decode()
        assert 'rel="next"' not in last and '<link rel="prev" href="/it/topics/capire/?page=2">' in last
        seen = article_keys(first) + article_keys(middle) + article_keys(last)
        expected = Article.objects.filter(locale="it", topic="capire", published=True).count()
        assert len(seen) == len(set(seen)) == expected
        assert len(article_keys(first)) == articles_module.TOPIC_PAGE_SIZE

    @pytest.mark.parametrize("page", ["4", "0", "-1", "x", "1.5", "99999999999999999999", "%00"])
    def test_past_the_end_or_a_bad_page_is_a_404(self, client, imported, page):
        add_articles(45)
        response = client.get(f"/it/topics/capire/?page={page}")
        assert response.status_code == (400 if page == "%00" else 404)  # a NUL is refused at the edge (tests/edge)

    @pytest.mark.parametrize("page, to", [("02", "?page=2"), ("+2", "?page=2"), (" 2", "?page=2"), ("01", "")])
    def test_another_spelling_of_a_page_number_redirects_to_the_pages_own_address(self, client, imported, page, to):
        add_articles(45)
        response = client.get("/it/topics/capire/", {"page": page})
        assert response.status_code == 301 and response["Location"] == "/it/topics/capire/" + to

    def test_unknown_topic_is_a_404(self, client, imported):
        assert client.get("/it/topics/nessuno/").status_code == 404

    def test_english_pages_list_untranslated_italian_articles_after_english_ones(self, client, imported):
        add_articles(25, locale="it", prefix="solo")
        body = client.get("/en/topics/capire/?page=2").content.decode()
        assert "solo-" in body and 'lang="it"' in body
        first = client.get("/en/topics/capire/").content.decode()
        english = Article.objects.filter(locale="en", topic="capire").values_list("translation_key", flat=True)
        assert set(english) <= set(article_keys(first))

    def test_queries_do_not_grow_with_the_topic(self, client, imported):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        add_articles(25)
        client.get("/it/topics/capire/?page=2")
        with CaptureQueriesContext(connection) as few:
            client.get("/it/topics/capire/?page=2")
        add_articles(500, prefix="ancora")
        with CaptureQueriesContext(connection) as many:
            client.get("/it/topics/capire/?page=2")
        assert len(many) == len(few)

    def test_the_untranslated_count_follows_an_admin_save(self, client, imported):
        add_articles(25, locale="it", prefix="solo")
        before = len(articles_module.TopicList("en", "capire"))
        client.get("/en/topics/capire/")  # counted, and the count kept under the revision token
        hidden = Article.objects.get(locale="it", slug="solo-00024")
        hidden.published = False
        hidden.save()  # as the admin saves: a new token
        assert len(articles_module.TopicList("en", "capire")) == before - 1
        last = -(-(before - 1) // articles_module.TOPIC_PAGE_SIZE)
        body = client.get(f"/en/topics/capire/?page={last}").content.decode()
        assert f"Page {last} of {last}" in body and "solo-00024" not in body and "solo-00023" in body

    def test_the_untranslated_count_is_read_once_per_revision(self, client, imported):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        add_articles(25, locale="it", prefix="solo")
        with CaptureQueriesContext(connection) as first:
            client.get("/en/topics/capire/?page=2")
        with CaptureQueriesContext(connection) as other_page:
            client.get("/en/topics/capire/")
        counted = [q["sql"] for q in first.captured_queries if "COUNT" in q["sql"] and "NOT EXISTS" in q["sql"]]
        assert len(counted) == 1
        assert not [q for q in other_page.captured_queries if "NOT EXISTS" in q["sql"] and "COUNT" in q["sql"]]

    def test_lists_read_only_the_columns_they_print(self, imported):
        own, _ = articles_module.topic_articles("it", "capire")
        sql = str(own.query)
        assert "body" not in sql and "sources" not in sql


class TestSitemapIndex:
    def test_one_file_while_small(self, client, imported):
        body = client.get("/sitemap.xml").content.decode()
        assert "<urlset" in body and "/it/topics/capire/" in body

    def test_index_per_language_past_the_limit(self, client, imported, monkeypatch):
        monkeypatch.setattr(content_views, "SITEMAP_MAX_URLS", 10)
        index = client.get("/sitemap.xml")
        body = index.content.decode()
        assert index["Content-Type"].startswith("application/xml") and "<sitemapindex" in body
        files = re.findall(r"<loc>http://testserver(/sitemap-[a-z]+-\d+\.xml)</loc>", body)
        # home, topic pages, each guide's first step, then the articles
        per_language = {code: len(content_views._fixed_entries(code))
                        + Article.objects.filter(locale=code, published=True).count() for code in ("it", "en")}
        assert all(size > 1 + len(Topic) for size in per_language.values())
        assert files == [f"/sitemap-{code}-{n}.xml" for code in ("it", "en")
                         for n in range(1, -(-per_language[code] // 10) + 1)]
        urls = []
        for path in files:
            part = client.get(path).content.decode()
            locs = re.findall(r"<loc>([^<]+)</loc>", part)
            assert 0 < len(locs) <= 10
            urls += locs
        assert len(urls) == len(set(urls)) == sum(per_language.values())
        for article in Article.objects.published():
            assert f"http://testserver/{article.locale}/articles/{article.slug}/" in urls
        assert client.get(f"/sitemap-it-{len([f for f in files if '-it-' in f]) + 1}.xml").status_code == 404
        assert client.get("/sitemap-xx-1.xml").status_code == 404
