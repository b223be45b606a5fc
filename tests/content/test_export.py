"""export_kb: writes only what changed, keeps comments and layout, never overwrites a local edit not yet imported."""

import json
import shutil
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from portal.content.importer import kb_export, kb_import
from portal.content.models import Article, StepText
from portal.flows.loader import load_flows

pytestmark = pytest.mark.django_db

WORDS = Path("it") / "flows" / "blocked_number.toml"
LOCALES = [code for code, _ in settings.LANGUAGES]


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "core.autocrlf=false", *args],
        cwd=repo, check=True, capture_output=True, text=True,
    ).stdout


@pytest.fixture
def kb(tmp_path):
    """A git-tracked copy of the project's kb/, imported into the test database."""
    kb_dir = tmp_path / "kb"
    shutil.copytree(settings.KB_DIR, kb_dir)
    git(kb_dir, "init", "-q")
    git(kb_dir, "add", "-A")
    git(kb_dir, "commit", "-qm", "kb as in the repository")
    report = reimport(kb_dir)
    assert not report.problems and not report.conflicts
    return kb_dir


def reimport(kb_dir: Path):
    """import_kb from this copy: its words files, not the project's (the flows are loaded from the copy)."""
    flows = load_flows(kb_dir / "flows", kb_dir, LOCALES)
    return kb_import(kb_dir=kb_dir, locales=LOCALES, flows=flows.values())


def export(kb_dir: Path, *args: str) -> str:
    out = StringIO()
    call_command("export_kb", "--kb-dir", str(kb_dir), *args, stdout=out, stderr=out)
    return out.getvalue()


