"""Looking up articles for a locale: translations, the Italian fallback and its reason, alternates."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from collections.abc import Sequence
from typing import Iterable

from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, OuterRef, Value
from django.urls import reverse
from django.utils import translation

from .models import Article, TextRevision, Topic
from .revisions import latest_significant
from .words import SOURCE_LOCALE


def article_url(article: Article, locale: str | None = None) -> str:
    """The article's page in `locale` (default: its own); another locale shows it with a fallback banner."""
    with translation.override(locale or article.locale):
        return reverse("content:article", args=[article.slug])


_SLUG_MARK = "slug-mark"


def article_urls(locale: str):
    """article → its page in `locale`, as article_url gives it, for lists of many articles: the URL is reversed once
    (a reverse under translation.override per row was a fifth of the home page's time)."""
    with translation.override(locale):
        before, after = reverse("content:article", args=[_SLUG_MARK]).split(_SLUG_MARK)
    return lambda article: f"{before}{article.slug}{after}"


@dataclass(frozen=True)
class ArticlePage:
    article: Article
    #: Why the page shows another language: "missing" (no translation yet) or "" when it is in the visitor's language.
    fallback: str
    #: The source article when this translation is outdated (content/revisions.py's rule), and its URL.
    outdated_source: Article | None
    outdated_source_url: str
    #: (language code, url, is a real translation) for every other language.
    alternates: tuple[tuple[str, str, bool], ...]
    #: When the source last changed in substance (the banner's date); None when up to date.
    outdated_since: object = None


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
    change = latest_significant(article) if source is not None else None
    outdated = source if change is not None else None
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
        outdated_since=change.created_at if change else None,
        alternates=tuple(alternates),
    )


#: What a list of articles prints (home, topic pages): nothing else is read.
LIST_FIELDS = ("id", "locale", "slug", "translation_key", "title", "summary", "topic")
HOME_ARTICLES_PER_TOPIC = 4
TOPIC_PAGE_SIZE = 20
#: How long a topic's count of untranslated Italian articles is kept (a new revision token replaces it sooner).
UNTRANSLATED_COUNT_SECONDS = 600


@dataclass(frozen=True)
class TopicGroup:
    topic: str
    label: str
    articles: tuple[tuple[Article, str], ...]  # (article, url in the visitor's locale)
    url: str  # the topic's page, with every article


def topic_url(topic: str, locale: str | None = None) -> str:
    with translation.override(locale or translation.get_language()):
        return reverse("content:topic", args=[topic])


#: A topic's order on the home page and its topic page: the editor's position (lower first) overrides, then the
#: most helpful (Article.helpful_score, kept current when a vote is recorded), then the title.
LIST_ORDER = ("position", "-helpful_score", "title")


def topic_articles(locale: str, topic: str):
    """A topic's published articles for a locale in LIST_ORDER, with the Italian ones that have no translation yet
    after them (their own order). Only the columns a list prints."""
    published = Article.objects.published().filter(topic=topic).only(*LIST_FIELDS)
    own = published.filter(locale=locale).order_by(*LIST_ORDER)
    if locale == SOURCE_LOCALE:
        return own, None
    translated = Article.objects.filter(locale=locale, translation_key=OuterRef("translation_key"))
    untranslated = published.filter(locale=SOURCE_LOCALE).filter(~Exists(translated)).order_by(*LIST_ORDER)
    return own, untranslated


def home_topics(locale: str) -> list[TopicGroup]:
    """Each topic with its HOME_ARTICLES_PER_TOPIC most useful articles (LIST_ORDER) and a link to its page.

    One query whatever the number of articles: a UNION ALL of one short index scan per topic, and in a language
    other than Italian one more per topic for the untranslated Italian articles, whose LIMIT is what the topic's own
    articles leave free (0 when they fill it: then it reads nothing)."""
    sql, params, topics = _home_query(locale, Article.objects.db)
    chosen: dict[str, list[Article]] = {}
    for article in sorted(Article.objects.raw(sql, params), key=lambda row: row.part):  # stable: keeps each order
        chosen.setdefault(topics[article.part].value, []).append(article)
    url = article_urls(locale)
    return [TopicGroup(topic.value, str(topic.label), tuple((a, url(a)) for a in chosen[topic.value]),
                       topic_url(topic.value))
            for topic in Topic if chosen.get(topic.value)]


@lru_cache(maxsize=16)
def _home_query(locale: str, database: str) -> tuple[str, list, list[Topic]]:
    """The home page's query for a locale, built once (building it costs more than running it): (sql, params, the
    topic of each part). Django's .union() cannot combine sliced querysets on SQLite: each part is a subquery of a
    UNION ALL, its rows marked with its number."""
    n = HOME_ARTICLES_PER_TOPIC
    parts, topics = [], []
    for topic in Topic:
        own, untranslated = topic_articles(locale, topic.value)
        own_sql, own_params = _sql(own[:n], len(parts))
        parts.append((own_sql, own_params))
        topics.append(topic)
        if untranslated is not None:
            sql, params = _sql(untranslated, len(parts))
            parts.append((f"{sql} LIMIT (SELECT {n} - COUNT(*) FROM ({own_sql}) AS own_articles)",
                          [*params, *own_params]))
            topics.append(topic)
    sql = " UNION ALL ".join(f"SELECT * FROM ({part_sql}) AS part{index}" for index, (part_sql, _) in enumerate(parts))
    return sql, [param for _, params in parts for param in params], topics


def _sql(queryset, part: int) -> tuple[str, list]:
    """The SQL of an article queryset, each row marked with `part`."""
    queryset = queryset.annotate(part=Value(part))
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    return sql, list(params)


class TopicList(Sequence):
    """A topic's articles for the paginator: the visitor's language first, then untranslated Italian ones."""

    def __init__(self, locale: str, topic: str):
        self.locale, self.topic = locale, topic
        self.own, self.untranslated = topic_articles(locale, topic)
        self._own_count = None

    def own_count(self) -> int:
        if self._own_count is None:
            self._own_count = self.own.count()
        return self._own_count

    def __len__(self) -> int:
        return self.own_count() + (self.untranslated_count() if self.untranslated is not None else 0)

    def untranslated_count(self) -> int:
        """The Italian articles of the topic without a translation: an anti-join over every Italian article of the
        topic (about 7 ms at 5,000), so it is kept in the cache under the content revision token, which every save
        or delete of an article replaces (the pages that print it are stored under the same token)."""
        key = f"topic-untranslated:{TextRevision.current()}:{self.locale}:{self.topic}"
        try:
            count = cache.get(key)
        except Exception:  # a cache that is down: count
            count = None
        if count is None:
            count = self.untranslated.count()
            try:
                cache.set(key, count, UNTRANSLATED_COUNT_SECONDS)
            except Exception:
                pass
        return count

    def count(self) -> int:
        return len(self)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("TopicList is read by the page")
        start, stop = index.start or 0, index.stop
        own_count = self.own_count()
        rows = list(self.own[start:min(stop, own_count)]) if start < own_count else []
        if self.untranslated is not None and stop > own_count:
            rows += list(self.untranslated[max(start - own_count, 0):stop - own_count])
        return rows


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
