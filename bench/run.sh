#!/usr/bin/env bash
# Throughput of the portal's pages against /healthz (no template, no database), with production settings under
# gunicorn on the loopback. Prints each page's requests/second and its ratio to the baseline; a ratio, not an
# absolute number, is what compares across machines. Usage: bench/run.sh [seconds per run, default 5]
# Needs: make setup done (.venv), wrk (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN="${1:-5}"
PORT=8766
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk"; exit 1; }

RUN_DIR="$(mktemp -d)"
cleanup() { [ -n "${PID:-}" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$RUN_DIR"; }
trap cleanup EXIT
export DJANGO_SECRET_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(60))')"
export DJANGO_ALLOWED_HOSTS=127.0.0.1 DATABASE_URL="sqlite:///$RUN_DIR/db.sqlite3"
export DJANGO_SECURE_SSL_REDIRECT=0 DJANGO_SECURE_COOKIES=0 DJANGO_HSTS_SECONDS=0 DJANGO_LOG_LEVEL=WARNING
.venv/bin/python manage.py collectstatic --no-input -v0
.venv/bin/python manage.py migrate --no-input -v0
.venv/bin/python manage.py import_kb -v0 >/dev/null
.venv/bin/gunicorn portal.wsgi:application --bind "127.0.0.1:$PORT" --workers 2 --log-level warning &
PID=$!
for _ in $(seq 1 60); do curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.5; done

rps() { wrk -t2 -c16 -d"${SECONDS_PER_RUN}s" "http://127.0.0.1:$PORT$1" | awk '/Requests\/sec/ {print $2}'; }

# A step page needs a walk: wrk sends no cookie, so each request is a deep link that starts a tracked session
# (the heaviest case: a session row, an event, the session save).
PAGES=(/it/ /it/articles/fare-ricorso/ /it/search/?q=bloccato /it/guide/blocked-number/reason/)
printf '%-40s %10s %8s\n' page "req/s" ratio
for page in "${PAGES[@]}"; do
  base=$(rps /healthz)  # alternate baseline and page, so drift on a shared machine hits both
  value=$(rps "$page")
  printf '%-40s %10s %8s\n' "$page" "$value" "$(awk -v a="$value" -v b="$base" 'BEGIN {printf "%.3f", a / b}')"
done
