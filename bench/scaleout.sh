#!/usr/bin/env bash
# Scale-out on real parts, on this machine: two gunicorn instances (production settings) sharing one PostgreSQL
# database and one Redis, behind HAProxy (deploy/haproxy.cfg, the same file compose.yaml uses). Runs the walker
# load (bench/load.py) through the balancer, stops instance 1 (SIGTERM, as a restart does) once a fifth of the walks
# are done, starts it again as soon as the balancer has seen it go, checks that it serves again, then compares the
# database with what the clients saw. Passes only with 0 client errors, 0 walks lost, 0 events lost or duplicated.
#
#   bench/scaleout.sh                                # full size: 2,000 walks, 200 at a time
#   SCALEOUT_WALKS=120 SCALEOUT_CONCURRENCY=20 bench/scaleout.sh   # CI's size
#
# Everything is overridable from the environment (defaults in brackets):
#   SCALEOUT_LB_PORT [8780]  SCALEOUT_APP_PORTS ["8781 8782"]  SCALEOUT_WALKS [2000]  SCALEOUT_CONCURRENCY [200]
#   SCALEOUT_DATABASE [portal_scaleout]: a PostgreSQL database on SCALEOUT_PG_URL [postgres://postgres@127.0.0.1:5432],
#     dropped and created afresh (never point it at a database you keep)
#   SCALEOUT_REDIS_URL [redis://127.0.0.1:6379/0], SCALEOUT_CACHE_PREFIX [scaleout-<random>]
#   SCALEOUT_WORKERS [2] gunicorn workers per instance
# Needs: make setup done (.venv), PostgreSQL and Redis running; installs HAProxy from Debian if it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

LB_PORT="${SCALEOUT_LB_PORT:-8780}"
read -r -a APP_PORTS <<<"${SCALEOUT_APP_PORTS:-8781 8782}"
WALKS="${SCALEOUT_WALKS:-2000}"
CONCURRENCY="${SCALEOUT_CONCURRENCY:-200}"
PG_URL="${SCALEOUT_PG_URL:-postgres://postgres@127.0.0.1:5432}"
DATABASE="${SCALEOUT_DATABASE:-portal_scaleout}"
REDIS_URL_="${SCALEOUT_REDIS_URL:-redis://127.0.0.1:6379/0}"
CACHE_PREFIX="${SCALEOUT_CACHE_PREFIX:-scaleout-$$}"
WORKERS="${SCALEOUT_WORKERS:-2}"
[ "${#APP_PORTS[@]}" -eq 2 ] || { echo "SCALEOUT_APP_PORTS: two ports (deploy/haproxy.cfg has two servers)"; exit 2; }

if ! command -v haproxy >/dev/null; then
  echo "installing HAProxy from Debian"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy
fi
command -v psql >/dev/null || { echo "psql is missing (apt-get install -y postgresql-client)"; exit 2; }

RUN="$(mktemp -d)"
declare -A APP_PID=()
HAPROXY_PID=""
LOAD_PID=""
cleanup() {
  [ -n "$LOAD_PID" ] && kill "$LOAD_PID" 2>/dev/null
  for pid in "${APP_PID[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -n "$HAPROXY_PID" ] && kill "$HAPROXY_PID" 2>/dev/null
  wait 2>/dev/null || true
  if [ -n "${KEEP_RUN_DIR:-}" ]; then echo "logs kept in $RUN"; else rm -rf "$RUN"; fi
}
trap cleanup EXIT

# Production settings, plain HTTP on the loopback; the cache in Redis, shared by both instances.
export DJANGO_SECRET_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(60))')"
export DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost DATABASE_URL="$PG_URL/$DATABASE"
export DJANGO_SECURE_SSL_REDIRECT=0 DJANGO_SECURE_COOKIES=0 DJANGO_HSTS_SECONDS=0 DJANGO_LOG_LEVEL=WARNING
export DJANGO_CACHE_URL="$REDIS_URL_" DJANGO_CACHE_KEY_PREFIX="$CACHE_PREFIX"
unset DJANGO_DEBUG REDIS_URL

echo "== database $DATABASE (fresh), Redis $REDIS_URL_ prefix $CACHE_PREFIX"
psql -q "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS \"$DATABASE\" WITH (FORCE)" -c "CREATE DATABASE \"$DATABASE\""
.venv/bin/python manage.py collectstatic --no-input -v0
.venv/bin/python manage.py migrate --no-input -v0
.venv/bin/python manage.py import_kb -v0 >/dev/null

start_app() {  # $1: instance number (1-based)
  local port="${APP_PORTS[$(($1 - 1))]}"
  .venv/bin/gunicorn portal.wsgi:application --bind "127.0.0.1:$port" --workers "$WORKERS" \
    --access-logfile "$RUN/app$1.access.log" --error-logfile "$RUN/app$1.error.log" </dev/null &
  APP_PID[$1]=$!
  for _ in $(seq 1 60); do
    curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && return 0
    sleep 0.5
  done
  echo "instance $1 never answered"; tail -20 "$RUN/app$1.error.log"; exit 1
}
echo "== gunicorn × 2 on ${APP_PORTS[*]}, $WORKERS workers each"
start_app 1
start_app 2

