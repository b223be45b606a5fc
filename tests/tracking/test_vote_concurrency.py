"""The vote limit holds under concurrency: 60 simultaneous votes of one visitor against gunicorn (several workers
and threads), on the database the suite runs on (SQLite file or PostgreSQL)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.db import connection

from portal.tracking.feedback import COOKIE, VOTES_PER_HOUR
from portal.tracking.models import Vote
from tests.live import gunicorn, sqlite_database, shared_database_url
from tests.tracking.test_votes import real_targets

ATTEMPTS = 60


@pytest.fixture
def server(transactional_db, imported, tmp_path):
    url = shared_database_url() if connection.vendor == "postgresql" else sqlite_database(tmp_path)
    with gunicorn(url, workers=3, threads=8) as base:
        yield base


def test_sixty_concurrent_votes_of_one_visitor_accept_at_most_the_limit(server):
    targets = real_targets()
    visitor = requests.Session()
    visitor.get(f"{server}/it/articles/fare-ricorso/", timeout=30)

    def cast(target: str, barrier: threading.Barrier | None = None) -> int:
        if barrier:
            barrier.wait()
        response = requests.post(f"{server}/it/feedback/", cookies=visitor.cookies.get_dict(), allow_redirects=False,
                                 data={"target": target, "helpful": "yes", "next": "/it/"},
                                 headers={"Origin": server, "Sec-Fetch-Site": "same-origin"}, timeout=60)
        if response.status_code == 303 and COOKIE in response.cookies and not visitor.cookies.get(COOKIE):
            visitor.cookies.set(COOKIE, response.cookies[COOKIE])
        return response.status_code

    assert cast(targets[0]) == 303  # the visitor now has an id in their vote cookie
    barrier = threading.Barrier(ATTEMPTS)
    with ThreadPoolExecutor(ATTEMPTS) as pool:
        statuses = list(pool.map(lambda n: cast(targets[1 + n % (len(targets) - 1)], barrier), range(ATTEMPTS)))

    assert set(statuses) <= {303, 429}, statuses  # no error of any kind
    assert statuses.count(303) == VOTES_PER_HOUR - 1
    if connection.vendor == "postgresql":  # the server wrote to the test's own database
        assert Vote.objects.count() == VOTES_PER_HOUR
