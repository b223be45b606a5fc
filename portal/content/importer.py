"""Seeding the database from kb/ and writing it back. Nothing an admin saved is ever overwritten or lost."""

from __future__ import annotations

import functools
import multiprocessing
import operator
import os
import tomllib
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from django.db import IntegrityError, connections, models, transaction
from django.db.models import F, Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from portal.flows.model import Flow

from .kb import (
    ArticleFile,
    KbError,
    article_files,
    article_text,
    content_hash,
    flow_words_text,
    flow_table_values,
    flow_words_values,
    parse_article,
    update_article_text,
    update_flow_words_text,
)
from . import revisions
from .models import (Article, GuideText, Significance, SourceRevision, StepText, TextRevision, Topic,
                     article_rendering, normalize_text)
from .search_index import after_bulk_write, fts_row, write_index
from .words import SOURCE_LOCALE, flow_words

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


#: Files read, compared and written per transaction.
BATCH_SIZE = 500
#: Rendering this many new or changed bodies or more is spread over the machine's cores.
PARALLEL_RENDER_FROM = 2000

Progress = Callable[[int, int], None]


def kb_import(*, kb_dir: Path, locales: list[str], flows: Iterable[Flow], dry_run: bool = False,
              progress: Progress | None = None) -> SyncReport:
    """Creates or updates articles, guide texts and step texts from kb/. Idempotent: a second run reads but writes
    nothing. A words file with any problem (content/words.py, the validator the admin and the system checks use
    too) is reported and left out whole.

    Articles go BATCH_SIZE files a transaction; `dry_run` runs everything in one transaction and rolls it back.
    `progress(done, total)` is told after each batch of articles.
    """
    report = SyncReport()
    now = timezone.now()
    flows = list(flows)
    with transaction.atomic() if dry_run else nullcontext():
        files, problems = article_files(kb_dir, locales, set(Topic.values), _settled_articles(locales))
        report.problems.extend(str(problem) for problem in problems)
        known_steps = {f"{flow.id}:{node_id}" for flow in flows for node_id in flow.nodes}
        seen: set[tuple[str, str]] = set()
        valid = []
        for article in files:
            if (article.locale, article.translation_key) in seen:
                report.problems.append(f"{article.path}:1: translation_key '{article.translation_key}' is used twice")
                continue
            seen.add((article.locale, article.translation_key))
            unknown = [step for step in article.steps if step not in known_steps]
            if unknown:
                report.problems.append(f"{article.path}:1: unknown guide steps {unknown}")
                continue
            valid.append(article)
        # Italian first: a translation file without `source_revision` follows its source's latest revision.
        valid.sort(key=lambda article: article.locale != SOURCE_LOCALE)
        created, updated = len(report.created), len(report.updated)
        known = _import_articles(valid, report, now, progress)
        written = set(report.created[created:]) | set(report.updated[updated:])
        for start in range(0, len(valid), BATCH_SIZE):
            with transaction.atomic():
                _link_revisions(valid[start:start + BATCH_SIZE], written, known, now)
        if len(report.created) - created > BATCH_SIZE:
            after_bulk_write(connections[Article.objects.db])

        with transaction.atomic():
            written_steps = []
            for flow in flows:
                words_files, problems = flow_words(kb_dir, flow, locales)
                report.problems.extend(str(problem) for problem in problems)
                for words in words_files:
                    if words.title.strip():
                        _sync(GuideText, {"flow_id": flow.id, "locale": words.locale},
                              guide_text_values(words.title, words.summary), f"guide {flow.id} ({words.locale})",
                              report, now)
                    for node_id, text in words.nodes.items():
                        values = step_values(text.title, text.hint, text.body, text.answers)
                        row = _sync(StepText, {"flow_id": flow.id, "node_id": node_id, "locale": words.locale},
                                    values, f"step {flow.id}:{node_id} ({words.locale})", report, now)
                        if row is not None:
                            written_steps.append(row)
            # Step words from kb/ are a content change of the Italian; a translation written from kb/ follows the
            # Italian as it is now (the words files carry no revision numbers).
            written_steps.sort(key=lambda row: row.locale != SOURCE_LOCALE)
            for row in written_steps:
                if row.locale == SOURCE_LOCALE:
                    revisions.record(row, Significance.CONTENT, at=now)
                else:
                    row.source_revision = None
                    revisions.follow_latest(row)
        if dry_run:
            transaction.set_rollback(True)
        elif report.created or report.updated:
            TextRevision.bump()
    return report