# /readyz (database and cache checked) is the health check; a build without it falls back to /healthz, loudly.
HEALTH_PATH=/readyz
if ! curl -fsS -o /dev/null "http://127.0.0.1:${APP_PORTS[0]}/readyz" 2>/dev/null; then
  echo "WARNING: /readyz does not answer 200 here; the balancer checks /healthz instead"
  HEALTH_PATH=/healthz
fi

echo "== HAProxy on $LB_PORT (health check $HEALTH_PATH)"
export PORTAL_LB_BIND="127.0.0.1:$LB_PORT" PORTAL_APP1="127.0.0.1:${APP_PORTS[0]}" PORTAL_APP2="127.0.0.1:${APP_PORTS[1]}"
export PORTAL_HEALTH_PATH="$HEALTH_PATH" PORTAL_HEALTH_HOST=localhost HAPROXY_STATS_SOCKET="$RUN/haproxy.sock"
export PORTAL_APP_MAXCONN="$WORKERS"
haproxy -c -q -f deploy/haproxy.cfg
haproxy -f deploy/haproxy.cfg -db >"$RUN/haproxy.log" 2>&1 </dev/null &
HAPROXY_PID=$!
for _ in $(seq 1 50); do [ -S "$RUN/haproxy.sock" ] && break; sleep 0.1; done

server_status() {  # the balancer's view of app$1: UP, DOWN, ...
  .venv/bin/python - "$RUN/haproxy.sock" "app$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(b"show stat\n")
data = b""
while chunk := s.recv(65536):
    data += chunk
rows = [line.split(",") for line in data.decode().splitlines() if line and not line.startswith("#")]
print(next((r[17] for r in rows if r[0] == "app" and r[1] == sys.argv[2]), "?"))
PY
}
wait_status() {  # $1 instance, $2 wanted status, $3 seconds
  for _ in $(seq 1 $(($3 * 5))); do
    [ "$(server_status "$1")" = "$2" ] && return 0
    sleep 0.2
  done
  echo "app$1 is $(server_status "$1") after $3 s, not $2"; return 1
}
wait_status 1 UP 30
wait_status 2 UP 30

echo "== $WALKS walks, $CONCURRENCY at a time, through the balancer"
.venv/bin/python bench/load.py --walks "$WALKS" --concurrency "$CONCURRENCY" --base-url "http://127.0.0.1:$LB_PORT" \
  --compare --json "$RUN/load.json" >"$RUN/load.out" 2>"$RUN/load.err" &
LOAD_PID=$!

walks_done() { { grep -o '[0-9]*/[0-9]* walks done' "$RUN/load.err" || echo 0/0; } | tail -1 | cut -d/ -f1; }
until [ "$(walks_done)" -ge $((WALKS / 5)) ]; do
  kill -0 "$LOAD_PID" 2>/dev/null || { echo "the load ended before the stop"; break; }
  sleep 0.2
done

echo "== $(walks_done)/$WALKS walks done: stopping instance 1 (SIGTERM)"
kill -TERM "${APP_PID[1]}"
wait "${APP_PID[1]}" 2>/dev/null || true
wait_status 1 DOWN 30
echo "   the balancer sees app1 DOWN at $(walks_done)/$WALKS walks; starting it again"
served() { grep -vc "GET $HEALTH_PATH\"" "$RUN/app$1.access.log" || true; }  # requests, health checks left out
before_restart=$(served 1)
start_app 1
wait_status 1 UP 30
echo "   app1 UP again at $(walks_done)/$WALKS walks"

set +e
wait "$LOAD_PID"
status=$?
set -e
LOAD_PID=""
cat "$RUN/load.err" | grep -v 'walks done' || true
echo "== result"
cat "$RUN/load.out"

retried=$(grep -Ec 'retries=\+?[1-9]' "$RUN/haproxy.log" || true)
echo "balancer: $(wc -l <"$RUN/haproxy.log") requests, $retried sent again to a server after a failed attempt"
after_restart=$(($(served 1) - before_restart))
app2_requests=$(served 2)
echo "requests served: app1 $(served 1) (after its restart: $after_restart), app2 $app2_requests"
failed=0
if [ "$status" -ne 0 ]; then echo "FAIL: clients saw errors or the database does not match (see above)"; failed=1; fi
if [ "$after_restart" -eq 0 ]; then echo "FAIL: app1 served nothing after its restart"; failed=1; fi
if [ "$app2_requests" -eq 0 ]; then echo "FAIL: app2 served nothing"; failed=1; fi
if grep -Eq '([0-9]{1,3}\.){3}[0-9]{1,3}' "$RUN"/app*.access.log "$RUN/haproxy.log"; then
  echo "FAIL: an IP address in a log:"; grep -Em3 '([0-9]{1,3}\.){3}[0-9]{1,3}' "$RUN"/app*.access.log "$RUN/haproxy.log"; failed=1
fi
[ "$failed" -eq 0 ] && echo "scale-out: 0 errors seen by clients, 0 walks lost, 0 events lost or duplicated, instance 1 stopped and back"
exit "$failed"
