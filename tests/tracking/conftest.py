import pytest


@pytest.fixture(autouse=True)
def _words_in_the_database(imported):
    """Step pages read their words from the database only, as in production after `make run` (import_kb)."""