def _link_revisions(files: list[ArticleFile], written: set[str], known: dict, now) -> None:
    """The source-revision bookkeeping of a batch of article files (content/revisions.py).

    An Italian article whose words this import wrote becomes a new source revision: numbered by the file's
    `revision` and of its `change` when the file declares a newer revision than the database has, else the next
    number, a content change. A translation follows the file's `source_revision` (else its source's latest), unless
    its row was edited in the admin and this import left it alone: then the admin's link stays.
    `known` holds the batch's rows as read before the import; an unchanged batch costs no query here.
    """
    def label(article):
        return f"article {article.locale}/{article.slug}"

    def needs_work(article, row):
        if article.unchanged:  # its row is settled (_settled_articles) and this import left it alone
            return False
        if row is None or label(article) in written:
            return True
        if article.locale == SOURCE_LOCALE:
            return not row.revision
        if row.edited_since_import:
            return False
        return (article.source_revision is not None and article.source_revision != row.source_revision) or (
            article.source_revision is None and row.source_revision is None)

    pending = [article for article in files if needs_work(article, known.get((article.locale,
                                                                               article.translation_key)))]
    if not pending:
        return
    rows = {(row.locale, row.translation_key): row for row in Article.objects.filter(_rows_of(pending)).only(
        "id", "locale", "translation_key", "revision", "source_revision", "edited_at", "imported_at")}
    latest = _latest_revisions({article.translation_key for article in pending})
    new_revisions, sources, translations = [], [], []
    for article in pending:
        row = rows.get((article.locale, article.translation_key))
        if row is None:
            continue
        link = _revision_link(article, row, latest, label(article) in written, now, new_revisions)
        if link is not None and getattr(row, link[0]) != link[1]:
            setattr(row, *link)
            (sources if article.locale == SOURCE_LOCALE else translations).append(row)
    SourceRevision.objects.bulk_create(new_revisions, batch_size=BATCH_SIZE)
    _update_grouped(sources, "revision")
    _update_grouped(translations, "source_revision")


def _latest_revisions(keys: set[str]) -> dict[str, tuple[int, str]]:
    """translation key → (number, words) of its latest article source revision."""
    latest: dict[str, tuple[int, str]] = {}
    for key, number, text in (SourceRevision.objects.filter(kind=SourceRevision.Kind.ARTICLE, key__in=keys)
                              .order_by("key", "number").values_list("key", "number", "text")):
        latest[key] = (number, text)
    return latest


def _revision_link(article: ArticleFile, row: Article, latest: dict[str, tuple[int, str]], written: bool, now,
                   new_revisions: list[SourceRevision]) -> tuple[str, int] | None:
    """The revision field a row of this file should hold and its value (None: leave the row's as it is); a new
    source revision it needs is appended to `new_revisions` and to `latest`. `written`: this import wrote the row's
    words. See _link_revisions for the rules."""
    key = article.translation_key
    if article.locale == SOURCE_LOCALE:
        last = latest.get(key)
        text = revisions.snapshot(Article(title=article.title, summary=article.summary,
                                          body=normalize_text(article.body)))
        if last is None or (written and last[1] != text):
            newest = last[0] if last else 0
            declared = article.revision is not None and article.revision > newest
            number = article.revision if declared else newest + 1
            significance = (article.change or Significance.CONTENT) if declared else Significance.CONTENT
            new_revisions.append(SourceRevision(kind=SourceRevision.Kind.ARTICLE, key=key, number=number,
                                                significance=significance, text=text, created_at=now))
            latest[key] = (number, text)
        return "revision", latest[key][0]
    if written or not row.edited_since_import:
        follows = article.source_revision
        if follows is None:
            follows = latest[key][0] if key in latest else 0
            if row.source_revision is not None and not written:
                follows = row.source_revision  # an unchanged file without the key: the row's link stays
        return "source_revision", follows
    return None


