#!/usr/bin/env python
"""Page throughput as a share of /healthz, under gunicorn with production settings, on SQLite and (where it answers)
PostgreSQL; then 200 concurrent walkers and flow validation at scale. `make bench` runs it (README "Benchmark").

    .venv/bin/python bench/pages.py [--write docs/benchmarks.md] [--quick]

For each database: a fresh database (SQLite in a temporary folder; PostgreSQL: BENCH_PAGES_PG_URL, default
postgres://postgres@127.0.0.1:5432/bench_pages, dropped and created afresh: never point it at a database you
keep), collectstatic, migrate, import_kb, a Support user; gunicorn (2 workers) on 127.0.0.1:BENCH_PORT (default
8300). wrk (-t2 -c16, BENCH_SECONDS each, default 4: the whole run stays near ten minutes) runs against /healthz, a static file and every page, each
page alternated with /healthz, BENCH_PAIRS pairs (default 3): the table gives the page's median requests/s, p50
and p99 latency, and the median of the pairs' ratios to /healthz, against the issue's budget. Requests carry
`Accept-Encoding: br, gzip` as a browser's do.

- step GET cold: a question opened from a link, no cookie.
- step GET with a walk: the guide's first question, with the cookie of a tracked walk that reached it.
- answer POST: a wrk Lua script posting an answer to that question with the walk's cookie, and the Origin and
  `Sec-Fetch-Site: same-origin` a browser sends (no CSRF token: portal/crossorigin.py); each request is that walk's
  answer again from the same cookie: the UPDATE and the conditional INSERT.
- staff dashboard: signed in as a Support user, over the (few) walks of the run; bench/staff.py times it at a
  million walks.

Then, on each database, the walkers: 200 at once through wrk and bench/walk.lua (bench/lightwalk.py: a light client,
so one request's p50/p95/p99 is the server's and not the client's; BENCH_WALK_SECONDS, default 20, --quick 5), with
the CPU the client and gunicorn's workers used; and bench/load.py's Python walkers at a modest 10 at once with
--compare, which checks that the database recorded exactly the answers they gave (100 walks, --quick 30). Then
bench/flow_scale.py. --quick (or BENCH_QUICK=1): 2-second runs, one pair, SQLite only (unless --database says). A benchmark: it measures and
prints, it never fails on a slow page; it exits 1 when a walker saw an error or the database disagreed with the
walkers (after writing the report), 2 when the server or wrk could not run.

--write FILE rewrites the section between `<!-- bench:pages start -->` and `<!-- bench:pages end -->` of FILE with
this run's tables, keeping the previous run's tables below them for comparison.
--app-dir DIR serves another checkout of the site (e.g. main, for a before/after) with this virtualenv.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
START, END = "<!-- bench:pages start -->", "<!-- bench:pages end -->"
ENCODING = "br, gzip"
#: The issue's budgets: (least share of /healthz, SQL queries held by tests/perf/test_query_budgets.py).
BUDGETS = {
    "home": 0.60, "article": 0.60, "search": 0.40, "step GET, walk": 0.45, "step GET, cold": 0.45,
    "answer POST → 303": 0.30,
}


@dataclass
class Run:
    rps: float
    p50: float  # ms
    p99: float  # ms


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", type=Path, help="markdown file whose bench:pages section gets the tables")
    parser.add_argument("--quick", action="store_true", default=os.environ.get("BENCH_QUICK") == "1")
    parser.add_argument("--app-dir", type=Path, default=ROOT, help="the checkout to serve (default: this one)")
    parser.add_argument("--label", default="", help="a name for this run in the written table")
    parser.add_argument("--database", action="append", choices=["sqlite", "postgresql"], dest="databases",
                        help="measure on this database only (repeat for both; default both, --quick sqlite)")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        print("wrk is missing: apt-get install -y wrk", file=sys.stderr)
        return 2
    began = time.monotonic()
    seconds = int(os.environ.get("BENCH_SECONDS", "2" if args.quick else "4"))
    pairs = int(os.environ.get("BENCH_PAIRS", "1" if args.quick else "3"))
    port = int(os.environ.get("BENCH_PORT", "8300"))
    pg_url = os.environ.get("BENCH_PAGES_PG_URL", "postgres://postgres@127.0.0.1:5432/bench_pages")

    walk_seconds = int(os.environ.get("BENCH_WALK_SECONDS", "5" if args.quick else "20"))

    sections = []
    chosen = args.databases or (["sqlite"] if args.quick else ["sqlite", "postgresql"])
    databases = [(name, pg_url if name == "postgresql" else None) for name in ("sqlite", "postgresql")
                 if name in chosen]
    failed = False
    for name, url in databases:
        if url and not _postgres_reachable(url):
            sections.append(f"PostgreSQL at {_redact(url)} did not answer: not measured.\n")
            continue
        with Site(args.app_dir, port, name, url) as site:
            print(f"\n## {name} (load average {_load()})", flush=True)
            rows = bench_pages(site, seconds, pairs)
            light = bench_light_walkers(site, 200, walk_seconds)
            checked = bench_walkers(site, 30 if args.quick else 100, 10)
            failed |= not light.get("ok") or checked.get("exit") != 0
            sections.append(_page_table(name, rows, seconds, pairs) + "\n" + _walker_lines(name, light, checked))
    flows = "(not measured: another checkout was served)"
    if args.app_dir.resolve() == ROOT:
        flows = subprocess.run([PYTHON, str(ROOT / "bench" / "flow_scale.py"), "--runs", "1" if args.quick else "3"],
                               capture_output=True, text=True, check=True).stdout
    print(flows)
    minutes = (time.monotonic() - began) / 60
    print(f"bench/pages.py took {minutes:.1f} min (load average {_load()})")
    report = _report(args, sections, flows, seconds, pairs, minutes)
    if args.write:
        _write(args.write, report)
    if failed:
        print("walkers saw errors, or the database disagreed with them: see above", file=sys.stderr)
    return 1 if failed else 0


# The site under gunicorn ---------------------------------------------------------------------------------------


class Site:
    """A fresh database, the kb/ imported, gunicorn with production settings; stopped (by its pid) on exit."""

    def __init__(self, app_dir: Path, port: int, database: str, pg_url: str | None):
        self.app_dir, self.port, self.database, self.pg_url = app_dir, port, database, pg_url
        self.base = f"http://127.0.0.1:{port}"
        self.folder = Path(tempfile.mkdtemp(prefix="bench-pages-"))
        self.process = None

    def __enter__(self) -> Site:
        env = dict(os.environ)
        env.pop("DJANGO_DEBUG", None)
        env.update(
            DJANGO_SECRET_KEY=secrets.token_urlsafe(60), DJANGO_ALLOWED_HOSTS="127.0.0.1",
            DATABASE_URL=self.pg_url or f"sqlite:///{self.folder / 'db.sqlite3'}",
            DJANGO_SECURE_SSL_REDIRECT="0", DJANGO_SECURE_COOKIES="0", DJANGO_HSTS_SECONDS="0",
            DJANGO_LOG_LEVEL="WARNING", GUNICORN_ACCESS_LOG="/dev/null", PYTHONDONTWRITEBYTECODE="1",
            PORTAL_OPERATOR_NAME=env.get("PORTAL_OPERATOR_NAME", "Studio Esempio (benchmark)"),
        )
        for name in ("DJANGO_CACHE_URL", "REDIS_URL"):
            env.pop(name, None)  # each worker's own memory cache, as `make run`; the scale-out bench uses Redis
        self.env = env
        if self.pg_url:
            _recreate_postgres(self.pg_url)
        manage = [PYTHON, "manage.py"]
        for command in (["compilemessages", "--ignore", ".venv", "--ignore", "node_modules", "-v0"],
                        ["collectstatic", "--no-input", "-v0"], ["migrate", "--no-input", "-v0"],
                        ["import_kb", "-v0"]):
            subprocess.run(manage + command, cwd=self.app_dir, env=env, check=True, stdout=subprocess.DEVNULL)
        subprocess.run(manage + ["shell", "--no-imports", "-c", _STAFF_USER], cwd=self.app_dir, env=env, check=True)
        self.process = subprocess.Popen(
            [str(Path(PYTHON).parent / "gunicorn"), "portal.wsgi:application", "--bind", f"127.0.0.1:{self.port}",
             "--workers", "2", "--log-level", "warning"], cwd=self.app_dir, env=env)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if requests.get(self.base + "/healthz", timeout=10).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.5)
        self.__exit__(None, None, None)
        raise RuntimeError(f"gunicorn did not answer /healthz (exit status {self.process.returncode})")

    def __exit__(self, *exc) -> None:
        if self.process:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        shutil.rmtree(self.folder, ignore_errors=True)


_STAFF_USER = """
from django.contrib.auth.models import Group, User
from portal.staff.access import SUPPORT_GROUP
user, _ = User.objects.get_or_create(username="bench-support", defaults={"is_staff": True})
user.is_staff = True
user.set_password("bench-support-password")
user.save()
user.groups.add(Group.objects.get(name=SUPPORT_GROUP))
"""


def _postgres_reachable(url: str) -> bool:
    import psycopg

    try:
        with psycopg.connect(_maintenance_url(url), connect_timeout=3):
            return True
    except psycopg.Error:
        return False


def _maintenance_url(url: str) -> str:
    return url.rsplit("/", 1)[0] + "/postgres"


def _recreate_postgres(url: str) -> None:
    import psycopg
    from psycopg import sql

    name = url.rsplit("/", 1)[1].split("?")[0]
    with psycopg.connect(_maintenance_url(url), autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _redact(url: str) -> str:
    return re.sub(r"//[^@/]*@", "//", url)


# What wrk runs ---------------------------------------------------------------------------------------------------


def bench_pages(site: Site, seconds: int, pairs: int) -> list[dict]:
    http = requests.Session()
    home = http.get(site.base + "/it/")
    home.raise_for_status()
    css = re.search(r'href="(/static/css/[^"]+\.css)"', home.text).group(1)
    # What a browser sends with a form of the site's own page: the public forms hold no CSRF token, the views
    # check where a POST comes from (portal/crossorigin.py).
    browser = {"Origin": site.base, "Sec-Fetch-Site": "same-origin"}
    start = http.post(site.base + "/it/guide/blocked-number/", headers=browser, allow_redirects=False)
    assert start.status_code == 303, start.status_code
    # Through the first step to the first question (the guide opens with an information step).
    path = start.headers["Location"]
    for _ in range(5):
        page = http.get(site.base + path).text
        radio = re.search(r'type="radio" name="answer" id="[^"]+" value="([^"]+)"', page)
        if radio:
            break
        moved = http.post(site.base + path, data={"answer": "continue"}, headers=browser, allow_redirects=False)
        assert moved.status_code == 303, moved.status_code
        path = moved.headers["Location"]
    question, answer = path, radio.group(1)
    step = site.base + question
    walk_cookie = "; ".join(f"{c.name}={c.value}" for c in http.cookies)
    check = requests.post(step, data={"answer": answer}, headers={"Cookie": walk_cookie, **browser},
                          allow_redirects=False)
    assert check.status_code == 303, f"answer POST: {check.status_code}"

    staff = requests.Session()
    login = staff.get(site.base + "/admin/login/")
    staff.post(site.base + "/admin/login/?next=/admin/", data={
        "username": "bench-support", "password": "bench-support-password",
        "csrfmiddlewaretoken": staff.cookies["csrftoken"], "next": "/admin/"}, headers={"Referer": login.url})
    staff_cookie = "; ".join(f"{c.name}={c.value}" for c in staff.cookies)
    dashboard = staff.get(site.base + "/it/staff/dashboard/", allow_redirects=False)
    assert dashboard.status_code == 200, f"staff dashboard: {dashboard.status_code}"

    lua = site.folder / "answer.lua"
    lua.write_text(
        'wrk.method = "POST"\n'
        f'wrk.body = "answer={answer}"\n'
        'wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\n'
        f'wrk.headers["Cookie"] = "{walk_cookie}"\n'
        f'wrk.headers["Origin"] = "{site.base}"\n'
        'wrk.headers["Sec-Fetch-Site"] = "same-origin"\n'
        'function response(status, headers, body)\n'
        '  if status ~= 303 then wrk.thread:stop() end\n'
        'end\n'
    )
    pages = [
        ("static file (CSS)", css, {}),
        ("home", "/it/", {}),
        ("article", "/it/articles/fare-ricorso/", {}),
        ("search", "/it/search/?q=ricorso", {}),
        ("step GET, walk", question, {"cookie": walk_cookie}),
        ("step GET, cold", "/it/guide/blocked-number/reason/", {}),
        ("answer POST → 303", question, {"script": lua}),
        ("staff dashboard", "/it/staff/dashboard/", {"cookie": staff_cookie}),
    ]
    rows = []
    baselines = []
    for name, path, options in pages:
        runs, ratios = [], []
        for _ in range(pairs):
            base = wrk(site.base + "/healthz", seconds)
            run = wrk(site.base + path, seconds, **options)
            baselines.append(base)
            runs.append(run)
            ratios.append(run.rps / base.rps if base.rps else 0)
        row = {"page": name, "rps": statistics.median(r.rps for r in runs),
               "p50": statistics.median(r.p50 for r in runs), "p99": statistics.median(r.p99 for r in runs),
               "ratio": statistics.median(ratios), "budget": BUDGETS.get(name)}
        rows.append(row)
        print(f"{name:<22} {row['rps']:>8.0f} req/s  p50 {row['p50']:>7.1f} ms  p99 {row['p99']:>7.1f} ms  "
              f"ratio {row['ratio']:.2f}" + (f" (budget ≥ {row['budget']:.2f})" if row["budget"] else ""),
              flush=True)
    rows.insert(0, {"page": "/healthz (baseline)", "rps": statistics.median(b.rps for b in baselines),
                    "p50": statistics.median(b.p50 for b in baselines),
                    "p99": statistics.median(b.p99 for b in baselines), "ratio": 1.0, "budget": None})
    return rows


def wrk(url: str, seconds: int, cookie: str = "", script: Path | None = None) -> Run:
    command = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", "-H", f"Accept-Encoding: {ENCODING}"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    if script:
        command += ["-s", str(script)]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        print(f"  ! {url}: {non_2xx.group(1)} responses were errors", file=sys.stderr)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    return Run(rps=rps, p50=_ms(re.search(r"\s50%\s+([\d.]+\w+)", output).group(1)),
               p99=_ms(re.search(r"\s99%\s+([\d.]+\w+)", output).group(1)))


def _ms(text: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def bench_light_walkers(site: Site, walkers: int, seconds: int) -> dict:
    """`walkers` walkers at once for `seconds` through wrk and bench/walk.lua (bench/lightwalk.py), with the CPU
    gunicorn's workers used meanwhile (the client's own comes from lightwalk)."""
    import lightwalk  # bench/, this script's folder

    print(f"\n{walkers} walkers at once, {seconds} s, wrk + bench/walk.lua (load average {_load()})", flush=True)
    workers = _children(site.process.pid)
    before = _cpu_seconds(workers)
    try:
        summary = lightwalk.walk(site.base, walkers=walkers, seconds=seconds)
    except (RuntimeError, OSError, requests.RequestException) as error:
        summary = {"ok": False, "messages": str(error)}
    summary["server_cpu_s"] = round(_cpu_seconds(workers) - before, 2)
    summary["load"] = _load()
    for message in summary.get("messages", "").splitlines():
        print(f"  ! {message}", file=sys.stderr)
    print({k: v for k, v in summary.items() if k != "messages"}, flush=True)
    return summary


def bench_walkers(site: Site, walks: int, concurrency: int) -> dict:
    """bench/load.py's Python walkers with --compare: the database must hold exactly the answers they gave."""
    import json

    print(f"\n{walks} walks, {concurrency} Python walkers at once, --compare (load average {_load()})", flush=True)
    result = subprocess.run([PYTHON, str(ROOT / "bench" / "load.py"), "--walks", str(walks), "--concurrency",
                             str(concurrency), "--base-url", site.base, "--quiet", "--timeout", "120", "--compare"],
                            capture_output=True, text=True, env=site.env, cwd=ROOT)
    lines = result.stdout.strip().splitlines()
    summary = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}
    summary.update(concurrency=concurrency, exit=result.returncode)
    if result.returncode:
        print(result.stderr.strip()[-3000:], file=sys.stderr)
    print(summary, flush=True)
    return summary


