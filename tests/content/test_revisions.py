"""Significance of a change: a typo fix in Italian leaves translations up to date, a content change or a major rewrite
outdates them; a translation follows one source revision; import_kb/export_kb keep the link in the front matter."""

import re
import shutil

import pytest
from django.conf import settings

from portal.content import revisions
from portal.content.importer import kb_export, kb_import
from portal.content.models import Article, Significance, SourceRevision, StepText
from portal.flows.loader import load_flows
from tests.content.test_admin import article_form_data

LOCALES = [code for code, _ in settings.LANGUAGES]


def italian(key="appeal"):
    return Article.objects.get(locale="it", translation_key=key)


def english(key="appeal"):
    return Article.objects.get(locale="en", translation_key=key)


def edit_italian(admin_client, significance, *, key="appeal", body_suffix="\n\nUn paragrafo nuovo sul ricorso."):
    article = italian(key)
    data = article_form_data(article, body=article.body + body_suffix)
    if significance is not None:
        data["significance"] = significance
    response = admin_client.post(f"/admin/content/article/{article.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return italian(key)


def test_imported_texts_start_current_with_one_revision_each(imported):
    assert not Article.objects.outdated().exists()
    assert italian().revision == 1 and english().source_revision == 1
    assert SourceRevision.objects.filter(kind="article", key="appeal").count() == 1
    step = StepText.objects.get(locale="it", node_id="reason")
    assert step.revision == 1
    assert StepText.objects.get(locale="en", node_id="reason").source_revision == 1


def test_the_italian_form_asks_how_big_the_change_is_and_the_english_one_which_revision_it_follows(
        admin_client, imported):
    body = admin_client.get(f"/admin/content/article/{italian().pk}/change/").content.decode()
    assert re.search(r'<input type="radio" name="significance" value="content"[^>]* checked', body)
    assert "Refuso o parole (le traduzioni restano aggiornate)" in body  # the admin speaks Italian
    assert 'name="source_revision"' not in body
    body = admin_client.get(f"/admin/content/article/{english().pk}/change/").content.decode()
    assert 'name="source_revision"' in body and 'name="significance"' not in body
    assert "L'ultima è la 1" in body


def test_a_typo_fix_does_not_outdate_the_translation(admin_client, client, imported):
    source = edit_italian(admin_client, Significance.TYPO, body_suffix=" ")  # same words: no revision
    assert source.revision == 1
    source = edit_italian(admin_client, Significance.TYPO, body_suffix="\n\nRicorso, non ricoso.")
    assert source.revision == 2
    assert SourceRevision.objects.get(kind="article", key="appeal", number=2).significance == "typo"
    assert not revisions.is_outdated(english())
    assert not Article.objects.outdated().exists()
    page = client.get(f"/en/articles/{english().slug}/").content.decode()
    assert "This translation may be out of date" not in page


def test_a_content_change_outdates_the_translation_everywhere(admin_client, client, imported):
    edit_italian(admin_client, None)  # the default is a content change
    assert SourceRevision.objects.get(kind="article", key="appeal", number=2).significance == "content"
    assert revisions.is_outdated(english())
    assert list(Article.objects.outdated()) == [english()]
    assert not revisions.is_outdated(italian())
    page = client.get(f"/en/articles/{english().slug}/").content.decode()
    assert "This translation may be out of date" in page
    listed = admin_client.get("/admin/content/article/", {"translation": "outdated"})
    assert [a.translation_key for a in listed.context["cl"].result_list] == ["appeal"]
    current = admin_client.get("/admin/content/article/", {"translation": "current"})
    assert "appeal" not in [a.translation_key for a in current.context["cl"].result_list]


def test_chained_revisions_a_translation_brought_up_to_date_becomes_current(admin_client, imported):
    edit_italian(admin_client, Significance.CONTENT, body_suffix="\n\nPrimo cambio.")      # r2
    edit_italian(admin_client, Significance.TYPO, body_suffix="\n\nSecondo ritocco.")     # r3
    edit_italian(admin_client, Significance.MAJOR, body_suffix="\n\nRiscritto da capo.")  # r4
    translation = english()
    behind = revisions.behind(translation)
    assert [r.number for r in behind.revisions] == [2, 3, 4]
    assert [r.number for r in behind.significant] == [2, 4] and behind.worst == "major"
    # Brought up to date with r2 only: r4 still outdates it.
    data = article_form_data(translation, source_revision=2)
    assert admin_client.post(f"/admin/content/article/{translation.pk}/change/", data).status_code == 302
    assert revisions.is_outdated(english())
    # A revision that does not exist is refused with a message.
    response = admin_client.post(f"/admin/content/article/{translation.pk}/change/",
                                 article_form_data(translation, source_revision=9))
    assert response.status_code == 200
    assert "non ha ancora la versione 9" in str(response.context["adminform"].form.errors["source_revision"])
    # Up to date with the newest source: current.
    admin_client.post(f"/admin/content/article/{translation.pk}/change/",
                      article_form_data(translation, source_revision=4))
    assert english().source_revision == 4 and not revisions.is_outdated(english())
    # r3 was a typo: a translation following r3 is outdated by r4, one following r2 is too.
    Article.objects.filter(pk=translation.pk).update(source_revision=3)
    assert revisions.is_outdated(english())


def test_a_step_text_content_change_outdates_its_english_words(admin_client, imported):
    row = StepText.objects.get(node_id="reason", locale="it")
    data = {"title": row.title + " (aggiornato)", "hint": row.hint, "body": row.body, "significance": "content",
            **{f"answer_{k}": v for k, v in row.answers.items()}}
    assert admin_client.post(f"/admin/content/steptext/{row.pk}/change/", data).status_code == 302
    english_step = StepText.objects.get(node_id="reason", locale="en")
    assert revisions.is_outdated(english_step)
    data["title"] = row.title + " (aggiornata)"
    data["significance"] = "typo"
    admin_client.post(f"/admin/content/steptext/{row.pk}/change/", data)
    assert [r.number for r in revisions.behind(english_step).revisions] == [2, 3]
    english_data = {"title": english_step.title, "hint": english_step.hint, "body": english_step.body,
                    "source_revision": 2, **{f"answer_{k}": v for k, v in english_step.answers.items()}}
    assert admin_client.post(f"/admin/content/steptext/{english_step.pk}/change/", english_data).status_code == 302
    assert not revisions.is_outdated(StepText.objects.get(pk=english_step.pk))  # r3 was a typo fix


def test_side_by_side_shows_the_changed_paragraph(admin_client, imported):
    edit_italian(admin_client, Significance.CONTENT, body_suffix="\n\nUn paragrafo nuovo sul ricorso.")
    rows = revisions.side_by_side("article", "appeal", english().source_revision)
    assert ("insert", "", "Un paragrafo nuovo sul ricorso.") in rows
    assert all(tag == "equal" for tag, old, new in rows if new.startswith("# "))


def test_import_export_round_trip_keeps_the_source_revision_link(tmp_path, admin_client, imported):
    kb_dir = tmp_path / "kb"
    shutil.copytree(settings.KB_DIR, kb_dir)
    flows = load_flows(kb_dir / "flows")
    # Right after an import, an export writes nothing (the defaults say it all).
    assert kb_export(kb_dir=kb_dir, flows=flows.values()).written == []
    edit_italian(admin_client, Significance.CONTENT)                      # appeal r2, English follows r1
    edit_italian(admin_client, Significance.TYPO, key="spam-blocks",
                 body_suffix="\n\nUna virgola.")                          # spam-blocks r2, English stays current
    report = kb_export(kb_dir=kb_dir, flows=flows.values())
    assert not report.refused
    it_text = (kb_dir / "it" / "articles" / f"{italian().slug}.md").read_text()
    en_text = (kb_dir / "en" / "articles" / f"{english().slug}.md").read_text()
    assert "revision = 2" in it_text and 'change = "content"' in it_text
    assert "source_revision = 1" in en_text
    spam_it = (kb_dir / "it" / "articles" / f"{italian('spam-blocks').slug}.md").read_text()
    assert 'change = "typo"' in spam_it

    # A fresh database imports the files: the same links, the same verdicts.
    SourceRevision.objects.all().delete()
    Article.objects.all().delete()
    StepText.objects.all().delete()
    kb_import(kb_dir=kb_dir, locales=LOCALES, flows=flows.values())
    assert italian().revision == 2 and english().source_revision == 1
    assert revisions.is_outdated(english())
    assert not revisions.is_outdated(english("spam-blocks"))
    assert english("spam-blocks").source_revision == 1 and italian("spam-blocks").revision == 2
    # And exporting again changes nothing.
    assert kb_export(kb_dir=kb_dir, flows=flows.values()).written == []


def test_a_translation_file_brought_up_to_date_imports_as_current(tmp_path, admin_client, imported):
    kb_dir = tmp_path / "kb"
    shutil.copytree(settings.KB_DIR, kb_dir)
    flows = load_flows(kb_dir / "flows")
    edit_italian(admin_client, Significance.CONTENT)
    kb_export(kb_dir=kb_dir, flows=flows.values())
    path = kb_dir / "en" / "articles" / f"{english().slug}.md"
    path.write_text(path.read_text().replace("source_revision = 1", "source_revision = 2"))
    kb_import(kb_dir=kb_dir, locales=LOCALES, flows=flows.values())
    assert english().source_revision == 2 and not revisions.is_outdated(english())


@pytest.mark.parametrize("line, message", [
    ('revision = "2"', "'revision' must be a whole number"),
    ('change = "small"', "'change' must be one of: typo, content, major"),
    ("source_revision = -1", "'source_revision' must be a whole number"),
])
def test_bad_revision_keys_are_named_with_their_line(tmp_path, line, message):
    from portal.content.kb import KbError, parse_article

    path = tmp_path / "prova.md"
    path.write_text(f'+++\ntitle = "T"\nsummary = "S"\ntranslation_key = "prova"\ntopic = "capire"\n'
                    f'updated = 2026-12-01\n{line}\n+++\n\nTesto.\n')
    with pytest.raises(KbError) as error:
        parse_article(path, "it", {"capire"})
    assert f"{path}:7: {message}" in str(error.value)


def test_the_migration_starts_from_the_old_date_rule_once(imported):
    """Existing databases: a translation dated before its source follows revision 0 (outdated), others revision 1."""
    import datetime
    import importlib

    from django.apps import apps

    migration = importlib.import_module("portal.content.migrations.0008_source_revisions")
    SourceRevision.objects.all().delete()
    Article.objects.update(revision=0, source_revision=None)
    StepText.objects.update(revision=0, source_revision=None)
    Article.objects.filter(locale="it", translation_key="appeal").update(updated=datetime.date(2026, 12, 1))
    Article.objects.filter(locale="en", translation_key="appeal").update(updated=datetime.date(2026, 11, 1))
    migration.forwards(apps, None)
    assert list(Article.objects.outdated().values_list("translation_key", flat=True)) == ["appeal"]
    assert italian().revision == 1 and english("spam-blocks").source_revision == 1
    assert SourceRevision.objects.get(kind="article", key="appeal").text.startswith(f"# {italian().title}\n")
    assert not StepText.objects.exclude(locale="it").filter(source_revision=None).exists()
    assert SourceRevision.objects.filter(kind="step").count() == StepText.objects.filter(locale="it").count()
