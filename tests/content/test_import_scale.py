"""import_kb at scale: batches, bulk writes with history and search index, a progress count, and a second run
that writes nothing; generate_articles makes realistic synthetic articles in both languages."""

import datetime
import re
import shutil
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.content import importer, kb
from portal.flows.registry import all_flows
from portal.content.importer import kb_import
from portal.content.management.commands.generate_articles import write_files
from portal.content.models import Article, article_rendering
from portal.content.search import search_articles
from portal.content.synthetic import KEY_PREFIX, synthetic_articles

pytestmark = pytest.mark.django_db
WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


def run_import(kb_dir):
    return kb_import(kb_dir=kb_dir, locales=["it", "en"], flows=[])


def writes(queries):
    return [q["sql"] for q in queries if WRITES.match(q["sql"])]


def test_first_run_creates_every_article_with_history_and_search_index(tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "BATCH_SIZE", 7)  # several batches
    write_files(tmp_path, 20, seed=1)
    with CaptureQueriesContext(connection) as first:
        report = run_import(tmp_path)
    assert len(report.created) == 40 and not report.problems
    # Each new row is written once, with its revision numbers: no UPDATE after the INSERT
    assert not [sql for sql in writes(first.captured_queries) if re.match(r'\s*UPDATE\s+"content_article"\s', sql)]
    assert set(Article.objects.filter(locale="it").values_list("revision", flat=True)) == {1}
    assert set(Article.objects.filter(locale="en").values_list("source_revision", flat=True)) == {1}
    assert not Article.objects.outdated().exists()
    assert Article.objects.filter(translation_key__startswith=KEY_PREFIX).count() == 40
    assert Article.history.filter(history_change_reason=importer.IMPORT_REASON).count() == 40
    article = Article.objects.get(locale="it", translation_key=f"{KEY_PREFIX}000003")
    assert article.body_html.startswith("<p>") and "<h2>" in article.body_html and "##" not in article.body_text
    assert article.translation_key in [hit.article.translation_key for hit in search_articles(article.title, "it")]


def test_many_new_files_are_rendered_on_every_core_with_the_same_result(tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "PARALLEL_RENDER_FROM", 1)
    monkeypatch.setattr(importer, "BATCH_SIZE", 6)  # several batches written while the workers render
    write_files(tmp_path, 12, seed=6)
    report = run_import(tmp_path)
    assert len(report.created) == 24 and not report.problems
    for article in Article.objects.filter(translation_key__startswith=KEY_PREFIX):
        body, body_html, body_text = article_rendering(article.body, article.locale)
        assert (article.body_html, article.body_text) == (body_html, body_text)
        assert article.translation_key in [hit.article.translation_key
                                           for hit in search_articles(article.title, article.locale)]


