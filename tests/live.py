"""The site under gunicorn, for tests that need real concurrency or the real WSGI entry point (portal/wsgi.py).

Ports: from PORTAL_TEST_PORTS ("9000-9049") when set, else one the operating system picks, so parallel runs of the
suite on one machine never collide.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)
GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port() -> int:
    wanted = os.environ.get("PORTAL_TEST_PORTS", "")
    candidates = range(int(wanted.split("-")[0]), int(wanted.split("-")[1]) + 1) if "-" in wanted else [0]
    for port in candidates:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError(f"no free port in PORTAL_TEST_PORTS={wanted}")


def server_env(database_url: str, *, production: bool = False, **extra: str) -> dict[str, str]:
    """Development settings, or production ones (DEBUG off, so the site's own error handlers answer) on plain HTTP."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(DJANGO_SETTINGS_MODULE="portal.settings", DJANGO_DEBUG="0" if production else "1",
               DATABASE_URL=database_url, DJANGO_ALLOWED_HOSTS="127.0.0.1",
               DJANGO_SECRET_KEY="test-only-live-server-key-0123456789abcdefghijklmnopqrstuvwxyz")
    if production:
        env.update(DJANGO_SECURE_SSL_REDIRECT="0", DJANGO_SECURE_COOKIES="0", DJANGO_HSTS_SECONDS="0")
    env.update(extra)
    return env


def collect_static() -> None:
    """Production settings serve the hashed static files from STATIC_ROOT: collect them (as the deploy does)."""
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT, check=True,
                   env=server_env("sqlite://:memory:", production=True), capture_output=True, timeout=300)


def shared_database_url() -> str:
    """The database the test itself uses, for a server that must see the test's rows (PostgreSQL only)."""
    db = connection.settings_dict
    assert connection.vendor == "postgresql", "an in-memory SQLite test database cannot be shared with a server"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def sqlite_database(directory: Path) -> str:
    """A fresh SQLite file, migrated and with kb/ imported, as `make run` prepares it."""
    url = f"sqlite:///{directory / 'db.sqlite3'}"
    for command in (["migrate", "--no-input", "-v0"], ["import_kb", "-v0"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=server_env(url), check=True,
                       capture_output=True, timeout=300)
    return url


@contextlib.contextmanager
def gunicorn(database_url: str, *, workers: int = 2, threads: int = 8, production: bool = False, **extra_env: str):
    """Serve portal.wsgi on a free port; yields the base URL."""
    port = free_port()
    log = tempfile.NamedTemporaryFile("w+", prefix="gunicorn-", suffix=".log")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [str(GUNICORN), "portal.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--threads", str(threads), "--graceful-timeout", "2", "--error-logfile", "-"],
        cwd=ROOT, env=server_env(database_url, production=production, **extra_env), stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(f"gunicorn did not start:\n{log.read()[-3000:]}")
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
