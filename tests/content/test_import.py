"""import_kb / export_kb: idempotent, honest about conflicts, never losing an admin edit, round-tripping."""

import datetime
import shutil
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from portal.content.importer import kb_export, kb_import
from portal.content.kb import parse_article
from portal.content.models import Article, StepText, TextRevision, Topic
from portal.flows.registry import all_flows

pytestmark = pytest.mark.django_db

ARTICLE = """\
+++
title = "Fare ricorso"
summary = "Come chiedere una revisione."
translation_key = "appeal"
topic = "risolvere"
tags = ["ricorso"]
sources = ["https://developers.facebook.com/documentation/business-messaging/whatsapp/policy-enforcement"]
updated = 2026-11-01
steps = ["blocked_number:spam_appeal_button"]
+++

Premi il pulsante «Ricorso». Vedi anche [il blocco](cosa-significa).
"""


@pytest.fixture
def kb(tmp_path):
    (tmp_path / "it" / "articles").mkdir(parents=True)
    (tmp_path / "it" / "articles" / "fare-ricorso.md").write_text(ARTICLE)
    return tmp_path


def run(kb_dir, *args):
    out = StringIO()
    call_command("import_kb", "--kb-dir", str(kb_dir), *args, stdout=out)
    return out.getvalue()


def admin_edit(article, **changes):
    """What ArticleAdmin.save_model does."""
    from django.utils import timezone

    for key, value in changes.items():
        setattr(article, key, value)
    article.edited_at = timezone.now()
    article.save()


def test_first_import_creates_and_second_skips(kb):
    first = run(kb)
    assert "created: article it/fare-ricorso" in first
    assert first.splitlines()[-1].endswith("0 conflicts, 0 problems")
    article = Article.objects.get(locale="it", slug="fare-ricorso")
    assert article.updated == datetime.date(2026, 11, 1)
    assert article.steps == ["blocked_number:spam_appeal_button"]
    assert 'href="/it/articles/cosa-significa/"' in article.body_html
    second = run(kb)
    assert second.splitlines()[-1].startswith("0 created, 0 updated,")
    assert "skipped" in second.splitlines()[-1]
    assert Article.objects.count() == 1


def test_import_also_seeds_every_step_text_of_the_real_flow(kb):
    run(kb)
    flow = all_flows()["blocked-number"]
    for locale in flow.words:
        assert StepText.objects.filter(flow_id=flow.id, locale=locale).count() == len(flow.words[locale].nodes)
    start = StepText.objects.get(flow_id=flow.id, node_id="start", locale="it")
    assert start.title == flow.words["it"].nodes["start"].title
    assert "<li>" in start.body_html  # markdown list rendered


def test_a_changed_file_updates_an_article_nobody_edited(kb):
    run(kb)
    (kb / "it" / "articles" / "fare-ricorso.md").write_text(ARTICLE.replace("Come chiedere", "Come domandare"))
    revision = TextRevision.current()
    assert "updated: article it/fare-ricorso" in run(kb)
    assert Article.objects.get().summary == "Come domandare una revisione."
    assert TextRevision.current() != revision  # the guide will read its words again


def test_dry_run_reports_and_changes_nothing(kb):
    out = run(kb, "--dry-run")
    assert "[dry run] created: article it/fare-ricorso" in out
    assert Article.objects.count() == 0 and StepText.objects.count() == 0


def test_admin_edit_is_kept_and_the_file_version_is_stored_as_a_revision(kb):
    run(kb)
    admin_edit(Article.objects.get(), summary="Testo scritto dall'admin.")
    (kb / "it" / "articles" / "fare-ricorso.md").write_text(ARTICLE.replace("Come chiedere", "Dal file:"))
    out = run(kb)
    assert "conflict: article it/fare-ricorso: edited in the admin after the last import" in out
    article = Article.objects.get()
    assert article.summary == "Testo scritto dall'admin."  # nothing lost
    stored = article.history.filter(history_change_reason__startswith="kb/ file version").get()
    assert stored.summary == "Dal file: una revisione."
    # Running again does not pile up copies of the same file version.
    run(kb)
    assert article.history.filter(history_change_reason__startswith="kb/ file version").count() == 1


def test_an_admin_edit_survives_a_reimport_of_the_unchanged_file(kb):
    run(kb)
    admin_edit(Article.objects.get(), title="Titolo dall'admin")
    assert "kept admin edit: article it/fare-ricorso" in run(kb)
    assert Article.objects.get().title == "Titolo dall'admin"


