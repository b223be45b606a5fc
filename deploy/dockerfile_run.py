"""Runs every step of the Dockerfile outside a container, the way CI does (no container engine runs there).

Reads the Dockerfile and carries out each instruction in a fresh folder that stands for the image:
  FROM python:X.Y-slim  a new virtualenv of Python X.Y (its bin/ first on PATH: `pip`, `python`, `gunicorn`)
  ENV                   set for every later step
  WORKDIR / COPY        the folder; COPY copies the files git tracks, less .dockerignore
  RUN                   run with bash, the WORKDIR path replaced by the folder (apt-get needs root, as in CI)
  USER                  the user must exist; CMD and HEALTHCHECK then run as that user (when run as root)
  EXPOSE                the port CMD must listen on
  CMD                   started with run-time settings (a SQLite database in the folder, migrate + import_kb as the
                        release step), on --port (default: the EXPOSE port) on the loopback
  HEALTHCHECK           its CMD must succeed against the running CMD; then a few pages are fetched and the
                        access log must hold no IP address
Any other instruction fails the run, so a step added to the Dockerfile cannot go unexercised.

    python3 deploy/dockerfile_run.py [--port 8000] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IP = re.compile(r"(?<![\d.])(\d{1,3}\.){3}\d{1,3}(?![\d.])")
SUPPORTED = {"FROM", "ENV", "RUN", "WORKDIR", "COPY", "USER", "EXPOSE", "HEALTHCHECK", "CMD"}


@dataclass(frozen=True)
class Instruction:
    keyword: str
    argument: str
    line: int


def parse(text: str) -> list[Instruction]:
    """The Dockerfile's instructions, continuation lines joined, comments left out."""
    instructions: list[Instruction] = []
    buffer, start = "", 0
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not buffer and (not line or line.startswith("#")):
            continue
        if buffer and line.startswith("#"):
            continue
        if not buffer:
            start = number
        if line.endswith("\\"):
            buffer += line[:-1] + " "
            continue
        buffer += line
        keyword, _, argument = buffer.partition(" ")
        instructions.append(Instruction(keyword.upper(), argument.strip(), start))
        buffer = ""
    return instructions


def exec_form(argument: str) -> list[str]:
    """CMD ["a", "b"] (exec form) or CMD a b (shell form, run with sh -c)."""
    if argument.startswith("["):
        return json.loads(argument)
    return ["sh", "-c", argument]


def env_pairs(argument: str) -> dict[str, str]:
    words = shlex.split(argument)
    if len(words) == 2 and "=" not in words[0]:  # ENV KEY value
        return {words[0]: words[1]}
    return dict(word.split("=", 1) for word in words)


def healthcheck_command(argument: str) -> list[str]:
    options, _, command = argument.partition("CMD")
    if not command:
        raise SystemExit("HEALTHCHECK without CMD")
    return exec_form(command.strip())


def tracked_files() -> list[str]:
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    ignored = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")]
    names = [name for name in files.decode().split("\0") if name]

    def kept(name: str) -> bool:
        from fnmatch import fnmatch
        return not any(fnmatch(name, pattern) or name.startswith(pattern.rstrip("/") + "/") for pattern in ignored)

    return [name for name in names if kept(name) and (ROOT / name).exists()]


