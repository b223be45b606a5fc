"""Article pages in both languages: fallbacks and outdated banners, hreflang, sitemap, robots, links to steps."""

import datetime
import re

import pytest

from portal.content import revisions
from portal.content.models import Significance
from django.utils import translation

from portal.content.models import Article
from tests.guide.helpers import step_url

pytestmark = pytest.mark.django_db


def url(article):
    with translation.override(article.locale):
        return f"/{article.locale}/articles/{article.slug}/"


def test_every_article_renders_in_its_language(client, imported):
    articles = list(Article.objects.published())
    assert len(articles) >= 22
    for article in articles:
        response = client.get(url(article))
        body = response.content.decode()
        assert response.status_code == 200, url(article)
        assert f'<html lang="{article.locale}">' in body
        assert f'<h1 id="article-title">{article.title}</h1>'.replace("'", "&#x27;") in body
        assert 'class="notice"' not in body  # a real translation, up to date


def test_home_groups_articles_by_topic_in_each_language(client, imported):
    for locale in ("it", "en"):
        body = client.get(f"/{locale}/").content.decode()
        assert body.count('class="topic"') == 4
        assert body.count("data-topic-link=") == 4
        shown = len(re.findall(rf'href="/{locale}/articles/[a-z0-9-]+/"', body))
        assert min(Article.objects.filter(locale=locale).count(), 4 * 4) >= shown >= 8


def test_missing_translation_falls_back_to_italian_with_a_banner(client, imported):
    Article.objects.filter(locale="en", translation_key="appeal").delete()
    italian = Article.objects.get(locale="it", translation_key="appeal")
    response = client.get(f"/en/articles/{italian.slug}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "This article is not translated into your language yet, so it is shown in Italian." in body
    assert '<div lang="it">' in body
    assert italian.title in body


def test_italian_slug_in_english_redirects_to_the_english_translation(client, imported):
    italian = Article.objects.get(locale="it", translation_key="appeal")
    english = Article.objects.get(locale="en", translation_key="appeal")
    response = client.get(f"/en/articles/{italian.slug}/")
    assert (response.status_code, response["Location"]) == (301, url(english))


def test_outdated_translation_says_so_and_links_the_source(client, imported):
    italian = Article.objects.get(locale="it", translation_key="appeal")
    italian.body += "\n\nUn paragrafo nuovo."
    italian.save()
    revisions.record(italian, Significance.CONTENT, at=datetime.datetime(2027, 1, 5, 12, tzinfo=datetime.UTC))
    english = Article.objects.get(locale="en", translation_key="appeal")
    body = client.get(url(english)).content.decode()
    assert "This translation may be out of date: the Italian original was updated on Jan. 5, 2027." in body
    italian = Article.objects.get(locale="it", translation_key="appeal")
    assert f'<a href="/it/articles/{italian.slug}/" hreflang="it" lang="it">Read the Italian version</a>' in body
    assert list(Article.objects.outdated()) == [english]


def test_hreflang_alternates_and_language_switch_keep_the_same_article(client, imported):
    italian = Article.objects.get(locale="it", translation_key="spam-blocks")
    english = Article.objects.get(locale="en", translation_key="spam-blocks")
    body = client.get(url(italian)).content.decode()
    assert f'<link rel="alternate" hreflang="it" href="http://testserver{url(italian)}">' in body
    assert f'<link rel="alternate" hreflang="en" href="http://testserver{url(english)}">' in body
    assert f'<a href="{url(english)}" hreflang="en" lang="en">English</a>' in body


def test_unknown_article_is_a_404(client, imported):
    response = client.get("/it/articles/non-esiste/")
    assert response.status_code == 404
    assert "Pagina non trovata" in response.content.decode()


def test_unpublished_article_is_not_shown(client, imported):
    article = Article.objects.get(locale="it", translation_key="appeal")
    Article.objects.filter(pk=article.pk).update(published=False)
    Article.objects.filter(locale="en", translation_key="appeal").update(published=False)
    assert client.get(url(article)).status_code == 404


def test_article_lists_the_guide_steps_that_use_it_and_steps_link_articles(client, imported):
    article = Article.objects.get(locale="it", translation_key="appeal")
    body = client.get(url(article)).content.decode()
    assert "Dove la guida usa questo articolo" in body
    for step in article.steps:
        assert step_url(step.split(":")[1]) in body
    node_id = article.steps[0].split(":")[1]
    step_page = client.get(step_url(node_id)).content.decode()
    assert "Per saperne di più" in step_page
    assert f'href="{url(article)}"' in step_page


def test_every_flow_step_links_at_least_one_article(client, imported, flow):
    covered = {step.split(":")[1] for a in Article.objects.filter(locale="it") for step in a.steps}
    assert {node_id for node_id, node in flow.nodes.items() if not node.is_outcome} <= covered


def test_article_body_links_between_articles_resolve_in_the_locale(imported):
    for article in Article.objects.all():
        for href in re.findall(r'href="(/[a-z]{2}/articles/[^"#]+)', article.body_html):
            assert href.startswith(f"/{article.locale}/articles/"), (article.slug, href)
            slug = href.split("/")[3]
            assert Article.objects.filter(locale=article.locale, slug=slug).exists(), (article.slug, href)


def test_sitemap_lists_every_article_in_every_locale_with_alternates_and_only_first_guide_steps(client, imported):
    response = client.get("/sitemap.xml")
    body = response.content.decode()
    assert response["Content-Type"].startswith("application/xml")
    for article in Article.objects.published():
        assert f"<loc>http://testserver{url(article)}</loc>" in body
    assert body.count('hreflang="en"') >= Article.objects.filter(locale="en").count() * 2
    guide_urls = set(re.findall(r"<loc>http://testserver(/\w\w/guide/[^<]*)</loc>", body))
    assert guide_urls == {"/it/guide/blocked-number/start/", "/en/guide/blocked-number/start/"}


def test_robots_txt_points_at_the_sitemap(client):
    body = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in body and "Disallow: /admin/" in body


def test_article_page_query_budget(client, imported, django_assert_max_num_queries):
    article = Article.objects.get(locale="it", translation_key="appeal")
    with django_assert_max_num_queries(8):
        client.get(url(article))


def test_article_offers_the_guide(client, imported):
    body = client.get("/en/articles/appeal-a-block/").content.decode()
    assert "Not sure what to do next?" in body
    assert 'href="/en/guide/blocked-number/"' in body
