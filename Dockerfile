# Production image: gunicorn behind your HTTPS proxy, PostgreSQL through DATABASE_URL.
# Static files are collected and messages compiled at build time, as an unprivileged user runs the app.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update && apt-get install -y --no-install-recommends gettext && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .

# Build-time settings only: the real secret and hosts come from the environment at run time.
RUN DJANGO_SECRET_KEY=build-only-not-secret-build-only-not-secret-build-only DJANGO_ALLOWED_HOSTS=localhost \
      python manage.py compilemessages --ignore .venv --ignore node_modules -v0 \
 && DJANGO_SECRET_KEY=build-only-not-secret-build-only-not-secret-build-only DJANGO_ALLOWED_HOSTS=localhost \
      python manage.py collectstatic --no-input -v0 \
 && useradd --system --uid 1001 portal && chown -R portal /app
USER portal

EXPOSE 8000
# Run `python manage.py migrate && python manage.py import_kb` once per release (a release job), not here.
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
