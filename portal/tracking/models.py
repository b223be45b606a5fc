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

    class Meta:
        verbose_name = _("guide session")
        verbose_name_plural = _("guide sessions")
        ordering = ["-started_at"]

    def __str__(self):
        return self.ref_code


class SessionEvent(models.Model):
    class Kind(models.TextChoices):
        SHOWN = "shown", _("Step shown")
        ANSWERED = "answered", _("Answer given")
        OUTCOME = "outcome", _("Outcome reached")

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

    def __str__(self):
        return f"{self.get_kind_display()}: {self.node_id}" + (f" → {self.answer_id}" if self.answer_id else "")


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
