"""Seeding the database from kb/ and writing it back. Nothing an admin saved is ever overwritten or lost."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from portal.flows.model import Flow

from .kb import article_files, article_text, content_hash, flow_words_text
from .models import Article, GuideText, StepText, TextRevision, Topic, normalize_text
from .words import flow_words

IMPORT_REASON = "import from kb/"
CONFLICT_REASON = "kb/ file version {hash} not applied: the admin edit is kept"


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # unchanged files whose rows were edited in the admin
    conflicts: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def lines(self) -> Iterable[str]:
        for name, prefix in (("created", "created"), ("updated", "updated"), ("kept", "kept admin edit"),
                             ("conflicts", "conflict"), ("problems", "problem")):
            for item in getattr(self, name):
                yield f"{prefix}: {item}"
        yield (f"{len(self.created)} created, {len(self.updated)} updated, "
               f"{len(self.skipped) + len(self.kept)} skipped, "
               f"{len(self.conflicts)} conflicts, {len(self.problems)} problems")


def kb_import(*, kb_dir: Path, locales: list[str], flows: Iterable[Flow], dry_run: bool = False) -> SyncReport:
    """Creates or updates articles, guide texts and step texts from kb/. Idempotent; `dry_run` changes nothing.

    A words file with any problem (content/words.py, the validator the admin and the system check use too) is
    reported and left out whole."""
    report = SyncReport()
    now = timezone.now()
    flows = list(flows)
    with transaction.atomic():
        files, problems = article_files(kb_dir, locales, set(Topic.values))
        report.problems.extend(str(problem) for problem in problems)
        known_steps = {f"{flow.id}:{node_id}" for flow in flows for node_id in flow.nodes}
        seen: set[tuple[str, str]] = set()
        for article in files:
            if (article.locale, article.translation_key) in seen:
                report.problems.append(f"{article.path}:1: translation_key '{article.translation_key}' is used twice")
                continue
            seen.add((article.locale, article.translation_key))
            unknown = [step for step in article.steps if step not in known_steps]
            if unknown:
                report.problems.append(f"{article.path}:1: unknown guide steps {unknown}")
                continue
            values = {**article.fields, "slug": article.slug}
            try:
                with transaction.atomic():
                    _sync(Article, {"locale": article.locale, "translation_key": article.translation_key}, values,
                          f"article {article.locale}/{article.slug}", report, now)
            except IntegrityError:
                report.problems.append(f"{article.path}:1: another {article.locale} article already has the slug "
                                       f"'{article.slug}' with a different translation_key")

        for flow in flows:
            words_files, problems = flow_words(kb_dir, flow, locales)
            report.problems.extend(str(problem) for problem in problems)
            for words in words_files:
                if words.title.strip():
                    _sync(GuideText, {"flow_id": flow.id, "locale": words.locale},
                          {"title": words.title.strip(), "summary": normalize_text(words.summary)},
                          f"guide {flow.id} ({words.locale})", report, now)
                for node_id, text in words.nodes.items():
                    values = {"title": text.title, "hint": text.hint, "body": normalize_text(text.body),
                              "answers": dict(text.answers)}
                    _sync(StepText, {"flow_id": flow.id, "node_id": node_id, "locale": words.locale}, values,
                          f"step {flow.id}:{node_id} ({words.locale})", report, now)
        if dry_run:
            transaction.set_rollback(True)
        elif report.created or report.updated:
            TextRevision.bump()
    return report


def _sync(model: type[models.Model], lookup: dict[str, Any], values: dict[str, Any], label: str,
          report: SyncReport, now) -> None:
    file_hash = content_hash(values)
    row = model.objects.filter(**lookup).first()
    if row is None:
        row = model(**{**lookup, **values}, file_hash=file_hash, imported_at=now)
        row._change_reason = IMPORT_REASON
        row.save()
        report.created.append(label)
        return
    if content_hash({key: getattr(row, key) for key in values}) == file_hash:
        if row.file_hash != file_hash:  # e.g. the file was just exported from this row: now they are in sync
            model.objects.filter(pk=row.pk).update(file_hash=file_hash, imported_at=now)
        report.skipped.append(label)
        return
    if row.file_hash == file_hash:  # the file has not changed since it was imported; the row was edited since
        report.kept.append(label)
        return
    if not row.edited_since_import:
        for key, value in values.items():
            setattr(row, key, value)
        row.file_hash, row.imported_at = file_hash, now
        row._change_reason = IMPORT_REASON
        row.save()
        report.updated.append(label)
        return
    # Both sides changed: keep the admin's text, and keep the file's version as a revision that can be restored.
    reason = CONFLICT_REASON.format(hash=file_hash[:12])
    if not row.history.filter(history_change_reason=reason).exists():
        tracked = {f.attname for f in row.history.model._meta.fields} - {
            "history_id", "history_date", "history_change_reason", "history_type", "history_user_id"}
        snapshot = {name: getattr(row, name) for name in tracked if hasattr(row, name)}
        snapshot.update(values)
        row.history.model.objects.create(
            **snapshot, history_date=now, history_type="~", history_change_reason=reason
        )
    report.conflicts.append(f"{label}: edited in the admin after the last import; kept the admin's text, "
                            f"the file's version is in its history ({reason})")


def kb_export(*, kb_dir: Path, flows: Iterable[Flow]) -> list[Path]:
    """Writes every article, guide text and step text back to kb/ files. Returns the files whose content changed."""
    written: list[Path] = []

    def write(path: Path, text: str) -> None:
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(path)

    for article in Article.objects.order_by("locale", "slug"):
        values = {key: getattr(article, key) for key in ("title", "summary", "translation_key", "topic", "tags",
                                                        "sources", "updated", "steps", "body")}
        write(Path(kb_dir) / article.locale / "articles" / f"{article.slug}.md", article_text(values))

    for flow in flows:
        rows = StepText.objects.filter(flow_id=flow.id)
        guides = {row.locale: row for row in GuideText.objects.filter(flow_id=flow.id)}
        for locale in sorted({row.locale for row in rows} | set(guides)):
            by_node = {row.node_id: row for row in rows if row.locale == locale}
            guide = guides.get(locale)
            nodes = {
                node_id: {"title": row.title, "hint": row.hint, "body": row.body, "answers": row.answers}
                for node_id in flow.nodes if (row := by_node.get(node_id))
            }
            text = flow_words_text(guide.title if guide else "", guide.summary if guide else "", nodes)
            write(Path(kb_dir) / locale / "flows" / flow.source.name, text)
    return written
