# Production image: gunicorn (settings in gunicorn.conf.py) behind HAProxy or your HTTPS proxy, PostgreSQL through
# DATABASE_URL, Redis through DJANGO_CACHE_URL. Messages are compiled and static files collected at build time; the
# app runs as an unprivileged user that cannot write to its own code. No container engine runs in CI: every step
# below is run there outside a container by deploy/dockerfile_run.py (tests/test_dockerfile.py keeps the two in step).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 GUNICORN_BIND=0.0.0.0:8000 WEB_CONCURRENCY=3
RUN apt-get update && apt-get install -y --no-install-recommends gettext && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .

# Build-time settings only: the real secret and hosts come from the environment at run time.
RUN DJANGO_SECRET_KEY=build-only-not-secret-build-only-not-secret-build-only DJANGO_ALLOWED_HOSTS=localhost python manage.py compilemessages --ignore .venv --ignore node_modules -v0
RUN DJANGO_SECRET_KEY=build-only-not-secret-build-only-not-secret-build-only DJANGO_ALLOWED_HOSTS=localhost python manage.py collectstatic --no-input -v0
RUN id -u portal >/dev/null 2>&1 || useradd --system --no-create-home --uid 10001 --shell /usr/sbin/nologin portal
USER portal

EXPOSE 8000
# /readyz: 200 only when the database (and the cache, if configured) answer. The check sends a Host header from
# DJANGO_ALLOWED_HOSTS.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 CMD ["python", "deploy/healthcheck.py"]
# Run `python manage.py migrate && python manage.py import_kb` once per release (a release job), not here.
CMD ["gunicorn", "portal.wsgi:application"]