def _settled_articles(locales: list[str]) -> dict[tuple[str, str], ArticleFile]:
    """(locale, slug) → a stand-in for each row that an unchanged file needs nothing more for: imported from a file
    whose digest it keeps, not edited in the admin since, and with its revision bookkeeping done (an Italian row has
    its revision, a translation the source revision it follows). One query; the stand-ins carry what the checks
    after parsing read (key, topic, steps, revision numbers), never the words."""
    fields = ("locale", "slug", "file_digest", "translation_key", "topic", "updated", "steps", "revision",
              "source_revision")
    not_edited = Q(edited_at__isnull=True) | Q(imported_at__isnull=False, edited_at__lte=F("imported_at"))
    bookkept = Q(locale=SOURCE_LOCALE, revision__gt=0) | (~Q(locale=SOURCE_LOCALE) & Q(source_revision__isnull=False))
    rows = (Article.objects.filter(not_edited, bookkept, locale__in=locales).exclude(file_digest="")
            .order_by().values_list(*fields))
    settled = {}
    for locale, slug, digest, key, topic, updated, steps, revision, source_revision in rows:
        source = locale == SOURCE_LOCALE
        settled[(locale, slug)] = ArticleFile(
            path=Path(), locale=locale, slug=slug, title="", summary="", translation_key=key, topic=topic,
            updated=updated, body="", steps=list(steps or []), revision=revision if source else None,
            source_revision=None if source else source_revision, digest=digest, unchanged=True)
    return settled


def _rows_of(files: list[ArticleFile]) -> Q:
    """The rows of these files: one `translation_key IN (…)` per locale (a chain of ORs of pairs costs Django more
    to build than the database to run)."""
    keys: dict[str, list[str]] = {}
    for article in files:
        keys.setdefault(article.locale, []).append(article.translation_key)
    lookups = [Q(locale=locale, translation_key__in=translation_keys) for locale, translation_keys in keys.items()]
    return functools.reduce(operator.or_, lookups, Q(pk__in=[]))  # Q(pk__in=[]): no files, no rows (no query)


def _update_grouped(rows: list[Article], name: str) -> None:
    """Sets `name` to each row's value: one UPDATE per distinct value (an import gives most rows the same number),
    instead of bulk_update's CASE over every row."""
    by_value: dict[Any, list[int]] = {}
    for row in rows:
        by_value.setdefault(getattr(row, name), []).append(row.pk)
    for value, pks in by_value.items():
        for start in range(0, len(pks), BATCH_SIZE):
            Article.objects.filter(pk__in=pks[start:start + BATCH_SIZE]).update(**{name: value})


def _import_articles(files: list[ArticleFile], report: SyncReport, now, progress: Progress | None) -> dict:
    """First each batch's files are compared with their rows, one query a batch: unchanged files stop there, changed
    or edited ones go through `_sync` (one by one: they are few). Then the new articles are rendered (on every core
    when there are many, ahead of the writes) and written in bulk, BATCH_SIZE a transaction, with their history and
    search index."""
    new = []
    known = {}  # every row as read before the import (the revision bookkeeping reads these, not the table again)
    for start in range(0, len(files), BATCH_SIZE):
        batch = files[start:start + BATCH_SIZE]
        existing = {(row.locale, row.translation_key): row for row in Article.objects.filter(_rows_of(batch)).only(
            "id", "locale", "translation_key", "file_hash", "file_digest", "imported_at", "edited_at", "revision",
            "source_revision")}
        known.update(existing)
        for index, article in enumerate(batch):
            label = f"article {article.locale}/{article.slug}"
            row = existing.get((article.locale, article.translation_key))
            if article.unchanged:
                if row is not None and row.file_digest == article.digest and not row.edited_since_import:
                    report.skipped.append(label)
                    continue
                # The row changed since the stand-in was made (an admin save meanwhile): read the file after all.
                try:
                    article = batch[index] = files[start + index] = parse_article(
                        article.path, article.locale, set(Topic.values))
                except KbError as error:
                    report.problems.extend(str(problem) for problem in error.problems)
                    continue
                row = existing.get((article.locale, article.translation_key))
            values = {**article.fields, "slug": article.slug}
            if row is None:
                new.append((article, values, label))
            elif row.file_hash == content_hash(values) and not row.edited_since_import:
                report.skipped.append(label)
            else:
                _sync_article(article, values, label, report, now)
    done = len(files) - len(new)
    if progress and (done or not new):
        progress(done, len(files))
    if not new:
        return known
    fts = connections[Article.objects.db].vendor == "sqlite"
    with _renderer(len(new)) as render:
        rendered = render([(values["body"], article.locale, values["title"], values["summary"], fts)
                           for article, values, _ in new])
        for start in range(0, len(new), BATCH_SIZE):
            batch = new[start:start + BATCH_SIZE]
            _create_articles(batch, [next(rendered) for _ in batch], report, now)
            if progress:
                progress(done + start + len(batch), len(files))
    return known