def as_user(user: str | None) -> list[str]:
    if user and os.geteuid() == 0:
        return ["runuser", "-u", user, "--"]
    return []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the Dockerfile's steps without a container engine.")
    parser.add_argument("--port", type=int, help="where CMD listens (default: the Dockerfile's EXPOSE)")
    parser.add_argument("--keep", action="store_true", help="keep the folder afterwards")
    args = parser.parse_args(argv)

    instructions = parse((ROOT / "Dockerfile").read_text())
    unknown = [i for i in instructions if i.keyword not in SUPPORTED]
    if unknown:
        raise SystemExit(f"Dockerfile line {unknown[0].line}: {unknown[0].keyword} is not exercised by this script")

    image = Path(tempfile.mkdtemp(prefix="image-"))
    os.chmod(image, 0o755)
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL", "VIRTUAL_ENV"))}
    image_env: dict[str, str] = {}  # what the image itself sets (ENV), all that CMD and HEALTHCHECK get with run-time settings
    workdir, user, port, server = image, None, None, None
    workdir_path = "/"
    log = image / "gunicorn.log"
    try:
        for step in instructions:
            print(f"--- Dockerfile:{step.line} {step.keyword} {step.argument[:100]}", flush=True)
            if step.keyword == "FROM":
                version = re.match(r"python:(\d+\.\d+)", step.argument)
                if not version:
                    raise SystemExit(f"FROM {step.argument}: only python:X.Y images are supported")
                # The system's interpreter (readable by every user, as in the image), not one under a home folder.
                python = next((p for p in (f"/usr/local/bin/python{version[1]}", f"/usr/bin/python{version[1]}")
                               if os.access(p, os.X_OK)), shutil.which(f"python{version[1]}") or sys.executable)
                subprocess.run([python, "-m", "venv", str(image / "venv")], check=True)
                env["PATH"] = f"{image / 'venv' / 'bin'}:{env['PATH']}"
                found = subprocess.run(["python", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                                       env=env, capture_output=True, text=True, check=True).stdout.strip()
                if found != version[1]:
                    raise SystemExit(f"FROM wants Python {version[1]}, this machine's is {found}")
            elif step.keyword == "ENV":
                env.update(env_pairs(step.argument))
                image_env.update(env_pairs(step.argument))
            elif step.keyword == "WORKDIR":
                workdir_path = step.argument
                workdir = image / step.argument.lstrip("/")
                workdir.mkdir(parents=True, exist_ok=True)
                os.chmod(workdir, 0o755)
            elif step.keyword == "COPY":
                sources, destination = shlex.split(step.argument)[:-1], shlex.split(step.argument)[-1]
                target = workdir if destination in (".", "./") else workdir / destination
                names = tracked_files() if sources == ["."] else sources
                for name in names:
                    (target / name).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(ROOT / name, target / name)
            elif step.keyword == "RUN":
                command = step.argument.replace(workdir_path, str(workdir)) if workdir_path != "/" else step.argument
                subprocess.run(["bash", "-euo", "pipefail", "-c", command], cwd=workdir, env=env, check=True)
            elif step.keyword == "USER":
                user = step.argument
                if subprocess.run(["id", "-u", user], capture_output=True).returncode != 0:
                    raise SystemExit(f"USER {user}: no such user (the Dockerfile must create it)")
                if subprocess.run(["id", "-u", user], capture_output=True, text=True).stdout.strip() == "0":
                    raise SystemExit(f"USER {user} is root")
            elif step.keyword == "EXPOSE":
                port = args.port or int(step.argument.split("/")[0])
            elif step.keyword == "HEALTHCHECK":
                health = healthcheck_command(step.argument)
            elif step.keyword == "CMD":
                command = exec_form(step.argument)

        if user is None:
            raise SystemExit("the Dockerfile never switches to an unprivileged USER")
        # Run time: what an operator sets, on the loopback over plain HTTP, with a release step first.
        env = {"PATH": f"{image / 'venv' / 'bin'}:/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": str(image),
               **image_env}
        env.update({
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(60), "DJANGO_ALLOWED_HOSTS": "localhost,127.0.0.1",
            "DATABASE_URL": f"sqlite:///{image / 'data' / 'db.sqlite3'}", "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SECURE_COOKIES": "0", "DJANGO_HSTS_SECONDS": "0", "GUNICORN_BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": "2",
        })
        (image / "data").mkdir()
        for release in (["python", "manage.py", "migrate", "--no-input", "-v0"], ["python", "manage.py", "import_kb", "-v0"]):
            subprocess.run(release, cwd=workdir, env=env, check=True, stdout=subprocess.DEVNULL)
        if os.geteuid() == 0:
            shutil.chown(image / "data", user)  # the database volume belongs to the app user
            for path in (image / "data").iterdir():
                shutil.chown(path, user)
            writable = subprocess.run([*as_user(user), "test", "-w", str(workdir / "manage.py")]).returncode == 0
            if writable:
                raise SystemExit(f"USER {user} can write the app's code")
        print(f"--- CMD {' '.join(command)} (as {user}, on 127.0.0.1:{port})", flush=True)
        with log.open("w") as out:
            server = subprocess.Popen([*as_user(user), "env", "-i", *[f"{k}={v}" for k, v in env.items()], *command],
                                      cwd=workdir, stdout=out, stderr=subprocess.STDOUT)
        for _ in range(120):
            if server.poll() is not None:
                raise SystemExit(f"CMD exited with {server.returncode}:\n{log.read_text()[-3000:]}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        else:
            raise SystemExit("CMD never answered /healthz")
        print(f"--- HEALTHCHECK {' '.join(health)}", flush=True)
        checked = subprocess.run([*as_user(user), "env", "-i", *[f"{k}={v}" for k, v in env.items()], *health],
                                 cwd=workdir)
        if checked.returncode != 0:
            raise SystemExit(f"HEALTHCHECK failed (exit {checked.returncode}); gunicorn's log:\n{log.read_text()[-2000:]}")
        for path in ("/it/", "/en/", "/it/search/?q=mario+rossi+3331234567", "/static/css/nope.css"):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10)
            except urllib.error.HTTPError:
                pass
        time.sleep(0.5)
        access = [line for line in log.read_text().splitlines() if '"GET ' in line]
        if len(access) < 4:
            raise SystemExit("the access log does not record requests:\n" + log.read_text()[-2000:])
        leaks = [line for line in access if IP.search(line) or "3331234567" in line]
        if leaks:
            raise SystemExit("the access log records client addresses or query strings:\n" + "\n".join(leaks[:5]))
        print(f"Dockerfile: {len(instructions)} instructions run; the app served as {user}, healthy, "
              f"{len(access)} access log lines without addresses")
        return 0
    finally:
        if server is not None and server.poll() is None:
            server.terminate()
            server.wait(timeout=30)
        if args.keep:
            print(f"kept {image}")
        else:
            shutil.rmtree(image, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
