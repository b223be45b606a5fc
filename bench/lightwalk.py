"""The light walker: many walkers at once through wrk and bench/walk.lua, so the client costs the machine little and a
single request's latency is the server's (bench/load.py's Python walkers, on the same two cores, measured mostly
themselves at 200 at once).

    .venv/bin/python bench/lightwalk.py --base-url http://127.0.0.1:8000 --walkers 200 --seconds 20

One wrk thread and one connection per walker (`-t N -c N`): wrk keeps a Lua state per thread, so each walker has its
own cookies and page (bench/walk.lua says what a walker does and what counts as an error). Prints one JSON line:
single requests' p50/p95/p99 (wrk's own latency record), requests/s, walks finished, errors (the first few, with
what went wrong), and the CPU the client itself used (wrk's user + system time, from wait4). Exit status 0 only when
walks finished and nothing went wrong. Needs wrk (apt-get install -y wrk; .ci/run installs it).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import requests

SCRIPT = Path(__file__).resolve().parent / "walk.lua"
GUIDE = "blocked-number"


def first_steps(base_url: str, locales: list[str], guide: str = GUIDE) -> list[str]:
    """The guide's first step in each language (the path /<locale>/guide/<guide>/ redirects to)."""
    paths = []
    for locale in locales:
        response = requests.get(f"{base_url}/{locale}/guide/{guide}/", allow_redirects=False, timeout=30)
        if response.status_code not in (301, 302) or "Location" not in response.headers:
            raise RuntimeError(f"/{locale}/guide/{guide}/ answered {response.status_code}, not a redirect to a step")
        paths.append(urlsplit(response.headers["Location"]).path)
    return paths


def walk(base_url: str, *, walkers: int = 200, seconds: float = 20, starts: list[str] | None = None,
         timeout: float = 10) -> dict:
    """Runs bench/walk.lua with `walkers` walkers for `seconds` against `base_url`; returns its summary with the
    client's CPU seconds and share of one core (`client_cpu_s`, `client_cores`) and `ok`."""
    if not shutil.which("wrk"):
        raise FileNotFoundError("wrk is missing: apt-get install -y wrk")
    starts = starts or first_steps(base_url, ["it", "en"])
    command = ["wrk", f"-t{walkers}", f"-c{walkers}", f"-d{max(1, round(seconds))}s", f"--timeout={timeout:g}s",
               "-s", str(SCRIPT), base_url.rstrip("/"), "--", *starts]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        began = time.monotonic()
        process = subprocess.Popen(command, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        wall = time.monotonic() - began
        out.seek(0), err.seek(0)
        stdout, stderr = out.read(), err.read()
    line = next((line for line in stdout.splitlines() if line.startswith("WALK-JSON ")), None)
    if process.returncode != 0 or line is None:
        raise RuntimeError(f"wrk exited with {process.returncode}: {(stderr or stdout).strip()[-2000:]}")
    summary = json.loads(line.removeprefix("WALK-JSON "))
    cpu = usage.ru_utime + usage.ru_stime
    summary.update(walkers=walkers, client_cpu_s=round(cpu, 2), client_cores=round(cpu / wall, 2) if wall else 0)
    summary["ok"] = (summary["errors"] == 0 and summary["status_errors"] == 0 and summary["socket_errors"] == 0
                     and summary["outcomes"] > 0)
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default=os.environ.get("BENCH_BASE_URL", "http://127.0.0.1:8000"))
    parser.add_argument("--walkers", type=int, default=200, help="walkers at once (default 200)")
    parser.add_argument("--seconds", type=float, default=20, help="how long (default 20)")
    parser.add_argument("--start", action="append", dest="starts",
                        help="a first step's path (repeat; default: the guide's first step in it and en)")
    parser.add_argument("--timeout", type=float, default=10, help="seconds before a request counts as timed out")
    args = parser.parse_args(argv)
    summary = walk(args.base_url.rstrip("/"), walkers=args.walkers, seconds=args.seconds, starts=args.starts,
                   timeout=args.timeout)
    for message in summary["messages"].splitlines():
        print(f"  ! {message}", file=sys.stderr)
    print(json.dumps(summary))
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
