"""Looking up articles for a locale: translations, the Italian fallback and its reason, alternates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from .models import Article, Topic
from .words import SOURCE_LOCALE


def article_url(article: Article, locale: str | None = None) -> str:
    """The article's page in `locale` (default: its own); another locale shows it with a fallback banner."""
    with translation.override(locale or article.locale):
        return reverse("content:article", args=[article.slug])


@dataclass(frozen=True)
class ArticlePage:
    article: Article
    #: Why the page shows another language: "missing" (no translation yet) or "" when it is in the visitor's language.
    fallback: str
    #: The source article when this translation is older than it, and its URL.
    outdated_source: Article | None
    outdated_source_url: str
    #: (language code, url, is a real translation) for every other language.
    alternates: tuple[tuple[str, str, bool], ...]


def article_lookup(slug: str, locale: str) -> Article | str | None:
    """The published article to show at /<locale>/articles/<slug>/, or the URL to redirect to, or None (404)."""
    published = Article.objects.published()
    exact = published.filter(locale=locale, slug=slug).first()
    if exact:
        return exact
    other = published.filter(slug=slug).order_by("locale").first()
    if other is None:
        return None
    translated = published.filter(locale=locale, translation_key=other.translation_key).first()
    if translated:
        return article_url(translated)
    if other.locale == SOURCE_LOCALE:
        return other  # shown in Italian, with the fallback banner
    source = published.filter(locale=SOURCE_LOCALE, translation_key=other.translation_key).first()
    return article_url(source, locale) if source else None


def article_page(article: Article, locale: str) -> ArticlePage:
    translations = {a.locale: a for a in Article.objects.published().filter(translation_key=article.translation_key)}
    source = translations.get(SOURCE_LOCALE)
    outdated = source if (article.locale != SOURCE_LOCALE and source and source.updated > article.updated) else None
    alternates = []
    for code, _ in settings.LANGUAGES:
        if code == locale:
            continue
        target = translations.get(code)
        if target:
            alternates.append((code, article_url(target), True))
        elif source:
            alternates.append((code, article_url(source, code), False))
    return ArticlePage(
        article=article,
        fallback="missing" if article.locale != locale else "",
        outdated_source=outdated,
        outdated_source_url=article_url(outdated) if outdated else "",
        alternates=tuple(alternates),
    )


@dataclass(frozen=True)
class TopicGroup:
    topic: str
    label: str
    articles: tuple[tuple[Article, str], ...]  # (article, url in the visitor's locale)


def articles_by_topic(locale: str) -> list[TopicGroup]:
    """Every published article for a locale, grouped by topic; untranslated ones appear in Italian."""
    chosen: dict[str, Article] = {}
    for article in Article.objects.published().filter(locale__in={locale, SOURCE_LOCALE}):
        if article.locale == locale or article.translation_key not in chosen:
            chosen[article.translation_key] = article
    groups = []
    for topic in Topic:
        items = sorted((a for a in chosen.values() if a.topic == topic.value), key=lambda a: a.title)
        if items:
            groups.append(TopicGroup(topic.value, str(topic.label),
                                     tuple((a, article_url(a, locale)) for a in items)))
    return groups


def articles_for_steps(locale: str, articles: Iterable[Article]) -> dict[str, list[tuple[str, str, str]]]:
    """{"flow_id:node_id": [(title, url, language of the article)]} in `locale`, Italian where untranslated."""
    chosen: dict[str, Article] = {}
    for article in articles:
        if article.locale == locale or (article.locale == SOURCE_LOCALE and article.translation_key not in chosen):
            chosen[article.translation_key] = article
    links: dict[str, list[tuple[str, str, str]]] = {}
    for article in sorted(chosen.values(), key=lambda a: a.title):
        for step in article.steps:
            links.setdefault(step, []).append((article.title, article_url(article, locale), article.locale))
    return links
