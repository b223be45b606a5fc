import pytest
from django.test import Client

from portal.edge import guard_environ


class GuardedHandler:
    """The test client's handler behind the same WSGI guard as portal/wsgi.py."""

    def __init__(self, handler):
        self.handler = handler

    def __call__(self, environ):
        return self.handler(guard_environ(environ))

    def __getattr__(self, name):
        return getattr(self.handler, name)


def guarded(client: Client) -> Client:
    client.handler = GuardedHandler(client.handler)
    return client


@pytest.fixture
def edge_client(db) -> Client:
    return guarded(Client())


@pytest.fixture
def csrf_client(db) -> Client:
    """Checks CSRF like a browser meets it (the default test client skips the check)."""
    return guarded(Client(enforce_csrf_checks=True))
