"""The walker load: many visitors walking the guide the way a browser without JavaScript does, then a comparison of
what they saw with what the database recorded.

Each walker: GET the home page, POST "Start the guide" (the form's fields and the cookies, with the Origin and
`Sec-Fetch-Site: same-origin` a browser sends: public forms hold no CSRF token, portal/crossorigin.py), answer
every question along a random real path (a random radio of the step's own form), until a page marks an outcome
with `data-outcome`; then read the reference code from `data-session-ref`. Redirects are followed like a browser
(303 after a POST). Nothing is retried, with one exception browsers make too: a request whose kept-alive connection
was closed before any answer is sent once more (counted as `resent`). Any other broken connection or unexpected
status is an error the visitor saw.

    # 50 walks, 10 at a time, against one server (CI's size):
    .venv/bin/python bench/load.py --walks 50 --concurrency 10 --base-url http://127.0.0.1:8000
    # The full size, spread over several servers (round robin per walker) or through a balancer:
    .venv/bin/python bench/load.py --walks 2000 --concurrency 200 --base-url http://127.0.0.1:9050 \\
        --base-url http://127.0.0.1:9051 --compare

--compare reads the database named by the same settings as the site (DATABASE_URL, ...; DJANGO_SECRET_KEY may be
anything) and checks, walk by walk, that every walk the clients finished is a tracked session with its reference
code, with exactly the answers the client gave, in order (none lost, none duplicated), one outcome event at the
outcome the client saw, exactly one `started` event, and that no session appeared that no client started.
Exit status 0 only if no client saw an error and the database matches. `--json FILE` keeps the full record.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests
from bs4 import BeautifulSoup

MAX_STEPS = 25  # a walk longer than this is a loop: an error


@dataclass
class WalkRecord:
    walker: int
    base_url: str
    locale: str
    ref_code: str = ""
    answers: list[tuple[str, str]] = field(default_factory=list)  # (node id, answer id), as the client posted them
    outcome_node: str = ""
    outcome_kind: str = ""
    requests: int = 0
    resent: int = 0  # requests sent again after a kept-alive connection closed before any answer
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)  # seconds to each response's headers, redirects included

    @property
    def finished(self) -> bool:
        return bool(self.ref_code and self.outcome_node and not self.errors)


def node_id_of(url: str) -> str:
    """The node id in a step URL (/it/guide/<flow>/<node-slug>/): slugs are ids with '-' for '_'."""
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1].replace("-", "_")


def _closed_before_answering(error: BaseException) -> bool:
    """The server closed the connection without a byte of answer (http.client.RemoteDisconnected somewhere in the
    chain requests and urllib3 wrap it in)."""
    import http.client

    pending, seen = [error], set()
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, http.client.RemoteDisconnected):
            return True
        pending.extend(e for e in (current.__cause__, current.__context__, *current.args) if isinstance(e, BaseException))
    return False


def form_fields(form) -> dict[str, str]:
    return {
        field["name"]: field.get("value", "")
        for field in form.find_all("input")
        if field.get("name") and (field.get("type") or "text").lower() in ("hidden", "text")
    }


def _browser_headers(url: str) -> dict[str, str]:
    """What a browser adds to a form POST of a page of the same site (portal/crossorigin.py checks them)."""
    parts = urlsplit(url)
    return {"Origin": f"{parts.scheme}://{parts.netloc}", "Sec-Fetch-Site": "same-origin"}


class Walker:
    def __init__(self, number: int, base_url: str, locale: str, rng: random.Random, timeout: float):
        self.record = WalkRecord(walker=number, base_url=base_url, locale=locale)
        self.http = requests.Session()
        self.http.headers["User-Agent"] = "portal-bench-walker/1"
        self.rng, self.timeout = rng, timeout

    def fetch(self, method: str, url: str, data: dict | list | None = None) -> tuple[str, BeautifulSoup] | None:
        self.record.requests += 1
        headers = _browser_headers(url) if method == "POST" else None
        try:
            try:
                response = self.http.request(method, url, data=data, headers=headers, timeout=self.timeout,
                                             allow_redirects=True)
            except requests.ConnectionError as error:
                if not _closed_before_answering(error):
                    raise
                # A kept-alive connection that the balancer closed as idle just as this request went out: nothing
                # was read, so a browser sends it again on a new connection (RFC 9112, 9.3.1). Once, counted, and
                # a request that was in fact processed twice would show up in --compare as a duplicate.
                self.record.resent += 1
                response = self.http.request(method, url, data=data, headers=headers, timeout=self.timeout,
                                             allow_redirects=True)
        except requests.RequestException as error:
            self.record.errors.append(f"{method} {url}: {type(error).__name__}: {error}")
            return None
        self.record.requests += len(response.history)
        self.record.latencies += [r.elapsed.total_seconds() for r in [*response.history, response]]
        statuses = [r.status_code for r in response.history] + [response.status_code]
        expected_redirect = 303 if method == "POST" else 302
        if response.status_code != 200 or any(code not in (301, 302, expected_redirect) for code in statuses[:-1]):
            self.record.errors.append(f"{method} {url}: status {' -> '.join(map(str, statuses))}")
            return None
        return response.url, BeautifulSoup(response.text, "html.parser")

    def walk(self) -> WalkRecord:
        started = time.monotonic()
        try:
            self._walk()
        finally:
            self.record.seconds = round(time.monotonic() - started, 3)
            self.http.close()
        return self.record

    def _walk(self) -> None:
        record = self.record
        page = self.fetch("GET", f"{record.base_url}/{record.locale}/")
        if page is None:
            return
        url, soup = page
        start = soup.find("form", method="post", action=lambda a: bool(a) and "/guide/" in a)
        if start is None:
            record.errors.append(f"GET {url}: no form that starts the guide")
            return
        page = self.fetch("POST", urljoin(url, start["action"]), form_fields(start))
        for _ in range(MAX_STEPS):
            if page is None:
                return
            url, soup = page
            outcome = soup.find(attrs={"data-outcome": True})
            if outcome is not None:
                record.outcome_node, record.outcome_kind = node_id_of(url), outcome["data-outcome"]
                ref = soup.find(attrs={"data-session-ref": True})
                record.ref_code = ref["data-session-ref"].strip() if ref else ""
                if not record.ref_code:
                    record.errors.append(f"GET {url}: outcome without a data-session-ref")
                return
            path = urlsplit(url).path
            form = next(
                (f for f in soup.find_all("form", method="post")
                 if urlsplit(urljoin(url, f.get("action", ""))).path == path
                 and (f.find("input", attrs={"name": "answer"}) or f.find("input", attrs={"type": "checkbox"}))),
                None,
            )
            if form is None:
                record.errors.append(f"GET {url}: neither an outcome nor a question form")
                return
            data: list[tuple[str, str]] = list(form_fields(form).items())
            boxes = form.find_all("input", attrs={"type": "checkbox"})
            if boxes:
                # A checklist: tick a random subset (nothing ticked is an answer too). The answer recorded is the
                # first group, in page order, with a ticked box (its fieldset's data-group), else "none".
                ticked = [b for b in boxes if b.get("name") and self.rng.random() < 0.3]
                data += [(b["name"], b.get("value", "on")) for b in ticked]
                groups = [b.find_parent("fieldset", attrs={"data-group": True}) for b in ticked]
                order = [f["data-group"] for f in form.find_all("fieldset", attrs={"data-group": True})]
                chosen = sorted({g["data-group"] for g in groups if g is not None}, key=order.index)
                record.answers.append((node_id_of(url), chosen[0] if chosen else "none"))
            else:
                choices = [i["value"] for i in form.find_all("input", attrs={"name": "answer"}) if i.get("value")]
                answer = self.rng.choice(choices)
                data = [(k, v) for k, v in data if k != "answer"] + [("answer", answer)]
                record.answers.append((node_id_of(url), answer))
            page = self.fetch("POST", urljoin(url, form.get("action") or url), data)
        record.errors.append(f"no outcome after {MAX_STEPS} steps")


def run_load(base_urls: list[str], walks: int, concurrency: int, locales: list[str], seed: int | None,
             timeout: float, progress=None) -> list[WalkRecord]:
    seeds = random.Random(seed)
    jobs = [(n, base_urls[n % len(base_urls)], locales[n % len(locales)], random.Random(seeds.random()))
            for n in range(walks)]
    records: list[WalkRecord] = []
    lock = threading.Lock()

    def one(job):
        record = Walker(*job, timeout=timeout).walk()
        with lock:
            records.append(record)
            if progress:
                progress(len(records))
        return record

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(one, jobs))
    return sorted(records, key=lambda r: r.walker)


def database_sessions(refs: list[str]) -> tuple[dict[str, dict], int]:
    """Each session with one of `refs` (its outcome and events, in the order recorded), and how many sessions the
    database holds in all. Uses the site's own settings and models."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-compare-only-" + "x" * 40)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from portal.tracking.models import FlowSession, SessionEvent

    sessions: dict[str, dict] = {}
    for chunk in (refs[i:i + 500] for i in range(0, len(refs), 500)):
        for row in FlowSession.objects.filter(ref_code__in=chunk).values("id", "ref_code", "outcome_node",
                                                                         "outcome_kind"):
            sessions[row["ref_code"]] = {**row, "events": []}
    by_id = {row["id"]: row for row in sessions.values()}
    for chunk in (list(by_id)[i:i + 500] for i in range(0, len(by_id), 500)):
        events = SessionEvent.objects.filter(session_id__in=chunk).order_by("id")
        for event in events.values("session_id", "kind", "node_id", "answer_id"):
            by_id[event["session_id"]]["events"].append(event)
    return sessions, FlowSession.objects.count()


