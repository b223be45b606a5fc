"""bench/walk.lua through bench/lightwalk.py: what each walker sends (against a small scripted server), that real walks
reach outcomes with the database agreeing (against the live site), and that a broken page fails the run.

They need wrk: skipped with a reason without it, except with REQUIRE_WRK=1 (CI installs wrk), where they fail."""

import gzip
import importlib.util
import os
import shutil
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from django.conf import settings

spec = importlib.util.spec_from_file_location("bench_lightwalk", Path(settings.BASE_DIR) / "bench" / "lightwalk.py")
lightwalk = importlib.util.module_from_spec(spec)
sys.modules["bench_lightwalk"] = lightwalk
spec.loader.exec_module(lightwalk)


@pytest.fixture(autouse=True)
def wrk_installed():
    if shutil.which("wrk") is None:
        if os.environ.get("REQUIRE_WRK") == "1":
            pytest.fail("wrk is missing (REQUIRE_WRK=1: these tests may not skip); apt-get install -y wrk")
        pytest.skip("needs wrk (apt-get install -y wrk; .ci/run installs it)")


# A scripted site: an information step with a CSRF token (before Fetch-Metadata checks), a checklist without one
# (after), a question page with another POST form before its answer form, an outcome. -------------------------------

TOKEN = "tok%en&1"  # needs form encoding
STEP = """<!doctype html><title>x</title>
<form method="post" action="/it/feedback/"><input type="hidden" name="target" value="x"><input type="radio" name="answer"
 value="feedback-radio"></form>
<form method="post" action="{path}" novalidate>{fields}<button type="submit">Next</button></form>"""
PAGES = {
    "/it/guide/g/start/": ('<input type="hidden" name="csrfmiddlewaretoken" value="tok%en&amp;1">'
                           '<input type="hidden" name="from_link" value="1">'
                           '<input type="hidden" name="answer" value="continue" id="answer-continue">'),
    "/it/guide/g/check/": "".join(f'<fieldset data-group="g{n}"><input type="checkbox" name="items" id="item-{n}" '
                                  f'value="box-{n}"></fieldset>' for n in range(4)),
    "/it/guide/g/question/": ('<fieldset><input type="radio" name="answer" id="answer-a" value="a">'
                              '<input type="radio" name="answer" id="answer-b" value="b"></fieldset>'),
}
NEXT = {"/it/guide/g/start/": "/it/guide/g/check/", "/it/guide/g/check/": "/it/guide/g/question/?stale=0",
        "/it/guide/g/question/": "/it/guide/g/end/"}
OUTCOME = '<section data-outcome="wait"><strong data-session-ref="ABCD-1234">ABCD-1234</strong></section>'