def _create_articles(new: list[tuple[ArticleFile, dict[str, Any], str]], rendered: list[tuple], report: SyncReport,
                     now) -> None:
    """One batch of new articles in one transaction; a slug taken by another article sends the batch one by one."""
    rows = []
    latest = _latest_revisions({article.translation_key for article, _, _ in new})
    new_revisions: list[SourceRevision] = []
    for (article, values, _), (body, body_html, body_text, _stems) in zip(new, rendered):
        row = Article(locale=article.locale, **{**values, "body": body}, body_html=body_html, body_text=body_text,
                      file_hash=content_hash(values), file_digest=article.digest, imported_at=now)
        # The revision numbers _link_revisions would give it, written with the row: setting them afterwards was an
        # UPDATE of every new row (on PostgreSQL a new version of each, with new entries in every index).
        setattr(row, *_revision_link(article, row, latest, True, now, new_revisions))
        rows.append(row)
    try:
        with transaction.atomic():
            SourceRevision.objects.bulk_create(new_revisions, batch_size=BATCH_SIZE)
            created = bulk_create_with_history(rows, Article, batch_size=BATCH_SIZE,
                                               default_change_reason=IMPORT_REASON)
            write_index(connections[Article.objects.db], [
                (row.pk, stems) for row, (*_, stems) in zip(created, rendered)])
    except IntegrityError:  # a slug taken by another article: find which, one by one
        for article, values, label in new:
            _sync_article(article, values, label, report, now)
        return
    report.created.extend(label for _, _, label in new)


def _sync_article(article: ArticleFile, values: dict[str, Any], label: str, report: SyncReport, now) -> None:
    try:
        with transaction.atomic():
            _sync(Article, {"locale": article.locale, "translation_key": article.translation_key}, values, label,
                  report, now, tracked={"file_digest": article.digest})
    except IntegrityError:
        report.problems.append(f"{article.path}:1: another {article.locale} article already has the slug "
                               f"'{article.slug}' with a different translation_key")


@contextmanager
def _renderer(count: int):
    """render(items) → an iterator of `_render_one` results in order. From PARALLEL_RENDER_FROM items on a machine
    with several cores, forked workers render while this process writes the batches before (python-markdown is the
    import's slowest step); the workers only compute, they never touch the database connection they inherit."""
    if count < PARALLEL_RENDER_FROM or (os.cpu_count() or 1) < 2:
        yield lambda items: map(_render_one, items)
        return
    with ProcessPoolExecutor(os.cpu_count(), mp_context=multiprocessing.get_context("fork")) as pool:
        yield lambda items: pool.map(_render_one, items, chunksize=50)


def _render_one(item: tuple[str, str, str, str, bool]) -> tuple[str, str, str, tuple | None]:
    """(body, locale, title, summary, fts) → (body, body_html, body_text, the SQLite index's row or None)."""
    body, locale, title, summary, fts = item
    body, body_html, body_text = article_rendering(body, locale)
    return body, body_html, body_text, fts_row(locale, title, summary, body_text) if fts else None


