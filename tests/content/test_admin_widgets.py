"""The article form edits lists as lists (tags, sources, guide steps), the revert page shows the difference from
the current text, and the admin's messages and history read as Italian."""

import pytest

from portal.content.models import Article

from .test_admin import article_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(imported):
    return Article.objects.get(locale="it", translation_key="appeal")


def change_url(article):
    return f"/admin/content/article/{article.pk}/change/"


def test_lists_are_edited_as_text_and_saved_as_lists(admin_client, article):
    page = admin_client.get(change_url(article)).content.decode()
    assert 'type="checkbox" name="steps" value="blocked_number:' in page
    assert '"[' not in page.split('id="id_sources"')[1][:200]
    data = article_form_data(article, tags="ricorso, blocco ,ricorso, revisione",
                             sources="https://example.org/a-page\n\n  https://example.org/b  ")
    data["steps"] = ["blocked_number:reason"]
    response = admin_client.post(change_url(article), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    saved = Article.objects.get(pk=article.pk)
    assert saved.tags == ["ricorso", "blocco", "revisione"]
    assert saved.sources == ["https://example.org/a-page", "https://example.org/b"]
    assert saved.steps == ["blocked_number:reason"]


def test_a_source_that_is_not_an_address_is_refused_with_a_message(admin_client, article):
    response = admin_client.post(change_url(article), article_form_data(article, sources="non è un indirizzo"))
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert Article.objects.get(pk=article.pk).sources == article.sources


def test_an_unknown_step_is_refused(admin_client, article):
    data = article_form_data(article)
    data["steps"] = ["blocked_number:no_such_step"]
    response = admin_client.post(change_url(article), data)
    assert response.status_code == 200
    assert Article.objects.get(pk=article.pk).steps == article.steps


def test_saved_message_is_good_italian(admin_client, article):
    response = admin_client.post(change_url(article), article_form_data(article, summary="Nuovo riassunto."),
                                 follow=True, HTTP_ACCEPT_LANGUAGE="it")
    messages = [str(m) for m in response.context["messages"]]
    assert messages and "Il articolo" not in messages[0] and article.title in messages[0]


def test_revert_page_shows_the_difference_from_the_current_text(admin_client, article):
    admin_client.post(change_url(article), article_form_data(article, summary="Nuovo riassunto."))
    first = Article.history.filter(id=article.pk).order_by("history_date").first()
    page = admin_client.get(f"/admin/content/article/{article.pk}/history/{first.history_id}/",
                            HTTP_ACCEPT_LANGUAGE="it").content.decode()
    assert 'class="module version-diff"' in page
    diff = page.split('class="module version-diff"')[1].split("</section>")[0]
    assert "Nuovo riassunto." in diff and article.summary.replace("'", "&#x27;") in diff


def test_history_page_has_no_inline_style_and_shows_booleans_as_icons(admin_client, article):
    admin_client.post(change_url(article), article_form_data(article, summary="Nuovo riassunto."))
    page = admin_client.get(f"/admin/content/article/{article.pk}/history/", HTTP_ACCEPT_LANGUAGE="it")
    body = page.content.decode()
    assert ' style="' not in body
    assert "icon-yes.svg" in body and ">True<" not in body
