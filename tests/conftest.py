import pytest

from portal.flows.registry import get_flow


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache and no waiting counts: test databases roll back to earlier revision
    tokens, so a page stored by one test could otherwise answer another (portal/pagecache.py)."""
    from django.core.cache import cache

    from portal.tracking.counts import discard_all

    cache.clear()
    discard_all()  # counts a failed write kept for its retry belong to the test that made them


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's default language: a request through the test client leaves the language it
    activated (LocaleMiddleware never deactivates), which made gettext in a later test depend on test order."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def flow():
    """The real guide, loaded from kb/ as the site loads it."""
    return get_flow("blocked-number")


@pytest.fixture(scope="session")
def kb_snapshot(django_db_setup, django_db_blocker):
    """kb/ imported once per test run (parsing, markdown, history), kept in memory as rows, then rolled back, so
    tests that do not ask for it still start from an empty knowledge base."""
    from django.apps import apps
    from django.conf import settings
    from django.db import transaction

    from portal.content.importer import kb_import
    from portal.flows.registry import all_flows

    models = list(apps.get_app_config("content").get_models())
    with django_db_blocker.unblock(), transaction.atomic():
        report = kb_import(kb_dir=settings.KB_DIR, locales=[c for c, _ in settings.LANGUAGES],
                           flows=all_flows().values())
        rows = [(model, list(model._base_manager.order_by("pk"))) for model in models]
        transaction.set_rollback(True)
    assert not report.problems, report.problems
    return report, rows


@pytest.fixture
def imported(db, kb_snapshot):
    """The project's kb/ imported into the test database, as `make run` does (restored from the run's snapshot)."""
    import copy

    from django.core.management.color import no_style
    from django.db import connection

    from portal.content.models import Article, TextRevision
    from portal.content.search_index import index_articles

    report, rows = kb_snapshot
    for model, objects in rows:
        model._base_manager.bulk_create([copy.copy(obj) for obj in objects])
    # A bulk insert skips Article.save(): give SQLite's search index the rows (PostgreSQL's trigger saw them).
    index_articles(connection, Article.objects.values_list("pk", "locale", "title", "summary", "body_text"))
    # Rows came with their ids: move PostgreSQL's sequences past them, so a test's own inserts do not collide.
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), [model for model, _ in rows]):
            cursor.execute(statement)
    TextRevision.bump()  # a fresh words-cache key, whatever earlier tests cached
    return report


def pytest_collection_modifyitems(config, items):
    """`postgres` tests need the default database to be PostgreSQL: skip with a reason elsewhere, unless
    REQUIRE_POSTGRES=1 (CI), where a missing server must fail instead."""
    import os

    from django.db import connection

    if connection.vendor == "postgresql":
        return
    if os.environ.get("REQUIRE_POSTGRES") == "1":
        raise pytest.UsageError("REQUIRE_POSTGRES=1 but the database is not PostgreSQL: set DATABASE_URL")
    reason = "needs PostgreSQL: run with DATABASE_URL=postgres://… (CI does, see .ci/run)"
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(pytest.mark.skip(reason=reason))