def _sync(model: type[models.Model], lookup: dict[str, Any], values: dict[str, Any], label: str,
          report: SyncReport, now, tracked: dict[str, Any] | None = None) -> models.Model | None:
    """Brings one row in line with its file; returns the row when its words were written. `tracked`: bookkeeping
    about the file (an article's file_digest), written with the row whenever the row is in line with the file."""
    tracked = tracked or {}
    file_hash = content_hash(values)
    row = model.objects.filter(**lookup).first()
    if row is None:
        row = model(**{**lookup, **values}, **tracked, file_hash=file_hash, imported_at=now)
        row._change_reason = IMPORT_REASON
        row.save()
        report.created.append(label)
        return row
    if content_hash({key: getattr(row, key) for key in values}) == file_hash:
        if row.file_hash != file_hash:  # e.g. the file was just exported from this row: now they are in sync
            model.objects.filter(pk=row.pk).update(file_hash=file_hash, imported_at=now, **tracked)
        report.skipped.append(label)
        return
    if row.file_hash == file_hash:  # the file has not changed since it was imported; the row was edited since
        report.kept.append(label)
        return
    if not row.edited_since_import:
        for key, value in {**values, **tracked}.items():
            setattr(row, key, value)
        row.file_hash, row.imported_at = file_hash, now
        row._change_reason = IMPORT_REASON
        row.save()
        report.updated.append(label)
        return row
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


@dataclass
class ExportReport:
    written: list[Path] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # files with a local edit that was never imported


def step_values(title: str, hint: str, body: str, answers: dict[str, str]) -> dict[str, Any]:
    """The words of one step as StepText stores them and as its file_hash is computed."""
    return {"title": title, "hint": hint, "body": normalize_text(body), "answers": dict(answers)}


def guide_text_values(title: str, summary: str) -> dict[str, Any]:
    """A guide's title and summary as GuideText stores them and as its file_hash is computed."""
    return {"title": title.strip(), "summary": normalize_text(summary)}


ARTICLE_FIELDS = ("title", "summary", "translation_key", "topic", "tags", "sources", "updated", "steps", "body")


def revision_front_matter(article: Article, changes: dict[str, tuple[int, str]],
                          existing: ArticleFile | None) -> dict[str, Any]:
    """The revision keys of an article's front matter. A key the file does not have yet is written only when it
    says more than its absence would on import (an Italian revision 1 that was a content change; a translation that
    follows its source's latest revision), so that an export right after an import changes no file."""
    number, significance = changes.get(article.translation_key, (0, Significance.CONTENT))
    if article.locale == SOURCE_LOCALE:
        wanted = {"revision": article.revision or None, "change": significance if article.revision else None,
                  "source_revision": None}
        defaults = {"revision": 1, "change": Significance.CONTENT}
    else:
        wanted = {"revision": None, "change": None, "source_revision": article.source_revision}
        defaults = {"source_revision": number}
    for key, default in defaults.items():
        if wanted[key] == default and (existing is None or getattr(existing, key) is None):
            wanted[key] = None
    if wanted["revision"] is not None:
        wanted["change"] = significance  # a written revision always says how significant it was
    return wanted


