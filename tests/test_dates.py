"""Italian writes month and weekday names in lowercase: on the site, in the admin and in the admin's calendar."""

import datetime
import re

import pytest
from django.utils import formats, translation

MONTHS_CAPITALISED = re.compile(
    r"\b(Gennaio|Febbraio|Marzo|Aprile|Maggio|Giugno|Luglio|Agosto|Settembre|Ottobre|Novembre|Dicembre)\b")


def test_italian_date_formats_write_lowercase_names_without_a_leading_zero():
    with translation.override("it"):
        assert formats.date_format(datetime.date(2026, 11, 1)) == "1 novembre 2026"
        assert formats.date_format(datetime.datetime(2026, 11, 29, 14, 30), "DATETIME_FORMAT") == (
            "domenica 29 novembre 2026 14:30")
        assert formats.date_format(datetime.date(2026, 1, 5), "N") == "gen."
    with translation.override("en"):
        assert formats.date_format(datetime.date(2026, 11, 1)) == "Nov. 1, 2026"  # English keeps its capitals


@pytest.mark.django_db
def test_article_dates_are_lowercase_on_the_site(client, imported):
    from portal.content.models import Article

    article = Article.objects.filter(locale="it").first()
    Article.objects.filter(pk=article.pk).update(updated=datetime.date(2026, 11, 1))
    body = client.get(f"/it/articles/{article.slug}/").content.decode()
    assert ">1 novembre 2026</time>" in body and not MONTHS_CAPITALISED.search(body)


@pytest.mark.django_db
def test_dates_are_lowercase_in_the_admin_and_its_calendar(admin_client, imported):
    from portal.content.models import Article

    Article.objects.filter(locale="it").update(updated=datetime.date(2026, 11, 1))
    page = admin_client.get("/admin/content/article/?locale__exact=it", HTTP_ACCEPT_LANGUAGE="it").content.decode()
    assert "1 novembre 2026" in page and not MONTHS_CAPITALISED.search(page)
    catalog = admin_client.get("/admin/jsi18n/", HTTP_ACCEPT_LANGUAGE="it").content.decode()
    assert '"January": "gennaio"' in catalog and '"Monday": "luned\\u00ec"' in catalog