@pytest.mark.parametrize("count", [15, 45])
def test_second_run_writes_nothing_parses_nothing_and_its_queries_do_not_grow(tmp_path, monkeypatch, count):
    monkeypatch.setattr(importer, "BATCH_SIZE", 50)
    write_files(tmp_path, count, seed=2)
    run_import(tmp_path)
    parsed = []
    real_parse = kb.parse_article
    monkeypatch.setattr(kb, "parse_article", lambda *args, **kwargs: parsed.append(args[0]) or real_parse(*args, **kwargs))
    with CaptureQueriesContext(connection) as second:
        report = run_import(tmp_path)
    assert len(report.skipped) == 2 * count and not (report.created or report.updated)
    assert writes(second.captured_queries) == []
    assert parsed == []  # every file has the bytes its row was imported from
    reads = [q for q in second.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]
    assert len(reads) == 1 + -(-2 * count // 50)  # the settled rows, then one read per batch


def test_an_unchanged_file_is_read_again_once_its_row_or_its_bytes_change(tmp_path, monkeypatch):
    write_files(tmp_path, 4, seed=7)
    run_import(tmp_path)
    parsed = []
    real_parse = kb.parse_article
    monkeypatch.setattr(kb, "parse_article", lambda *args, **kwargs: parsed.append(args[0].stem) or real_parse(*args, **kwargs))
    monkeypatch.setattr(importer, "parse_article", kb.parse_article)
    touched = next((tmp_path / "it" / "articles").glob("*-1.md"))
    touched.write_text(touched.read_text().replace("+++\n\n", "+++\n\n\n", 1))  # new bytes, the same article
    edited = Article.objects.get(locale="en", translation_key=f"{KEY_PREFIX}000002")
    edited.summary = "Rewritten in the admin."
    edited.save()  # an admin save: edited_at is set by the admin form; here by hand
    Article.objects.filter(pk=edited.pk).update(edited_at=edited.imported_at + datetime.timedelta(seconds=1))
    report = run_import(tmp_path)
    assert sorted(parsed) == sorted([touched.stem, edited.slug])
    assert [label.split("/")[1] for label in report.kept] == [edited.slug]
    assert len(report.skipped) == 7 and not (report.created or report.updated or report.problems)
    moved = Article.objects.get(locale="it", slug=touched.stem)
    assert moved.file_digest != kb.file_digest(touched.read_bytes())  # the same words: nothing written


def test_an_unchanged_file_still_names_a_step_its_guide_no_longer_has(tmp_path):
    flow = next(iter(all_flows().values()))
    step = f"{flow.id}:{flow.start}"
    write_files(tmp_path, 2, seed=8)
    linked = next((tmp_path / "it" / "articles").glob("*-1.md"))
    linked.write_text(linked.read_text().replace("steps = []", f'steps = ["{step}"]'))
    report = kb_import(kb_dir=tmp_path, locales=["it", "en"], flows=[flow])
    assert not [problem for problem in report.problems if "articles" in problem]
    assert Article.objects.get(locale="it", slug=linked.stem).steps == [step]
    report = run_import(tmp_path)  # the guide's step is gone (no flows): the unchanged file is reported all the same
    assert [problem for problem in report.problems if "articles" in problem] == [
        f"{linked}:1: unknown guide steps ['{step}']"]


def test_only_the_changed_file_is_written_and_admin_edits_are_kept(tmp_path):
    write_files(tmp_path, 10, seed=3)
    run_import(tmp_path)
    edited = Article.objects.get(locale="en", translation_key=f"{KEY_PREFIX}000004")
    edited.summary = "Rewritten in the admin."
    from django.utils import timezone
    edited.edited_at = timezone.now()
    edited.save()
    changed = next((tmp_path / "it" / "articles").glob("*-7.md"))
    changed.write_text(changed.read_text() + "\nUna riga in più su Zanzibar.\n")
    with CaptureQueriesContext(connection) as rerun:
        report = run_import(tmp_path)
    assert [label.split("/")[1] for label in report.updated] == [changed.stem]
    assert not report.conflicts and len(report.skipped) == 18 and len(report.kept) == 1
    assert Article.objects.get(pk=edited.pk).summary == "Rewritten in the admin."
    assert [hit.article.slug for hit in search_articles("zanzibar", "it")] == [changed.stem]
    assert len(writes(rerun.captured_queries)) <= 6  # the row, its history, its search index


def test_a_new_file_with_a_taken_slug_is_a_problem_and_the_rest_of_the_batch_lands(tmp_path):
    write_files(tmp_path, 5, seed=4)
    Article.objects.create(locale="it", slug=synthetic_articles(5, seed=4)[2].slug, translation_key="altro",
                           title="Altro", summary="s", body="x", topic="capire")
    report = run_import(tmp_path)
    assert len(report.problems) == 1 and "slug" in report.problems[0]
    assert len(report.created) == 9


def test_command_prints_plain_counts_when_not_on_a_terminal(tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "BATCH_SIZE", 4)
    write_files(tmp_path, 10, seed=5)
    for words in settings.KB_DIR.glob("*/flows"):  # the command imports the guide's words from the same kb/
        shutil.copytree(words, tmp_path / words.relative_to(settings.KB_DIR))
    out = StringIO()
    call_command("import_kb", "--kb-dir", str(tmp_path), stdout=out)
    lines = out.getvalue().splitlines()
    counts = [line for line in lines if line.startswith("articles: ")]
    assert counts[-1] == "articles: 20/20" and len(counts) >= 2
    assert "\r" not in out.getvalue()
    assert re.match(r"^\d+ created, 0 updated", lines[-1])
    assert Article.objects.filter(translation_key__startswith=KEY_PREFIX).count() == 20


def test_generate_articles_makes_realistic_translated_articles():
    out = StringIO()
    call_command("generate_articles", "12", stdout=out)
    italian = Article.objects.filter(locale="it", translation_key__startswith=KEY_PREFIX)
    english = Article.objects.filter(locale="en", translation_key__startswith=KEY_PREFIX)
    assert italian.count() == english.count() == 12
    assert set(italian.values_list("translation_key", flat=True)) == set(english.values_list("translation_key", flat=True))
    assert len(set(italian.values_list("topic", flat=True))) == 4
    words = {w for text in italian.values_list("body_text", flat=True) for w in re.findall(r"\w+", text.lower())}
    assert len(words) > 150 and {"ricorso", "qualità", "blocco"} <= words
    assert search_articles("bannato", "it")  # synonyms and stems reach synthetic articles too
    again = synthetic_articles(3, seed=13)
    assert again == synthetic_articles(3, seed=13) and again != synthetic_articles(3, seed=14)
    call_command("generate_articles", "0", "--clear", stdout=StringIO())
    assert not Article.objects.filter(translation_key__startswith=KEY_PREFIX).exists()
