import pytest

from portal.flows.registry import get_flow


@pytest.fixture
def flow():
    """The real guide, loaded from kb/ as the site loads it."""
    return get_flow("blocked-number")


@pytest.fixture
def imported(db):
    """The project's kb/ imported into the test database, as `make run` does."""
    from django.conf import settings

    from portal.content.importer import kb_import
    from portal.flows.registry import all_flows

    report = kb_import(kb_dir=settings.KB_DIR, locales=[c for c, _ in settings.LANGUAGES], flows=all_flows().values())
    assert not report.problems, report.problems
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