def compare(records: list[WalkRecord], sessions: dict[str, dict], new_sessions: int | None) -> list[str]:
    """What differs between what the clients saw and what the database holds (empty: they agree)."""
    problems: list[str] = []
    finished = [r for r in records if r.finished]
    refs = [r.ref_code for r in finished]
    if len(set(refs)) != len(refs):
        problems.append(f"{len(refs) - len(set(refs))} reference code(s) shown to two different walks")
    for record in finished:
        session = sessions.get(record.ref_code)
        if session is None:
            problems.append(f"walk {record.walker}: session {record.ref_code} is not in the database (walk lost)")
            continue
        events = session["events"]
        answered = [(e["node_id"], e["answer_id"]) for e in events if e["kind"] == "answered"]
        if answered != [tuple(a) for a in record.answers]:
            problems.append(f"walk {record.walker} ({record.ref_code}): answers in the database {answered} "
                            f"!= answers posted {record.answers}")
        outcomes = [e["node_id"] for e in events if e["kind"] == "outcome"]
        if outcomes != [record.outcome_node]:
            problems.append(f"walk {record.walker} ({record.ref_code}): outcome events {outcomes} "
                            f"!= the one outcome seen ({record.outcome_node})")
        started = [e for e in events if e["kind"] == "started"]
        if len(started) != 1:
            problems.append(f"walk {record.walker} ({record.ref_code}): {len(started)} 'started' events")
        if (session["outcome_node"], session["outcome_kind"]) != (record.outcome_node, record.outcome_kind):
            problems.append(f"walk {record.walker} ({record.ref_code}): session outcome "
                            f"{session['outcome_node']}/{session['outcome_kind']} != seen "
                            f"{record.outcome_node}/{record.outcome_kind}")
    if new_sessions is not None and new_sessions != len(finished):
        problems.append(f"{new_sessions} sessions were created during the run for {len(finished)} finished walks "
                        f"({len(records) - len(finished)} walks did not finish)")
    return problems