def kb_export(*, kb_dir: Path, flows: Iterable[Flow], force: bool = False) -> ExportReport:
    """Writes the database's articles, guide texts and step texts back to kb/, changing only what differs.

    Existing files keep their comments and layout (see kb.update_*). A file holding a local edit that was never
    imported (its text is neither what was last imported nor what the database holds) would lose that edit: such
    files are listed in `refused` and nothing at all is written, unless `force`. Every row written out is then in
    sync with its file, so a second export or the next import finds nothing to do.
    """
    kb_dir = Path(kb_dir)
    report = ExportReport()
    planned: list[tuple[Path, str, Path | None]] = []  # (path, new text, old path to remove after a slug change)
    synced: list[tuple[models.Model, str]] = []  # rows whose file will hold their current text

    def plan(path: Path, old_text: str | None, new_text: str, conflicts: list[str], rows, remove=None):
        if conflicts and not force:
            report.refused.append(f"{path}: changed in kb/ since the last import ({', '.join(conflicts)})")
            return
        if old_text != new_text or remove is not None:
            planned.append((path, new_text, remove))
        synced.extend(rows)

    files, _problems = article_files(kb_dir, sorted({a.locale for a in Article.objects.all()}), set(Topic.values))
    by_key = {(f.locale, f.translation_key): f for f in files}
    changes = {key: (number, significance) for key, number, significance in SourceRevision.objects.filter(
        kind=SourceRevision.Kind.ARTICLE).order_by("key", "number").values_list("key", "number", "significance")}
    for article in Article.objects.order_by("locale", "slug"):
        values = {key: getattr(article, key) for key in ARTICLE_FIELDS}
        row_hash = content_hash({**values, "slug": article.slug})
        existing = by_key.get((article.locale, article.translation_key))
        values.update(revision_front_matter(article, changes, existing))
        path = kb_dir / article.locale / "articles" / f"{article.slug}.md"
        if existing is None:
            # A file at that path that did not parse is someone's unfinished edit: never replace it silently.
            unreadable = ["not a valid article file"] if path.exists() else []
            plan(path, None, article_text(values), unreadable, [(article, row_hash)])
            continue
        old_text = existing.path.read_text(encoding="utf-8")
        file_hash = content_hash({**existing.fields, "slug": existing.slug})
        conflicts = [] if file_hash in (row_hash, article.file_hash) else [article.translation_key]
        plan(path, old_text, update_article_text(old_text, values), conflicts, [(article, row_hash)],
             remove=existing.path if existing.path != path else None)

    for flow in flows:
        rows = StepText.objects.filter(flow_id=flow.id).order_by("locale", "node_id")
        guides = {row.locale: row for row in GuideText.objects.filter(flow_id=flow.id)}
        for locale in sorted({row.locale for row in rows} | set(guides)):
            by_node = {row.node_id: row for row in rows if row.locale == locale}
            path = kb_dir / locale / "flows" / flow.source.name
            nodes, pending, conflicts = {}, [], []
            old_text = path.read_text(encoding="utf-8") if path.exists() else None
            try:
                on_disk = flow_words_values(old_text) if old_text is not None else {}
            except tomllib.TOMLDecodeError:
                on_disk, old_text = {}, None
                conflicts.append("not valid TOML")
            for node_id in flow.nodes:
                row = by_node.get(node_id)
                if row is None:
                    continue
                values = step_values(row.title, row.hint, row.body, row.answers)
                nodes[node_id] = values
                row_hash = content_hash(values)
                pending.append((row, row_hash))
                if node_id in on_disk:
                    disk = on_disk[node_id]
                    file_hash = content_hash(step_values(disk["title"], disk["hint"], disk["body"], disk["answers"]))
                    if file_hash not in (row_hash, row.file_hash):
                        conflicts.append(node_id)
            guide = guides.get(locale)
            guide_values = guide_text_values(guide.title, guide.summary) if guide else None
            if guide is not None:
                guide_hash = content_hash(guide_values)
                pending.append((guide, guide_hash))
                disk = flow_table_values(old_text) if old_text is not None else None
                if disk and content_hash(guide_text_values(**disk)) not in (guide_hash, guide.file_hash):
                    conflicts.append("[flow]")
            if old_text is not None:
                plan(path, old_text, update_flow_words_text(old_text, nodes, flow_table=guide_values), conflicts,
                     pending)
            else:
                text = flow_words_text(guide.title if guide else "", guide.summary if guide else "", nodes)
                plan(path, None, text, conflicts, pending)

    if report.refused:
        return report
    for path, text, remove in planned:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        report.written.append(path)
        if remove is not None:
            remove.unlink()
            report.written.append(remove)
    now = timezone.now()
    for row, row_hash in synced:
        if row.file_hash != row_hash:
            type(row).objects.filter(pk=row.pk).update(file_hash=row_hash, imported_at=now)
    return report