def _children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds of these processes so far (Linux /proc; 0 elsewhere)."""
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / ticks


# The report -------------------------------------------------------------------------------------------------------


def _load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def _page_table(database: str, rows: list[dict], seconds: int, pairs: int) -> str:
    lines = [f"**{database}** (wrk -t2 -c16, {seconds} s a run, {pairs} page / `/healthz` pairs, load average at "
             f"the end {_load()})", "",
             "| page | req/s | p50 | p99 | share of `/healthz` (median) | budget | met |", "|---|---|---|---|---|---|---|"]
    for row in rows:
        budget = f"≥ {row['budget']:.2f}" if row["budget"] else "–"
        met = ("yes" if row["ratio"] >= row["budget"] else "**no**") if row["budget"] else "–"
        lines.append(f"| {row['page']} | {row['rps']:,.0f} | {row['p50']:.1f} ms | {row['p99']:.1f} ms | "
                     f"{row['ratio']:.2f} | {budget} | {met} |")
    return "\n".join(lines) + "\n"


#: The issue's budget for one request's p95 with 200 walkers at once.
WALKER_P95_MS = 300


def _walker_lines(database: str, light: dict, checked: dict) -> str:
    lines = []
    if "p95_ms" in light:
        seconds = light.get("seconds") or 1
        met = "yes" if light["ok"] and light["p95_ms"] < WALKER_P95_MS else "**no**"
        lines += [
            f"**{light['walkers']} walkers at once** ({database}; wrk + bench/walk.lua, {seconds:.0f} s, load average "
            f"at the end {light['load']}):", "",
            "| requests/s | p50 | p95 | p99 | max | walks finished | answers | errors | client CPU | gunicorn CPU |"
            " p95 budget | met |", "|---|---|---|---|---|---|---|---|---|---|---|---|",
            f"| {light['requests_per_second']:,.0f} | {light['p50_ms']:.1f} ms | {light['p95_ms']:.1f} ms | "
            f"{light['p99_ms']:.1f} ms | {light['max_ms']:.1f} ms | {light['outcomes']:,} | {light['answers']:,} | "
            f"{light['errors'] + light['status_errors'] + light['socket_errors']} | "
            f"{light['client_cores']:.2f} cores | {light['server_cpu_s'] / seconds:.2f} cores | "
            f"< {WALKER_P95_MS} ms | {met} |", ""]
        if light.get("messages"):
            lines += ["Errors the walkers saw (the first few):", "", "```", light["messages"].strip(), "```", ""]
    else:
        lines += [f"**200 walkers at once** ({database}): did not run: {light.get('messages', '?')}", ""]
    database_check = checked.get("database", {})
    latency = checked.get("latency_ms", {})
    if not checked.get("walks"):
        return "\n".join(lines + [f"**Database check** ({database}; bench/load.py --compare): did not run "
                                   f"(exit {checked.get('exit')}).", ""])
    lines += [f"**Database check** ({database}; bench/load.py --compare, {checked.get('walks')} walks, "
              f"{checked.get('concurrency')} Python walkers at once): {checked.get('finished')} finished, "
              f"{checked.get('errors')} errors, {database_check.get('answered_events')} answers recorded, "
              f"{database_check.get('problems')} differences from what the walkers posted; one request p95 "
              f"{latency.get('p95')} ms as the Python client saw it.", ""]
    return "\n".join(lines)


def _report(args, sections, flows, seconds, pairs, minutes: float) -> str:
    when = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    label = f" — {args.label}" if args.label else ""
    parts = [f"### Run of {when}{label}{' (quick)' if args.quick else ''}", "",
             f"The whole run took {minutes:.1f} min.", "", *sections]
    parts += ["**Flow validation** (bench/flow_scale.py, CPU time):", "", flows.strip(), ""]
    return "\n".join(parts)


def _write(path: Path, report: str) -> None:
    """Replaces the bench:pages section with this run, followed by the run that was there (for comparison)."""
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    previous = ""
    if START in text and END in text:
        head, rest = text.split(START, 1)
        old, tail = rest.split(END, 1)
        if "### Run of" in old:
            previous = "### Run of" + old.split("### Run of", 1)[1].split(PREVIOUS, 1)[0]
    else:
        head, tail = text.rstrip() + "\n\n", "\n"
    section = [INTRO, "", report.strip(), ""]
    if previous.strip():
        section += [PREVIOUS, "", previous.strip().replace("### Run of", "Run of", 1), ""]
    path.write_text(head + START + "\n" + "\n".join(section) + END + tail)
    print(f"wrote {path}")


INTRO = ("## Pages (`make bench`: bench/pages.py)\n\nWritten by `make bench`. Time goals are never tests; query "
         "counts and sizes are (tests/perf/).")
PREVIOUS = "#### The run before"


if __name__ == "__main__":
    sys.exit(main())