def percentiles(values: list[float]) -> dict[str, float]:
    """p50, p95 and p99 in milliseconds (nearest rank)."""
    if not values:
        return {}
    ordered = sorted(values)

    def rank(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))] * 1000, 1)

    return {"p50": rank(50), "p95": rank(95), "p99": rank(99), "max": round(ordered[-1] * 1000, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--walks", type=int, default=50, help="walks in all (default 50)")
    parser.add_argument("--concurrency", type=int, default=10, help="walkers at the same time (default 10)")
    parser.add_argument("--base-url", action="append", dest="base_urls",
                        help="a server or balancer, e.g. http://127.0.0.1:8000; repeat to spread walkers over "
                             "several (round robin). Default: $BENCH_BASE_URL or http://127.0.0.1:8000")
    parser.add_argument("--locale", action="append", dest="locales", help="it and/or en (default: both, alternating)")
    parser.add_argument("--seed", type=int, help="seed the random paths, to repeat a run")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds per request (default 60)")
    parser.add_argument("--compare", action="store_true", help="compare with the database afterwards")
    parser.add_argument("--json", type=Path, help="write every walk's record to this file")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    base_urls = [url.rstrip("/") for url in args.base_urls or [os.environ.get("BENCH_BASE_URL",
                                                                              "http://127.0.0.1:8000")]]
    say = (lambda *a: None) if args.quiet else (lambda *a: print(*a, file=sys.stderr, flush=True))

    before = database_sessions([])[1] if args.compare else None
    say(f"{args.walks} walks, {args.concurrency} at a time, against {', '.join(base_urls)}")
    started = time.monotonic()
    step = max(1, args.walks // 10)
    records = run_load(base_urls, args.walks, args.concurrency, args.locales or ["it", "en"], args.seed,
                       args.timeout, progress=lambda n: n % step == 0 and say(f"  {n}/{args.walks} walks done"))
    elapsed = time.monotonic() - started

    errors = [f"walk {r.walker}: {error}" for r in records for error in r.errors]
    finished = [r for r in records if r.finished]
    total_requests = sum(r.requests for r in records)
    outcomes: dict[str, int] = {}
    for r in finished:
        outcomes[r.outcome_kind] = outcomes.get(r.outcome_kind, 0) + 1
    summary = {
        "walks": len(records), "finished": len(finished), "errors": len(errors), "requests": total_requests,
        "seconds": round(elapsed, 2), "requests_per_second": round(total_requests / elapsed, 1) if elapsed else 0,
        "answers_per_walk": round(sum(len(r.answers) for r in finished) / max(1, len(finished)), 2),
        "outcomes": outcomes,
        # One request's time to its answer, as the walkers saw it (the client's own threads included: on a
        # machine shared with the server, a slice of this is the client waiting for a core).
        "latency_ms": percentiles([t for r in records for t in r.latencies]),
    }
    problems: list[str] = []
    if args.compare:
        sessions, after = database_sessions([r.ref_code for r in finished])
        problems = compare(records, sessions, after - before)
        summary["database"] = {
            "sessions_found": len(sessions), "sessions_created": after - before,
            "answered_events": sum(1 for s in sessions.values() for e in s["events"] if e["kind"] == "answered"),
            "problems": len(problems),
        }
    if args.json:
        args.json.write_text(json.dumps({"summary": summary, "errors": errors, "problems": problems,
                                         "walks": [asdict(r) for r in records]}, indent=1))
    for line in (errors + problems)[:20]:  # printed even with --quiet: a red run must say what went wrong
        print(f"  ! {line}", file=sys.stderr, flush=True)
    print(json.dumps(summary))
    return 0 if not errors and not problems and len(finished) == args.walks else 1


if __name__ == "__main__":
    sys.exit(main())
