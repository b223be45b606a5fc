"""The page frame rendered once per process (portal/guide/templatetags/chrome.py): per language and operator."""

import re

import pytest
from django.test import Client

from portal.operator import operator_from_env
from tests.guide.helpers import step_url

pytestmark = pytest.mark.django_db


def footer(html: str) -> str:
    return re.search(r'<footer class="site-footer">.*?</footer>', html, re.S).group(0)


def test_the_frame_follows_the_language_of_each_page(imported):
    italian = Client().get(step_url("reason")).content.decode()
    english = Client().get("/en/guide/blocked-number/reason/").content.decode()
    assert 'href="/it/"' in italian and 'href="/en/"' in english  # the site name's link home
    assert footer(italian) != footer(english)
    assert 'href="/it/privacy/"' in footer(Client().get(step_url("reason")).content.decode())


def test_the_frame_follows_the_operator_settings(imported, settings):
    settings.OPERATOR = operator_from_env({"PORTAL_OPERATOR_NAME": "Studio Uno"})
    assert "Studio Uno" in footer(Client().get(step_url("reason")).content.decode())
    settings.OPERATOR = operator_from_env({"PORTAL_OPERATOR_NAME": "Studio Due"})
    page = Client().get(step_url("reason")).content.decode()
    assert "Studio Due" in footer(page) and "Studio Uno" not in page


def test_the_language_switch_names_the_page_on_screen(imported):
    for _ in range(2):  # the second time from the remembered translation
        assert 'href="/en/guide/blocked-number/reason/"' in Client().get(step_url("reason")).content.decode()
        assert 'href="/it/guide/blocked-number/reason/"' in Client().get(
            "/en/guide/blocked-number/reason/").content.decode()
