"""bench/load.py: real walks against a live server, and a comparison with the database that catches what is lost."""

import importlib.util
import sys
from pathlib import Path

import pytest
from django.conf import settings

from portal.tracking.models import FlowSession, SessionEvent

spec = importlib.util.spec_from_file_location("bench_load", Path(settings.BASE_DIR) / "bench" / "load.py")
load = importlib.util.module_from_spec(spec)
sys.modules["bench_load"] = load  # dataclasses look their module up there
spec.loader.exec_module(load)


@pytest.fixture
def walked(live_server, transactional_db):
    from portal.content.importer import kb_import
    from portal.flows.registry import all_flows

    kb_import(kb_dir=settings.KB_DIR, locales=["it", "en"], flows=all_flows().values())
    records = load.run_load([live_server.url], walks=6, concurrency=1, locales=["it", "en"], seed=7, timeout=30)
    return records


def test_walkers_reach_an_outcome_and_the_database_agrees(walked):
    assert [r.errors for r in walked] == [[]] * 6
    assert all(r.finished and r.answers and r.outcome_kind in ("appeal", "wait", "contact-meta") for r in walked)
    assert {r.locale for r in walked} == {"it", "en"}
    sessions, total = load.database_sessions([r.ref_code for r in walked])
    assert total == 6
    assert load.compare(walked, sessions, new_sessions=total) == []


def test_the_comparison_finds_a_lost_walk_and_a_lost_or_duplicated_event(walked):
    first, second, third, fourth = walked[:4]
    FlowSession.objects.filter(ref_code=first.ref_code).delete()
    answered = SessionEvent.objects.filter(session__ref_code=second.ref_code, kind="answered")
    answered.order_by("id").first().delete()
    # A duplicated answer (the database allows one outcome event per session and node, so that cannot double).
    event = SessionEvent.objects.filter(session__ref_code=third.ref_code, kind="answered").order_by("id").last()
    SessionEvent.objects.create(session=event.session, kind="answered", node_id=event.node_id,
                                answer_id=event.answer_id)

    SessionEvent.objects.filter(session__ref_code=fourth.ref_code, kind="outcome").delete()

    sessions, total = load.database_sessions([r.ref_code for r in walked])
    problems = load.compare(walked, sessions, new_sessions=total)

    assert any(first.ref_code in p and "walk lost" in p for p in problems)
    assert any(second.ref_code in p and "answers in the database" in p for p in problems)
    assert any(third.ref_code in p and "answers in the database" in p for p in problems)
    assert any(fourth.ref_code in p and "outcome events [] " in p for p in problems)
    assert any("sessions were created" in p for p in problems)  # 5 sessions left for 6 finished walks
    assert len(problems) == 5


def test_a_walk_with_an_error_is_not_finished_and_fails_the_run(live_server, transactional_db):
    records = load.run_load([live_server.url + "/nowhere"], walks=1, concurrency=1, locales=["it"], seed=1,
                            timeout=10)
    assert not records[0].finished and "status 404" in records[0].errors[0]


def test_a_request_closed_before_any_answer_is_sent_once_more_and_counted(monkeypatch):
    import http.client
    import random

    import requests
    import urllib3

    closed = requests.ConnectionError(urllib3.exceptions.ProtocolError(
        "Connection aborted.", http.client.RemoteDisconnected("Remote end closed connection without response")))
    reset = requests.ConnectionError(urllib3.exceptions.ProtocolError("Connection aborted.", ConnectionResetError()))
    walker = load.Walker(0, "http://example.invalid", "it", random.Random(1), timeout=1)
    calls = []

    def request(method, url, **kwargs):
        calls.append(url)
        raise closed if len(calls) == 1 else reset

    monkeypatch.setattr(walker.http, "request", request)
    assert walker.fetch("POST", "http://example.invalid/x") is None
    assert len(calls) == 2 and walker.record.resent == 1  # sent again once, then the reset is an error
    assert "ConnectionError" in walker.record.errors[0]


def test_each_request_of_a_walk_has_its_latency_and_the_summary_gives_percentiles(walked):
    assert all(len(r.latencies) == r.requests and all(t > 0 for t in r.latencies) for r in walked)
    assert load.percentiles([0.001 * n for n in range(1, 101)]) == {"p50": 50.0, "p95": 95.0, "p99": 99.0,
                                                                   "max": 100.0}
    assert load.percentiles([]) == {}


def test_walkers_answer_the_checklist_step_and_the_database_records_the_answer_they_expect(live_server,
                                                                                           transactional_db):
    """CI's walker load once failed on the checklist (boxes, no radio named "answer"): walkers tick a random subset
    and predict the answer the server records (the first group, in page order, with a ticked box, else "none")."""
    from portal.content.importer import kb_import
    from portal.flows.registry import all_flows

    kb_import(kb_dir=settings.KB_DIR, locales=["it", "en"], flows=all_flows().values())
    records = load.run_load([live_server.url], walks=40, concurrency=1, locales=["it", "en"], seed=3, timeout=30)
    assert [r.errors for r in records] == [[]] * 40
    checklist_answers = [answer for r in records for node, answer in r.answers if node == "industry_checklist"]
    assert checklist_answers  # the walks went through the checklist, and compare() below checks what was recorded
    sessions, total = load.database_sessions([r.ref_code for r in records])
    assert load.compare(records, sessions, new_sessions=total) == []
