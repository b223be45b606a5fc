"""Anonymous tracked sessions of the guide. No IP address, no user agent, no free text."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutcomeKind(models.TextChoices):
    APPEAL = "appeal", _("Appeal")
    WAIT = "wait", _("Wait")
    CONTACT_META = "contact-meta", _("Contact Meta")


class FlowSession(models.Model):
    """One visitor's walk through one flow."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ref_code = models.CharField(_("reference code"), max_length=9, unique=True)
    flow_id = models.CharField(_("flow"), max_length=64)
    flow_version = models.CharField(_("flow version"), max_length=64)
    locale = models.CharField(_("language"), max_length=8)
    entry_node = models.CharField(_("entry step"), max_length=64)
    started_at = models.DateTimeField(_("started"), auto_now_add=True, db_index=True)
    last_seen_at = models.DateTimeField(_("last seen"), auto_now_add=True)
    outcome_kind = models.CharField(_("outcome"), max_length=16, choices=OutcomeKind.choices, blank=True)
    outcome_node = models.CharField(_("outcome step"), max_length=64, blank=True)
    #: When the walk first reached an outcome; null while it has none.
    outcome_at = models.DateTimeField(_("outcome reached"), null=True, blank=True)
    #: Where the walk was last (its latest answer's target, or its entry). Analytics only: walks resolve from
    #: the visitor's answers, never from this.
    last_node = models.CharField(_("last step"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("guide session")
        verbose_name_plural = _("guide sessions")
        ordering = ["-started_at"]
        # The staff dashboard filters by period first, then by flow version, language or outcome.
        indexes = [
            models.Index(fields=["flow_id", "flow_version", "started_at"], name="session_flow_started"),
            models.Index(fields=["locale", "started_at"], name="session_locale_started"),
            models.Index(fields=["outcome_kind", "started_at"], name="session_outcome_started"),
            models.Index(fields=["last_seen_at"], name="session_last_seen"),
        ]

    def __str__(self):
        return self.ref_code


class SessionEvent(models.Model):
    class Kind(models.TextChoices):
        STARTED = "started", _("Walk started")
        ANSWERED = "answered", _("Answer given")
        OUTCOME = "outcome", _("Outcome reached")
        CODE_REQUESTED = "code_requested", _("Reference code requested")
        #: Written by older versions on every page view; kept so old rows still display. Never written now.
        SHOWN = "shown", _("Step shown (old)")

    session = models.ForeignKey(FlowSession, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=16, choices=Kind.choices)
    node_id = models.CharField(_("step"), max_length=64)
    answer_id = models.CharField(_("answer"), max_length=64, blank=True)
    at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        # The auto-increment id keeps events in the order they were recorded, even within one clock tick.
        ordering = ["id"]
        indexes = [
            models.Index(fields=["session", "id"], name="event_session_order"),
            models.Index(fields=["kind", "node_id", "answer_id"], name="event_kind_node_answer"),
            models.Index(fields=["at"], name="event_at"),
        ]
        constraints = [
            # A reload or a double submit can never count an outcome twice.
            models.UniqueConstraint(
                fields=["session", "node_id"], condition=models.Q(kind="outcome"), name="event_one_outcome_per_node"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.node_id}" + (f" → {self.answer_id}" if self.answer_id else "")


class LinkOpen(models.Model):
    """How often a step was opened from a link (without a walk containing it), per day and language.

    An aggregate only: no session, no visitor. Written by a GET with one UPSERT (services.link_open_count).
    """

    day = models.DateField(_("day"))
    flow_id = models.CharField(_("flow"), max_length=64)
    node_id = models.CharField(_("step"), max_length=64)
    locale = models.CharField(_("language"), max_length=8)
    count = models.PositiveIntegerField(_("opens"), default=0)

    class Meta:
        verbose_name = _("link open")
        verbose_name_plural = _("link opens")
        ordering = ["-day", "flow_id", "node_id", "locale"]
        constraints = [
            models.UniqueConstraint(fields=["day", "flow_id", "node_id", "locale"], name="link_open_one_row_per_day"),
        ]

    def __str__(self):
        return f"{self.day} {self.flow_id}:{self.node_id} [{self.locale}] × {self.count}"


class Vote(models.Model):
    """A "was this helpful?" answer. No free text: the optional reason is one of a short list."""

    class Target(models.TextChoices):
        ARTICLE = "article", _("Article")
        STEP = "step", _("Guide step")
        OUTCOME = "outcome", _("Guide outcome")

    class Reason(models.TextChoices):
        SOLVED = "solved", _("It told me what to do")
        CLEAR = "clear", _("It was clear and short")
        UNCLEAR = "unclear", _("It was hard to understand")
        NOT_MY_CASE = "not-my-case", _("It did not fit my situation")
        OUTDATED = "outdated", _("Meta's screens look different")
        DID_NOT_WORK = "did-not-work", _("I did it, but it did not work")

    HELPFUL_REASONS = (Reason.SOLVED, Reason.CLEAR)
    UNHELPFUL_REASONS = (Reason.UNCLEAR, Reason.NOT_MY_CASE, Reason.OUTDATED, Reason.DID_NOT_WORK)

    target_type = models.CharField(_("on"), max_length=16, choices=Target.choices)
    target_id = models.CharField(_("what"), max_length=160, db_index=True)
    locale = models.CharField(_("language"), max_length=8)
    helpful = models.BooleanField(_("helpful"))
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices, blank=True)
    session = models.ForeignKey(FlowSession, null=True, blank=True, on_delete=models.SET_NULL, related_name="votes")
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.target_type}:{self.target_id} {'+' if self.helpful else '-'}"


class VoteQuota(models.Model):
    """How many new votes one visitor cast in one clock hour (the vote limit). `visitor` is a keyed hash of the
    random id in the visitor's vote cookie, never an IP address; rows of earlier hours are deleted."""

    visitor = models.CharField(max_length=32)
    window = models.IntegerField(db_index=True)  # hours since the epoch
    count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["visitor", "window"], name="vote_quota_one_row_per_hour")]


class SearchCount(models.Model):
    """How often a normalized search query was made per day and language, how often it found nothing, and how often
    one of its results was opened. No raw query text is ever stored: only what tracking/searchstats.py's
    normalizer leaves (lower case, accents folded, no digits, e-mail addresses, phone numbers or URLs). Written in
    bulk from a per-process buffer, never once per search."""

    day = models.DateField(_("day"))
    locale = models.CharField(_("language"), max_length=8)
    query = models.CharField(_("search"), max_length=100)
    searches = models.PositiveIntegerField(_("searches"), default=0)
    zero_results = models.PositiveIntegerField(_("found nothing"), default=0)
    opens = models.PositiveIntegerField(_("results opened"), default=0)

    class Meta:
        verbose_name = _("search count")
        verbose_name_plural = _("search counts")
        ordering = ["-day", "locale", "query"]
        constraints = [
            models.UniqueConstraint(fields=["day", "locale", "query"], name="search_count_one_row_per_day"),
        ]
        indexes = [models.Index(fields=["day", "locale"], name="search_count_day_locale")]
        permissions = [("view_editorial", _("Can read the editorial readouts (translations, unhelpful content, "
                                            "searches)"))]

    def __str__(self):
        return f"{self.day} [{self.locale}] {self.query} × {self.searches}"
