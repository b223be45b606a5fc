"""Articles, step texts and guide texts: seeded from kb/ by `import_kb`, edited in the admin (with history),
exported back."""

from __future__ import annotations

import logging
import re
import uuid
from html import unescape

from django.db import InterfaceError, OperationalError, connections, models, router
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.flows.registry import step_ref

from .markdown import render_markdown
from .revision import current_token, token_replaced
from .search_index import index_articles

logger = logging.getLogger(__name__)


def plain_text(html: str) -> str:
    """The words of sanitized HTML, for search and excerpts."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def article_link_base(locale: str) -> str:
    """Where a bare-slug link in markdown points: the articles of the same locale (see content/urls.py)."""
    return f"/{locale}/articles/"


def normalize_text(text: str) -> str:
    """One spelling of the same text whether it came from a file or a browser's textarea (CRLF, outer blank lines)."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def article_rendering(body: str, locale: str) -> tuple[str, str, str]:
    """(body, body_html, body_text) as an article stores them: what save() and import_kb's bulk path both write."""
    body = normalize_text(body)
    body_html = render_markdown(body, link_base=article_link_base(locale))
    return body, body_html, plain_text(body_html)


class Topic(models.TextChoices):
    UNDERSTAND = "capire", _("Understanding the block")
    RESOLVE = "risolvere", _("Appeal, wait or contact Meta")
    REASONS = "motivi", _("Reasons for a block")
    PREVENT = "prevenire", _("Prevention, quality and limits")


class ArticleQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)

    def with_outdated(self):
        """Annotates `outdated` (content/revisions.py's one rule: the source changed in substance since the revision
        this translation follows)."""
        from .revisions import outdated_expression

        return self.annotate(outdated=outdated_expression(Article))

    def outdated(self):
        """Translations whose source had a content change or a major rewrite since the revision they follow."""
        return self.with_outdated().filter(outdated=True)


class ImportTracked(models.Model):
    """Bookkeeping shared by everything `import_kb` seeds, so an admin edit is never overwritten."""

    file_hash = models.CharField(max_length=64, blank=True, editable=False)
    imported_at = models.DateTimeField(_("imported from kb/"), null=True, blank=True, editable=False)
    edited_at = models.DateTimeField(
        _("edited in the admin"), null=True, blank=True, editable=False, help_text=_("Last change made in the admin.")
    )

    class Meta:
        abstract = True

    @property
    def edited_since_import(self) -> bool:
        return self.edited_at is not None and (self.imported_at is None or self.edited_at > self.imported_at)


