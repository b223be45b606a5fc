"""Source revisions and the one rule that says when a translation is outdated.

Every save of an Italian (source) article or step text that changes its words records a SourceRevision: a number
(1, 2, 3…), how significant the change was (a typo or wording fix, a content change, a major rewrite) and the words
themselves. A translation records the source revision it follows (`source_revision`). It is **outdated** when its
source has a content change or a major rewrite numbered after that revision; typo fixes never outdate it.

`outdated_expression` (a query annotation: the admin's list and filter, the readout) and `is_outdated` (one row:
the public page's banner) are built from the same `significant_changes` queryset, so the rule lives here only.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from django.db import models, transaction
from django.db.models import Exists, OuterRef, Value
from django.db.models.functions import Coalesce, Concat
from django.utils import timezone

from .models import Article, Significance, SourceRevision, StepText
from .words import SOURCE_LOCALE

#: The changes that make a translation outdated.
SIGNIFICANT = (Significance.CONTENT, Significance.MAJOR)

Kind = SourceRevision.Kind


def kind_of(model) -> str:
    return Kind.ARTICLE if model is Article or isinstance(model, Article) else Kind.STEP


def key_of(obj) -> str:
    """The key that links a text to its translations: an article's translation key, a step's "flow:node"."""
    return obj.translation_key if isinstance(obj, Article) else f"{obj.flow_id}:{obj.node_id}"


def _key_ref(model):
    if model is Article:
        return OuterRef("translation_key")
    return Concat(OuterRef("flow_id"), Value(":"), OuterRef("node_id"), output_field=models.CharField())


def significant_changes(kind: str, key, follows):
    """The source revisions after `follows` that outdate a translation (THE rule; `key`/`follows` may be refs)."""
    return SourceRevision.objects.filter(kind=kind, key=key, number__gt=follows, significance__in=SIGNIFICANT)


def outdated_expression(model) -> models.Expression:
    """True for a translation row whose source changed in substance since the revision it follows (False for a
    source row). A translation that follows no recorded revision counts as following none (0)."""
    follows = Coalesce(OuterRef("source_revision"), Value(0))
    changed = Exists(significant_changes(kind_of(model), _key_ref(model), follows))
    return models.Case(
        models.When(locale=SOURCE_LOCALE, then=Value(False)),
        default=changed,
        output_field=models.BooleanField(),
    )


def is_outdated(obj) -> bool:
    """The same rule for one row."""
    if obj.locale == SOURCE_LOCALE:
        return False
    return significant_changes(kind_of(obj), key_of(obj), obj.source_revision or 0).exists()


def latest_significant(obj) -> SourceRevision | None:
    """The newest change that outdates `obj` (for the banner's date), or None when it is up to date."""
    if obj.locale == SOURCE_LOCALE:
        return None
    return significant_changes(kind_of(obj), key_of(obj), obj.source_revision or 0).order_by("-number").first()


def snapshot(obj) -> str:
    """The words of a text as one plain document: what a revision stores and the side-by-side view compares."""
    if isinstance(obj, Article):
        return f"# {obj.title.strip()}\n\n{obj.summary.strip()}\n\n{(obj.body or '').strip()}\n"
    parts = [f"# {obj.title.strip()}"]
    if obj.hint:
        parts.append(obj.hint.strip())
    if obj.body:
        parts.append(obj.body.strip())
    for answer_id, label in (obj.answers or {}).items():
        parts.append(f"- {answer_id}: {label}")
    return "\n\n".join(parts) + "\n"


def latest_number(kind: str, key: str) -> int:
    return (SourceRevision.objects.filter(kind=kind, key=key).aggregate(n=models.Max("number"))["n"] or 0)


def record(obj, significance: str = Significance.CONTENT, *, number: int | None = None,
           at=None) -> SourceRevision | None:
    """Records a revision of a source row if its words differ from its latest revision, and sets `obj.revision`.
    A first revision is the baseline (its significance is kept as given). `number` (from a kb/ file) is used when
    it is newer than the latest one."""
    if obj.locale != SOURCE_LOCALE:
        return None
    kind, key, text = kind_of(obj), key_of(obj), snapshot(obj)
    with transaction.atomic():
        last = SourceRevision.objects.select_for_update().filter(kind=kind, key=key).order_by("-number").first()
        if last is not None and last.text == text:
            if obj.revision != last.number:
                type(obj).objects.filter(pk=obj.pk).update(revision=last.number)
                obj.revision = last.number
            return None
        newest = last.number if last else 0
        revision = SourceRevision.objects.create(
            kind=kind, key=key, number=max(newest + 1, number or 0), significance=significance or Significance.CONTENT,
            text=text, created_at=at or timezone.now())
        type(obj).objects.filter(pk=obj.pk).update(revision=revision.number)
        obj.revision = revision.number
    return revision


def follow_latest(obj) -> None:
    """A new translation follows the source's latest revision."""
    if obj.locale == SOURCE_LOCALE or obj.source_revision is not None:
        return
    obj.source_revision = latest_number(kind_of(obj), key_of(obj))
    type(obj).objects.filter(pk=obj.pk).update(source_revision=obj.source_revision)


@dataclass(frozen=True)
class Behind:
    """How far a translation is behind its source."""

    revisions: tuple[SourceRevision, ...]  # every source revision after the one followed, oldest first

    @property
    def significant(self) -> tuple[SourceRevision, ...]:
        return tuple(r for r in self.revisions if r.significance in SIGNIFICANT)

    @property
    def worst(self) -> str:
        kinds = {r.significance for r in self.revisions}
        for significance in (Significance.MAJOR, Significance.CONTENT, Significance.TYPO):
            if significance in kinds:
                return significance
        return ""


def behind(obj) -> Behind:
    """Every source revision after the one `obj` (a translation) follows."""
    follows = obj.source_revision or 0
    return Behind(tuple(SourceRevision.objects.filter(kind=kind_of(obj), key=key_of(obj), number__gt=follows)
                        .order_by("number").defer("text")))


def side_by_side(kind: str, key: str, follows: int | None) -> list[tuple[str, str, str]]:
    """The source's changes since revision `follows`: rows of (tag, old line, new line), tag one of
    "equal", "replace", "delete", "insert" (difflib), from the followed revision's words to the latest."""
    revisions = SourceRevision.objects.filter(kind=kind, key=key)
    old = revisions.filter(number__lte=follows or 0).order_by("-number").values_list("text", flat=True).first() or ""
    new = revisions.order_by("-number").values_list("text", flat=True).first() or ""
    a, b = old.splitlines(), new.splitlines()
    rows = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        left, right = a[i1:i2], b[j1:j2]
        for index in range(max(len(left), len(right))):
            rows.append((tag, left[index] if index < len(left) else "", right[index] if index < len(right) else ""))
    return rows
