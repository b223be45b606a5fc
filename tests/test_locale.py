"""Locale smoke tests: a missing or stale .mo file fails loudly."""

from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation


@pytest.mark.parametrize("locale,expected", [("it", "Inizia la guida"), ("en", "Start the guide")])
def test_a_known_interface_string_per_locale(locale, expected):
    with translation.override(locale):
        assert translation.gettext("Start the guide") == expected


def test_compiled_catalogues_exist_for_every_language():
    for code, _ in settings.LANGUAGES:
        assert (Path(settings.BASE_DIR) / "locale" / code / "LC_MESSAGES" / "django.mo").exists(), code


@pytest.mark.django_db
@pytest.mark.parametrize("locale,words", [("it", ["Cerca nel centro di aiuto", "Vai al contenuto"]),
                                          ("en", ["Search the help centre", "Skip to content"])])
def test_home_page_speaks_the_locale(client, locale, words):
    body = client.get(f"/{locale}/").content.decode()
    assert f'<html lang="{locale}">' in body
    for word in words:
        assert word in body


def test_every_italian_interface_string_is_translated():
    import re

    text = (Path(settings.BASE_DIR) / "locale" / "it" / "LC_MESSAGES" / "django.po").read_text()
    entries = re.findall(r'\nmsgid "(.+)"\nmsgstr ""\n\n', text)
    assert entries == []
    assert "#, fuzzy" not in text