class Scripted(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: list  # (method, path, headers, form fields)
    broken: str = ""

    def log_message(self, *args):
        pass

    def _send(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path = self.path.split("?")[0]
        self.seen.append(("GET", self.path, dict(self.headers), []))
        if path == "/it/guide/g/end/":
            html = OUTCOME
        elif path in PAGES and not (self.broken == "no-form" and path == "/it/guide/g/question/"):
            html = STEP.format(path=path, fields=PAGES[path])
        elif path in PAGES:
            html = "<p>Nothing to answer here</p>"
        else:
            return self._send(404, b"not found")
        body, headers = html.encode(), [("Content-Type", "text/html; charset=utf-8")]
        if "gzip" in self.headers.get("Accept-Encoding", ""):
            body, headers = gzip.compress(body), headers + [("Content-Encoding", "gzip")]
        if path == "/it/guide/g/start/":
            headers.append(("Set-Cookie", "csrftoken=secret; Path=/; SameSite=Lax"))
        self._send(200, body, headers)

    def do_POST(self):
        fields = parse_qsl(self.rfile.read(int(self.headers["Content-Length"])).decode(), keep_blank_values=True)
        self.seen.append(("POST", self.path, dict(self.headers), fields))
        if self.broken == "500":
            return self._send(500, b"oops")
        headers = [("Location", NEXT[self.path])]
        if self.broken != "no-walk-cookie":
            headers.append(("Set-Cookie", f"walk=w{len(self.seen)}; Path=/; HttpOnly"))
        self._send(303, b"", headers)


def scripted_walk(broken=""):
    handler = type("Handler", (Scripted,), {"seen": [], "broken": broken})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        summary = lightwalk.walk(base, walkers=1, seconds=1, starts=["/it/guide/g/start/"])
    finally:
        server.shutdown()
        server.server_close()
    return base, summary, handler.seen


def test_a_walker_posts_each_form_like_a_browser_and_starts_again_after_the_outcome():
    base, summary, seen = scripted_walk()
    assert summary["ok"], summary
    assert summary["errors"] == 0 and summary["outcomes"] >= 2 and summary["gzip"] is True
    posts = [(path, headers, fields) for method, path, headers, fields in seen if method == "POST"]
    start, check, question = posts[:3]
    # The information step: its hidden fields, the CSRF token decoded from the page, the CSRF cookie it set.
    assert start[0] == "/it/guide/g/start/"
    assert start[2] == [("csrfmiddlewaretoken", TOKEN), ("from_link", "1"), ("answer", "continue")]
    assert "csrftoken=secret" in start[1]["Cookie"]
    for path, headers, _fields in posts[:3]:
        assert headers["Origin"] == base and headers["Sec-Fetch-Site"] == "same-origin"
        assert headers["Referer"].split("?")[0] == base + path
        assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    # The checklist (no token on it): none, one or two of its boxes; the walk cookie of the answer before.
    assert check[0] == "/it/guide/g/check/" and len(check[2]) <= 2
    assert {name for name, _ in check[2]} <= {"items"} and {v for _, v in check[2]} <= {f"box-{n}" for n in range(4)}
    assert "walk=w2" in check[1]["Cookie"]
    # The answer form, not the feedback form above it; the 303's query string was followed.
    assert question[0] == "/it/guide/g/question/" and question[2] in ([("answer", "a")], [("answer", "b")])
    gets = [path for method, path, _h, _f in seen if method == "GET"]
    assert gets[:4] == ["/it/guide/g/start/", "/it/guide/g/check/", "/it/guide/g/question/?stale=0",
                        "/it/guide/g/end/"]
    # After the outcome: a new walk, with no cookies.
    assert gets[4] == "/it/guide/g/start/"
    assert "Cookie" not in [h for m, p, h, _f in seen if m == "GET"][4]
    assert sum(1 for _m, p, _h, _f in seen if p == "/it/guide/g/start/") >= 4


@pytest.mark.parametrize("broken, message", [
    ("500", "POST /it/guide/g/start/: status 500 (303 expected)"),
    ("no-walk-cookie", "POST /it/guide/g/start/: 303 without the walk cookie"),
    ("no-form", "GET /it/guide/g/question/?stale=0: neither an outcome nor an answer form"),
])
def test_a_broken_answer_or_page_is_an_error_and_fails_the_run(broken, message):
    _base, summary, _seen = scripted_walk(broken)
    assert not summary["ok"] and summary["errors"] > 0 and summary["outcomes"] == 0
    assert summary["messages"].splitlines()[0] == message


def test_a_missing_first_step_is_an_error():
    handler = type("Handler", (Scripted,), {"seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        summary = lightwalk.walk(f"http://127.0.0.1:{server.server_address[1]}", walkers=1, seconds=1,
                                 starts=["/it/guide/g/nowhere/"])
    finally:
        server.shutdown()
        server.server_close()
    assert not summary["ok"] and summary["status_errors"] > 0
    assert summary["messages"].startswith("GET /it/guide/g/nowhere/: status 404 (200 expected)")


# The real site ----------------------------------------------------------------------------------------------------


def test_walkers_reach_outcomes_on_the_site_and_every_answer_is_recorded(live_server, transactional_db):
    from portal.content.importer import kb_import
    from portal.flows.registry import all_flows
    from portal.tracking.models import FlowSession, SessionEvent

    kb_import(kb_dir=settings.KB_DIR, locales=["it", "en"], flows=all_flows().values())
    starts = lightwalk.first_steps(live_server.url, ["it", "en"])
    assert [s.split("/")[1] for s in starts] == ["it", "en"]
    # One walker: the test database is SQLite in memory, whose shared cache answers "table is locked" to a second
    # writer at once (the tracking write is then skipped, and the count below catches it).
    summary = lightwalk.walk(live_server.url, walkers=1, seconds=3, starts=starts)

    assert summary["ok"], summary["messages"]
    assert summary["outcomes"] >= 2 and summary["answers"] >= 2 * summary["outcomes"]
    assert 0 <= summary["p50_ms"] <= summary["p95_ms"] <= summary["p99_ms"] and summary["client_cpu_s"] >= 0
    # Every answer the walkers saw answered was recorded (a walker stopped mid-walk may have had one more recorded).
    answered = SessionEvent.objects.filter(kind="answered").count()
    assert summary["answers"] <= answered <= summary["answers"] + 1
    outcomes = SessionEvent.objects.filter(kind="outcome").count()
    assert summary["outcomes"] <= outcomes <= summary["outcomes"] + 1
    assert FlowSession.objects.count() >= summary["outcomes"]
    assert set(FlowSession.objects.values_list("locale", flat=True)) <= {"it", "en"}
