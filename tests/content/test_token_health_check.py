"""The revision token's query is a request's connection check (portal/content/models.py TextRevision._read_token):
Django's CONN_HEALTH_CHECKS would send SELECT 1 before it, a second round trip on PostgreSQL for every page."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import connection

from portal.content.models import TextRevision

pytestmark = pytest.mark.django_db(transaction=True)  # outside a transaction, as a request is


def _token() -> str:
    TextRevision.bump()
    return TextRevision.objects.get(pk=1).token


def test_the_token_query_stands_for_the_health_check(settings):
    token = _token()
    connection.ensure_connection()
    connection.health_check_done = False  # a new request on a kept connection
    with mock.patch.object(connection, "is_usable", wraps=connection.is_usable) as checked:
        assert TextRevision._read_token() == token
        with connection.cursor() as cursor:  # the request's next query: no check either
            cursor.execute("SELECT 1")
    assert checked.call_count == 0 and connection.health_check_done


@pytest.mark.postgres
def test_a_connection_the_server_dropped_is_replaced_and_the_page_goes_on():
    import psycopg

    token = _token()
    connection.ensure_connection()
    dropped = connection.connection.info.backend_pid
    params = {k: v for k, v in connection.get_connection_params().items() if k not in ("cursor_factory", "context")}
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [dropped])
    connection.health_check_done = False  # the next request on the kept (now dead) connection
    assert TextRevision._read_token() == token
    assert connection.connection.info.backend_pid != dropped
