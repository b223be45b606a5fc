"""The admin's "done when": change a sentence, preview it, save, see it on the site, restore, re-import keeps it."""

import pytest

from portal.content import revisions
from portal.content.models import Significance
from django.conf import settings

from portal.content.importer import kb_import
from portal.content.models import Article, StepText
from portal.flows.registry import all_flows
from tests.guide.helpers import step_url

pytestmark = pytest.mark.django_db


def article_form_data(article, **changes):
    data = {
        "locale": article.locale, "slug": article.slug, "translation_key": article.translation_key,
        "title": article.title, "summary": article.summary, "body": article.body, "topic": article.topic,
        "tags": ", ".join(article.tags), "sources": "\n".join(article.sources),
        "steps": list(article.steps), "updated": article.updated.isoformat(),
        "published": "on" if article.published else "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def reimport():
    return kb_import(kb_dir=settings.KB_DIR, locales=[c for c, _ in settings.LANGUAGES], flows=all_flows().values())


def test_edit_preview_save_show_restore_and_reimport(admin_client, client, imported):
    article = Article.objects.get(locale="it", translation_key="appeal")
    page = f"/it/articles/{article.slug}/"
    original_summary = article.summary

    # The edit page has the live preview wired to the preview endpoint.
    edit = admin_client.get(f"/admin/content/article/{article.pk}/change/").content.decode()
    assert 'data-hx-post="/admin/content/article/preview/"' in edit
    assert "htmx-2.min.js" in edit

    # Preview: rendered by the site's sanitizing function.
    preview = admin_client.post("/admin/content/article/preview/", {"body": "Nuova **frase**.<script>x</script>",
                                                                     "locale": "it", "field": "body"})
    assert preview.content.decode() == "<p>Nuova <strong>frase</strong>.</p>"

    # Save, and the site shows it.
    response = admin_client.post(f"/admin/content/article/{article.pk}/change/",
                                 article_form_data(article, summary="Una frase corretta dall'admin."))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert "Una frase corretta dall&#x27;admin." in client.get(page).content.decode()

    # History shows the change as a diff.
    history = admin_client.get(f"/admin/content/article/{article.pk}/history/").content.decode()
    assert "<ins>Una frase corretta dall&#x27;admin.</ins>" in history
    assert f"<del>{original_summary}</del>".replace("'", "&#x27;") in history

    # A re-import does not undo the edit.
    report = reimport()
    assert any(article.slug in item for item in report.kept)
    assert Article.objects.get(pk=article.pk).summary == "Una frase corretta dall'admin."

    # Restore the old revision from the history.
    old = Article.objects.get(pk=article.pk).history.order_by("history_date").first()
    restore_url = f"/admin/content/article/{article.pk}/history/{old.history_id}/"
    assert admin_client.get(restore_url).status_code == 200
    response = admin_client.post(restore_url, article_form_data(old.instance))
    assert response.status_code == 302
    assert Article.objects.get(pk=article.pk).summary == original_summary
    assert original_summary.replace("'", "&#x27;") in client.get(page).content.decode()


def test_preview_needs_staff(client):
    response = client.post("/admin/content/article/preview/", {"body": "x"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_article_list_filters(admin_client, imported):
    body = admin_client.get("/admin/content/article/").content.decode()
    for param in ("locale", "published__exact", "translation=outdated"):
        assert param in body
    italian = Article.objects.get(locale="it", translation_key="appeal")
    italian.body += "\n\nUn paragrafo nuovo."
    italian.save()
    revisions.record(italian, Significance.CONTENT)
    outdated = admin_client.get("/admin/content/article/", {"translation": "outdated"})
    assert [a.translation_key for a in outdated.context["cl"].result_list] == ["appeal"]


def test_step_text_edit_shows_on_the_guide_and_survives_reimport(admin_client, client, imported):
    row = StepText.objects.get(node_id="reason", locale="it")
    data = {"title": "Quale motivo mostra Meta?", "hint": row.hint, "body": row.body,
            **{f"answer_{k}": v for k, v in row.answers.items()}, "answer_spam": "Spam (messaggi indesiderati)"}
    response = admin_client.post(f"/admin/content/steptext/{row.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    client.get(step_url("reason"))
    body = client.get(step_url("reason")).content.decode()
    assert "Quale motivo mostra Meta?" in body and "Spam (messaggi indesiderati)" in body
    reimport()
    assert StepText.objects.get(pk=row.pk).title == "Quale motivo mostra Meta?"


def test_step_text_preview_resolves_links_in_the_step_language(admin_client, imported):
    row = StepText.objects.get(node_id="reason", locale="en")
    page = admin_client.get(f"/admin/content/steptext/{row.pk}/change/").content.decode()
    assert 'data-hx-vals="{&quot;field&quot;: &quot;body&quot;, &quot;locale&quot;: &quot;en&quot;}"' in page
    preview = admin_client.post("/admin/content/article/preview/", {"body": "[x](appeal-a-block)", "locale": "en"})
    assert preview.content.decode() == '<p><a href="/en/articles/appeal-a-block/">x</a></p>'


def test_step_text_edit_that_would_break_the_guide_is_refused(admin_client, imported):
    row = StepText.objects.get(node_id="reason", locale="it")
    data = {"title": row.title, "hint": row.hint, "body": row.body,
            **{f"answer_{k}": v for k, v in row.answers.items()}, "answer_spam": "  "}
    response = admin_client.post(f"/admin/content/steptext/{row.pk}/change/", data)
    assert response.status_code == 200
    assert "Ogni risposta deve avere un testo" in response.content.decode() or \
        "Every answer needs a label" in response.content.decode()
    assert StepText.objects.get(pk=row.pk).answers["spam"] == row.answers["spam"]

    outcome = StepText.objects.get(node_id="appeal_spam", locale="it")
    response = admin_client.post(f"/admin/content/steptext/{outcome.pk}/change/",
                                 {"title": outcome.title, "hint": "", "body": ""})
    assert response.status_code == 200
    assert StepText.objects.get(pk=outcome.pk).body == outcome.body


def test_step_texts_cannot_be_added_or_deleted_in_the_admin(admin_client, imported):
    row = StepText.objects.first()
    assert admin_client.get("/admin/content/steptext/add/").status_code == 403
    assert admin_client.get(f"/admin/content/steptext/{row.pk}/delete/").status_code == 403


def test_guide_title_and_summary_are_edited_in_the_admin_with_history(admin_client, client, imported, flow):
    from portal.content.models import GuideText

    guide = GuideText.objects.get(flow_id=flow.id, locale="it")
    url = f"/admin/content/guidetext/{guide.pk}/change/"
    response = admin_client.post(url, {"title": "Il numero è bloccato?", "summary": "Tre domande, poi sai cosa fare."})
    assert response.status_code == 302, response.content.decode()[:2000]
    home = client.get("/it/").content.decode()
    assert "Il numero è bloccato?" in home and "Tre domande, poi sai cosa fare." in home
    assert guide.history.count() == 2  # the import, then the edit: restorable from the history page
    assert admin_client.get(f"/admin/content/guidetext/{guide.pk}/history/").status_code == 200
    reimport()
    assert GuideText.objects.get(pk=guide.pk).title == "Il numero è bloccato?"  # the import never overwrites it

    refused = admin_client.post(url, {"title": "  ", "summary": ""})
    assert refused.status_code == 200 and GuideText.objects.get(pk=guide.pk).title == "Il numero è bloccato?"
    assert admin_client.get("/admin/content/guidetext/add/").status_code == 403


def test_a_step_text_edit_is_checked_by_the_words_validator(admin_client, imported, flow):
    question = next(node for node in flow.nodes.values() if node.is_question)
    row = StepText.objects.get(flow_id=flow.id, node_id=question.id, locale="en")
    data = {"title": "  ", "hint": row.hint, "body": row.body,
            **{f"answer_{k}": v for k, v in row.answers.items()}, f"answer_{question.answers[0].id}": ""}
    response = admin_client.post(f"/admin/content/steptext/{row.pk}/change/", data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"title", f"answer_{question.answers[0].id}"}
    assert StepText.objects.get(pk=row.pk).title == row.title


def test_article_list_costs_the_same_queries_with_many_articles(admin_client, imported):
    """Admin at scale: the changelist's queries do not grow with the rows (no per-row query for "outdated")."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def rows(body):
        return len(re.findall(r'<tr>\s*<td class="action-checkbox">', body))

    admin_client.get("/admin/content/article/")
    with CaptureQueriesContext(connection) as few:
        small = admin_client.get("/admin/content/article/").content.decode()
    Article.objects.bulk_create([
        Article(locale=locale, slug=f"copia-{i}", translation_key=f"copia-{i}", title=f"Copia {i}", summary="s",
                body="x", body_html="<p>x</p>", body_text="x", topic="capire")
        for i in range(150) for locale in ("it", "en")
    ])
    for url in ("/admin/content/article/", "/admin/content/article/?translation=outdated&o=6",
                "/admin/content/article/?locale=en&topic=capire"):
        admin_client.get(url)
        with CaptureQueriesContext(connection) as many:
            body = admin_client.get(url).content.decode()
        assert len(many) <= len(few), url
        sql = " ".join(q["sql"] for q in many.captured_queries)
        assert '"body_text"' not in sql, url
    assert rows(small) == Article.objects.count() - 300
    assert rows(admin_client.get("/admin/content/article/").content.decode()) == 100  # one page


class TestStepTextsInFlowOrder:
    def test_step_texts_are_listed_in_the_order_of_the_flow_with_a_link_to_the_site(self, admin_client, imported):
        from portal.content.models import StepText
        from portal.flows.registry import get_flow

        flow = get_flow("blocked-number")
        response = admin_client.get("/admin/content/steptext/", {"locale__exact": "it", "flow_id": flow.id})
        rows = [obj.node_id for obj in response.context["cl"].result_list]
        assert rows == [node_id for node_id in flow.nodes if node_id in rows] and rows[0] == flow.start
        text = StepText.objects.get(flow_id=flow.id, node_id="spam_duration", locale="en")
        assert text.get_absolute_url() == "/en/guide/blocked-number/spam-duration/"
        assert 'href="/it/guide/blocked-number/spam-duration/"' in response.content.decode()
        change = admin_client.get(f"/admin/content/steptext/{text.pk}/change/").content.decode()
        assert "viewsitelink" in change