class Article(ImportTracked):
    locale = models.CharField(_("language"), max_length=8, db_index=True)
    slug = models.SlugField(_("slug"), max_length=120)
    translation_key = models.SlugField(
        _("translation key"), max_length=120, help_text=_("The same key links the translations of one article.")
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"))
    body = models.TextField(_("body (markdown)"))
    body_html = models.TextField(editable=False)
    body_text = models.TextField(editable=False)
    topic = models.CharField(_("topic"), max_length=16, choices=Topic.choices)
    tags = models.JSONField(_("tags"), default=list, blank=True)
    sources = models.JSONField(_("sources"), default=list, blank=True)
    steps = models.JSONField(_("guide steps"), default=list, blank=True, help_text=_('e.g. "blocked_number:reason"'))
    updated = models.DateField(_("updated"), default=timezone.localdate)
    published = models.BooleanField(_("published"), default=True)
    position = models.PositiveSmallIntegerField(
        _("position in its topic"), default=100,
        help_text=_("The editor's order on the home page and the topic page: lower comes first; "
                    "articles with the same position are listed by helpful votes, then by title."),
    )
    #: Readers' "helpful" votes minus "not helpful" votes on this article in every language (votes go by
    #: translation key): kept current by the tracking service that records a vote, so lists sort by it with no count.
    helpful_score = models.IntegerField(_("helpful votes (net)"), default=0, editable=False)

    #: The source (Italian) row: the number of its latest recorded revision (content/revisions.py).
    revision = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    #: A translation: the source revision it was translated from (or last brought up to date with).
    source_revision = models.PositiveIntegerField(
        _("follows Italian revision"), null=True, blank=True,
        help_text=_("The revision of the Italian text that this translation matches. "
                    "Raise it when you bring the translation up to date."),
    )

    #: sha256 of the kb/ file's bytes as last imported into this row (kb.file_digest): a next import that finds the
    #: same bytes, with the row not edited since, skips the file without parsing it.
    file_digest = models.CharField(max_length=64, blank=True, default="", editable=False)

    history = HistoricalRecords(
        excluded_fields=["body_html", "body_text", "file_hash", "file_digest", "imported_at", "helpful_score"],
        verbose_name=_("article version"),
        verbose_name_plural=_("article versions"),
    )
    objects = ArticleQuerySet.as_manager()

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["locale", "topic", "title"]
        indexes = [
            # The home page and the topic pages: a topic's published articles in the editor's order, then the most
            # helpful, then by title. Partial (published only): a topic page's COUNT and a deep page's OFFSET walk
            # the index alone, without reading each row to test `published` (Django filters on it as a bare boolean,
            # which a partial index's condition matches and an index column does not).
            models.Index(fields=["locale", "topic", "position", "-helpful_score", "title"],
                         condition=models.Q(published=True), name="article_listed"),
            # The admin's default order and its sort by date.
            models.Index(fields=["locale", "topic", "title"], name="article_admin_order"),
            models.Index(fields=["updated"], name="article_updated"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["locale", "slug"], name="article_unique_slug_per_locale"),
            models.UniqueConstraint(fields=["locale", "translation_key"], name="article_one_translation_per_locale"),
        ]

    def __str__(self):
        return f"{self.title} ({self.locale})"

    def save(self, *args, **kwargs):
        self.body, self.body_html, self.body_text = article_rendering(self.body, self.locale)
        super().save(*args, **kwargs)
        index_articles(connections[kwargs.get("using") or router.db_for_write(Article, instance=self)],
                       [(self.pk, self.locale, self.title, self.summary, self.body_text)])

    @property
    def html(self) -> SafeString:
        return mark_safe(self.body_html)  # sanitized by render_markdown in save()


class StepText(ImportTracked):
    """The words of one node of a flow in one locale: the guide's only run-time source of words (content/steps.py).
    The flow's structure stays in kb/flows/."""

    flow_id = models.CharField(_("guide"), max_length=64)
    node_id = models.CharField(_("step"), max_length=64)
    locale = models.CharField(_("language"), max_length=8)
    title = models.CharField(_("title"), max_length=300)
    hint = models.CharField(_("hint"), max_length=300, blank=True)
    body = models.TextField(_("body (markdown)"), blank=True)
    body_html = models.TextField(editable=False)
    answers = models.JSONField(_("answer labels"), default=dict, blank=True)

    #: The source (Italian) row: the number of its latest recorded revision (content/revisions.py).
    revision = models.PositiveIntegerField(_("revision"), default=0, editable=False)
    #: A translation: the source revision it was translated from (or last brought up to date with).
    source_revision = models.PositiveIntegerField(
        _("follows Italian revision"), null=True, blank=True,
        help_text=_("The revision of the Italian text that this translation matches. "
                    "Raise it when you bring the translation up to date."),
    )

    history = HistoricalRecords(
        excluded_fields=["body_html", "file_hash", "imported_at"],
        verbose_name=_("step text version"),
        verbose_name_plural=_("step text versions"),
    )

    class Meta:
        verbose_name = _("step text")
        verbose_name_plural = _("step texts")
        ordering = ["flow_id", "locale", "node_id"]
        constraints = [
            models.UniqueConstraint(fields=["flow_id", "node_id", "locale"], name="steptext_unique_per_locale"),
        ]

    def __str__(self):
        return f"{self.flow_id}:{self.node_id} ({self.locale})"

    def get_absolute_url(self) -> str | None:
        """The step's permalink in this text's language ("View on site"); None for a step no longer in a flow."""
        ref = step_ref(f"{self.flow_id}:{self.node_id}")
        if ref is None:
            return None
        flow, node = ref
        with translation.override(self.locale):
            return reverse("guide:step", args=[flow.slug, node.slug])

    def save(self, *args, **kwargs):
        self.body = normalize_text(self.body)
        self.body_html = render_markdown(self.body, link_base=article_link_base(self.locale))
        super().save(*args, **kwargs)


class GuideText(ImportTracked):
    """A guide's title and summary in one locale (the home page's guide card, the guide's name)."""

    flow_id = models.CharField(_("guide"), max_length=64)
    locale = models.CharField(_("language"), max_length=8)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)

    history = HistoricalRecords(excluded_fields=["file_hash", "imported_at"])

    class Meta:
        verbose_name = _("guide title and summary")
        verbose_name_plural = _("guide titles and summaries")
        ordering = ["flow_id", "locale"]
        constraints = [
            models.UniqueConstraint(fields=["flow_id", "locale"], name="guidetext_unique_per_locale"),
        ]

    def __str__(self):
        return f"{self.title} ({self.locale})"

    def save(self, *args, **kwargs):
        self.title = self.title.strip()
        self.summary = normalize_text(self.summary)
        super().save(*args, **kwargs)


