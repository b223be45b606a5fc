"""The privacy page says what is recorded, in both languages, and every page's footer links to it."""

import pytest

from tests.guide.helpers import step_url

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("lang", ["it", "en"])
def test_the_privacy_page_exists_in_each_language_and_states_the_retention(client, settings, lang):
    settings.TRACKING_RETENTION_DAYS = 90
    response = client.get(f"/{lang}/privacy/")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-page="privacy"' in body and f'<html lang="{lang}">' in body
    assert "90" in body


def test_the_italian_privacy_page_is_in_italian(client):
    body = client.get("/it/privacy/").content.decode()
    assert "indirizzo IP" in body and "180 giorni" in body


@pytest.mark.parametrize("path", ["/it/", "/en/", "/it/privacy/", "/it/search/?q=ricorso", "/it/guide/blocked-number/start/"])
def test_every_footer_links_the_privacy_page(client, path):
    lang = path[1:3]
    assert f'href="/{lang}/privacy/" data-privacy-link' in client.get(path).content.decode()


def test_the_privacy_page_accepts_only_reads(client):
    assert client.post("/it/privacy/").status_code == 405


class TestStaffCopyLink:
    def test_staff_see_a_selectable_permalink_and_the_page_is_private(self, client, django_user_model):
        staff = django_user_model.objects.create_user("support", password="x", is_staff=True)
        client.force_login(staff)
        response = client.get(step_url("reason"))
        body = response.content.decode()
        assert 'data-staff-copy-link' in body
        assert 'value="http://testserver/it/guide/blocked-number/reason/" readonly data-copy-source' in body
        assert "js/copy-link" in body and "<script>" not in body
        assert "private" in response["Cache-Control"]

    def test_visitors_and_non_staff_users_do_not(self, client, django_user_model):
        assert "data-staff-copy-link" not in client.get(step_url("reason")).content.decode()
        client.force_login(django_user_model.objects.create_user("someone", password="x"))
        assert "data-staff-copy-link" not in client.get(step_url("reason")).content.decode()

    def test_a_visitor_without_a_login_reads_no_session_row(self, client, django_assert_max_num_queries):
        client.get(step_url("reason"))
        with django_assert_max_num_queries(2) as queries:
            client.get(step_url("reason"))
        assert not any("django_session" in q["sql"] or "auth_user" in q["sql"] for q in queries.captured_queries)


def test_the_italian_privacy_page_is_plain(client):
    from tests.content.test_readability import MINIMUM, gulpease, units_of

    body = client.get("/it/privacy/").content.decode()
    article = body[body.index('<article class="prose privacy"'):body.index("</article>")]
    score = gulpease(units_of(html=article))
    assert score >= MINIMUM, score
