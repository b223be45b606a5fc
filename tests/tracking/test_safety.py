"""A failed tracking write is logged and counted, never shown to the visitor."""

import logging

import pytest
from django.db import OperationalError

from portal.tracking.safety import failed_writes, tracking_write


def test_a_failed_write_returns_the_default_is_counted_and_logged(caplog):
    @tracking_write(default=False)
    def link_open_count():
        raise OperationalError("database is down (test)")

    before = failed_writes().get("link_open_count", 0)
    with caplog.at_level(logging.WARNING, logger="portal.tracking"):
        assert link_open_count() is False
        assert link_open_count() is False
    assert failed_writes()["link_open_count"] == before + 2
    assert "tracking write link_open_count failed" in caplog.text and "database is down" in caplog.text


def test_a_write_that_works_returns_its_value_and_a_bug_is_not_hidden():
    @tracking_write()
    def fine():
        return 42

    @tracking_write()
    def buggy():
        raise KeyError("a bug")

    assert fine() == 42
    with pytest.raises(KeyError):
        buggy()