#: The token's SELECT per database vendor (table and column names quoted its way), built once.
_TOKEN_SQL: dict[str, str] = {}


class TextRevision(models.Model):
    """One row whose token every save of an article or step text replaces: the key of the words cache.

    A random token rather than a counter, so that a restored or reset database never brings back a key that a
    running process has already cached with other words.
    """

    token = models.CharField(max_length=32, default="")

    @classmethod
    def current(cls) -> str:
        """The token; read at most once per request, and not from the database with a shared cache (revision.py)."""
        return current_token(cls._read_token)

    @classmethod
    def _read_token(cls) -> str:
        """One plain SELECT on the kept connection: the ORM's query compilation cost more than the query itself."""
        connection = connections[router.db_for_read(cls)]
        sql = _TOKEN_SQL.get(connection.vendor)
        if sql is None:
            quote = connection.ops.quote_name
            sql = f"SELECT {quote('token')} FROM {quote(cls._meta.db_table)} WHERE {quote('id')} = 1"
            _TOKEN_SQL[connection.vendor] = sql
        if connection.health_check_enabled and not connection.health_check_done and not connection.in_atomic_block \
                and connection.connection is not None:
            # The first query of a request on a kept connection: Django would first send SELECT 1 to check the
            # connection (CONN_HEALTH_CHECKS), a second round trip on PostgreSQL for every page. This query is the
            # check instead: if the server dropped the connection (a restart), it is closed and the query sent once
            # more on a new one, which is what the health check would have done.
            connection.health_check_done = True
            try:
                return cls._select_token(connection, sql)
            except (InterfaceError, OperationalError):
                logger.info("the kept database connection was gone; reconnecting", exc_info=True)
                connection.close()
        return cls._select_token(connection, sql)

    @staticmethod
    def _select_token(connection, sql: str) -> str:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            row = cursor.fetchone()
        return row[0] if row and row[0] else ""

    @classmethod
    def bump(cls) -> None:
        token = uuid.uuid4().hex
        cls.objects.update_or_create(pk=1, defaults={"token": token})
        token_replaced(token)


class Significance(models.TextChoices):
    """How much an edit of a source (Italian) text changes what it says."""

    TYPO = "typo", _("Typo or wording fix (translations stay up to date)")
    CONTENT = "content", _("Content change (translations need an update)")
    MAJOR = "major", _("Major rewrite (translations need rewriting)")


class SourceRevision(models.Model):
    """One saved version of a source (Italian) article or step text, with how significant the change was, and
    its words (for the side-by-side view of what changed since a translation's revision)."""

    class Kind(models.TextChoices):
        ARTICLE = "article", _("article")
        STEP = "step", _("step text")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    #: An article's translation key, or a step's "flow_id:node_id".
    key = models.CharField(_("text"), max_length=200)
    number = models.PositiveIntegerField(_("revision"))
    significance = models.CharField(_("change"), max_length=8, choices=Significance.choices,
                                    default=Significance.CONTENT)
    text = models.TextField(_("words"))
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("source revision")
        verbose_name_plural = _("source revisions")
        ordering = ["kind", "key", "number"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "key", "number"], name="source_revision_unique_number"),
        ]
        indexes = [models.Index(fields=["kind", "key", "significance", "number"], name="source_revision_rule")]

    def __str__(self):
        return f"{self.kind} {self.key} r{self.number} ({self.significance})"