def changed_lines(kb_dir: Path) -> tuple[list[str], list[str]]:
    """The files git sees changed, and the added/removed lines of `git diff -U0` (headers left out)."""
    git(kb_dir, "add", "-A")  # new and removed files count too
    files = git(kb_dir, "diff", "--cached", "--no-renames", "--name-only").split()
    lines = [
        line for line in git(kb_dir, "diff", "--cached", "-U0").splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    return files, lines


def admin_edit(row, **changes):
    """What the admin's save_model does."""
    for key, value in changes.items():
        setattr(row, key, value)
    row.edited_at = timezone.now()
    row.save()


def test_export_right_after_import_changes_no_file(kb):
    assert export(kb).splitlines()[-1] == "0 file(s) changed"
    assert changed_lines(kb) == ([], [])


def test_a_one_line_admin_edit_of_a_step_body_is_a_one_line_diff(kb):
    text = (kb / WORDS).read_text()
    row, old_line = next(
        (row, line) for row in StepText.objects.filter(locale="it").order_by("node_id")
        for line in row.body.splitlines() if len(line) > 20 and text.count(line) == 1
    )
    admin_edit(row, body=row.body.replace(old_line, "Tieni aperta questa pagina: ti serve dopo."))

    out = export(kb)

    assert out.splitlines() == [f"wrote {kb / WORDS}", "1 file(s) changed"]
    assert changed_lines(kb) == ([str(WORDS)], [f"-{old_line}", "+Tieni aperta questa pagina: ti serve dopo."])


def test_a_one_line_admin_edit_of_an_article_changes_that_line_only(kb):
    article = Article.objects.filter(locale="en").order_by("slug").first()
    admin_edit(article, summary="Why Meta blocks for spam, and how long it lasts.")
    export(kb)
    files, lines = changed_lines(kb)
    assert files == [f"en/articles/{article.slug}.md"]
    assert len(lines) == 2 and lines[0].startswith("-summary = ")
    assert lines[1] == '+summary = "Why Meta blocks for spam, and how long it lasts."'


def test_an_answer_label_and_a_body_line_edited_in_one_step(kb):
    row = next(row for row in StepText.objects.filter(locale="en").order_by("node_id") if row.answers)
    answer_id = next(iter(row.answers))
    admin_edit(row, answers={**row.answers, answer_id: "Spam (unwanted messages)"})
    export(kb)
    files, lines = changed_lines(kb)
    assert files == ["en/flows/blocked_number.toml"]
    assert lines[1] == f'+{answer_id} = "Spam (unwanted messages)"' and len(lines) == 2


def test_comments_and_layout_survive_an_export(kb):
    words = kb / WORDS
    comments = [line for line in words.read_text().splitlines() if line.startswith("#")]
    assert comments, "the Italian words file is expected to carry comments"
    article_path = next((kb / "it" / "articles").glob("*.md"))
    text = article_path.read_text()
    article_path.write_text(text.replace("+++\n", "+++\n# reviewed by the legal team\n", 1))
    reimport(kb)  # the comment changes no value

    for row in StepText.objects.filter(locale="it"):
        admin_edit(row, title=row.title + " (rivisto)")
    article = Article.objects.get(locale="it", slug=article_path.stem)
    admin_edit(article, title="Titolo rivisto")
    export(kb)

    after = words.read_text()
    assert [line for line in after.splitlines() if line.startswith("#")] == comments
    assert after.count("(rivisto)") == StepText.objects.filter(locale="it").count()
    assert "# reviewed by the legal team\n" in article_path.read_text()
    assert 'title = "Titolo rivisto"' in article_path.read_text()
    # Still files the importer reads back to exactly the database's words.
    report = reimport(kb)
    assert not report.created and not report.updated and not report.conflicts and not report.problems


def test_a_local_edit_not_yet_imported_is_refused_and_names_the_file(kb):
    edited, local_node = StepText.objects.filter(locale="it").order_by("node_id")[:2]
    admin_edit(edited, hint="Il motivo è scritto nel riepilogo.")
    words = kb / WORDS
    title_line = f"title = {json.dumps(local_node.title, ensure_ascii=False)}"
    assert words.read_text().count(title_line) == 1
    local = words.read_text().replace(title_line, 'title = "Modifica locale"', 1)
    assert local != words.read_text()
    words.write_text(local)

    with pytest.raises(CommandError, match="never imported"):
        call_command("export_kb", "--kb-dir", str(kb), stdout=StringIO(), stderr=(err := StringIO()))

    assert f"refused: {words}" in err.getvalue() and local_node.node_id in err.getvalue()
    assert words.read_text() == local  # the local edit is intact
    assert changed_lines(kb)[0] == [str(WORDS)]  # and nothing else was written either


def test_force_overwrites_the_local_edit_with_the_database(kb):
    words = kb / WORDS
    row = StepText.objects.filter(locale="it").order_by("node_id").first()
    words.write_text(words.read_text().replace(json.dumps(row.title, ensure_ascii=False), '"Modifica locale"', 1))

    out = export(kb, "--force")

    assert f"wrote {words}" in out
    assert "Modifica locale" not in words.read_text()
    assert changed_lines(kb) == ([], [])  # back to what the database holds, which is the committed file


def test_a_broken_local_file_is_refused_not_replaced(kb):
    article_path = next((kb / "en" / "articles").glob("*.md"))
    article_path.write_text("+++\ntitle = \n")
    with pytest.raises(CommandError):
        export(kb)
    assert article_path.read_text() == "+++\ntitle = \n"


def test_exporting_twice_without_an_import_between_is_not_a_conflict(kb):
    row = StepText.objects.filter(locale="it").order_by("node_id").first()
    admin_edit(row, title="Quale motivo indica Meta?")
    export(kb)
    row.refresh_from_db()
    admin_edit(row, title="Quale motivo ti indica Meta?")
    assert "1 file(s) changed" in export(kb)
    assert 'title = "Quale motivo ti indica Meta?"' in (kb / WORDS).read_text()
    # The next import finds the files and the database in sync.
    report = reimport(kb)
    assert not report.updated and not report.conflicts


def test_a_slug_changed_in_the_admin_moves_the_file(kb):
    article = Article.objects.filter(locale="en").order_by("slug").first()
    old = kb / "en" / "articles" / f"{article.slug}.md"
    admin_edit(article, slug="blocked-for-spam")
    export(kb)
    assert not old.exists()
    assert (kb / "en" / "articles" / "blocked-for-spam.md").exists()
    files, lines = changed_lines(kb)
    assert sorted(files) == sorted([f"en/articles/{old.name}", "en/articles/blocked-for-spam.md"])
    report = reimport(kb)
    assert not report.problems and not report.conflicts


def test_the_content_hash_does_not_depend_on_the_order_of_answer_labels():
    """PostgreSQL's jsonb returns a dict's keys in its own order; the same words must hash the same."""
    from portal.content.kb import content_hash

    assert content_hash({"answers": {"no": "No", "in_review": "Sì"}}) == content_hash(
        {"answers": {"in_review": "Sì", "no": "No"}})
    assert content_hash({"answers": {"no": "No"}}) != content_hash({"answers": {"no": "Sì"}})