@pytest.mark.parametrize(
    "broken,line,message",
    [
        (ARTICLE.replace('topic = "risolvere"', 'topic = "altro"'), 5, "unknown topic 'altro'"),
        (ARTICLE.replace("updated = 2026-11-01", 'updated = "ieri"'), 8, "'updated' must be a date"),
        (ARTICLE.replace('title = "Fare ricorso"', 'title = "Fare ricorso'), 2, "front matter is not valid TOML"),
        (ARTICLE.replace('summary = "Come chiedere una revisione."\n', ""), 1, "front matter is missing 'summary'"),
        (ARTICLE.replace('tags = ["ricorso"]', 'tags = "ricorso"'), 6, "'tags' must be a list of strings"),
        (ARTICLE.replace('steps = ["blocked_number:spam_appeal_button"]', 'steps = ["spam"]'), 9, "must look like"),
        (ARTICLE.replace("+++\n\nPremi", "\nPremi"), 1, "never closed"),
        (ARTICLE.replace("title =", "titel = \"x\"\ntitle ="), 2, "unknown front matter key 'titel'"),
    ],
)
def test_front_matter_errors_name_the_file_and_line(kb, broken, line, message):
    path = kb / "it" / "articles" / "fare-ricorso.md"
    path.write_text(broken)
    out = StringIO()
    with pytest.raises(CommandError, match="file problem"):
        call_command("import_kb", "--kb-dir", str(kb), stdout=out)
    assert f"problem: {path}:{line}: " in out.getvalue()
    assert message in out.getvalue()
    assert not Article.objects.exists()


def test_steps_must_name_real_nodes(kb):
    path = kb / "it" / "articles" / "fare-ricorso.md"
    path.write_text(ARTICLE.replace("spam_appeal_button", "no_such_step"))
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("import_kb", "--kb-dir", str(kb), stdout=out)
    assert "unknown guide steps ['blocked_number:no_such_step']" in out.getvalue()


def test_export_round_trip_of_the_real_kb(tmp_path):
    """Import the project's kb/, export it, import the export into an empty database: the same content."""
    locales = [code for code, _ in settings.LANGUAGES]
    flows = list(all_flows().values())
    report = kb_import(kb_dir=settings.KB_DIR, locales=locales, flows=flows)
    assert not report.problems and report.created
    before = {(a.locale, a.slug): _article_values(a) for a in Article.objects.all()}
    steps_before = {(s.locale, s.node_id): (s.title, s.hint, s.body.strip(), s.answers) for s in StepText.objects.all()}

    exported = tmp_path / "kb"
    shutil.copytree(settings.KB_DIR / "flows", exported / "flows")
    kb_export(kb_dir=exported, flows=flows)
    assert len(list((exported / "it" / "articles").glob("*.md"))) == Article.objects.filter(locale="it").count()

    Article.objects.all().delete()
    StepText.objects.all().delete()
    again = kb_import(kb_dir=exported, locales=locales, flows=flows)
    assert not again.problems and not again.conflicts
    assert {(a.locale, a.slug): _article_values(a) for a in Article.objects.all()} == before
    assert {(s.locale, s.node_id): (s.title, s.hint, s.body.strip(), s.answers)
            for s in StepText.objects.all()} == steps_before
    # And exporting again writes nothing new: the export is a fixed point.
    assert kb_export(kb_dir=exported, flows=flows).written == []


def test_an_admin_edit_exported_then_imported_is_in_sync_not_a_conflict(kb, tmp_path):
    run(kb)
    admin_edit(Article.objects.get(), summary="Corretto nell'admin.")
    call_command("export_kb", "--kb-dir", str(kb), stdout=StringIO())
    text = (kb / "it" / "articles" / "fare-ricorso.md").read_text()
    assert "Corretto nell'admin." in text
    parsed = parse_article(kb / "it" / "articles" / "fare-ricorso.md", "it", set(Topic.values))
    assert parsed.summary == "Corretto nell'admin."
    out = run(kb)
    assert "conflict:" not in out and out.splitlines()[-1].startswith("0 created, 0 updated")
    assert Article.objects.get().summary == "Corretto nell'admin."


def test_every_real_article_file_parses():
    from portal.content.kb import article_files

    files, problems = article_files(settings.KB_DIR, ["it", "en"], set(Topic.values))
    assert problems == []
    assert len([f for f in files if f.locale == "it"]) >= 10
    keys = {locale: {f.translation_key for f in files if f.locale == locale} for locale in ("it", "en")}
    assert keys["en"] == keys["it"]  # every article is translated


def _article_values(article):
    return (article.title, article.summary, article.translation_key, article.topic, article.tags, article.sources,
            article.updated, article.steps, article.body.strip())


def test_a_slug_taken_by_another_article_is_a_problem_not_a_crash(kb):
    run(kb)
    clash = ARTICLE.replace('translation_key = "appeal"', 'translation_key = "other"')
    (kb / "it" / "articles" / "fare-ricorso.md").write_text(clash)
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("import_kb", "--kb-dir", str(kb), stdout=out)
    assert "already has the slug 'fare-ricorso'" in out.getvalue()
    assert Article.objects.get().translation_key == "appeal"
