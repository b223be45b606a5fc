"""Settings, read from the environment.

Development: DJANGO_DEBUG=1 (the Makefile sets it for `make run` and `make test`).
Production: DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and DATABASE_URL are required; see README "Deploy".
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from portal.operator import operator_from_env

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")


def _dev_secret_key() -> str:
    """A random key kept in a git-ignored file, so development sessions survive a restart."""
    path = BASE_DIR / ".dev-secret-key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=1 for development).")
    SECRET_KEY = _dev_secret_key()

# Key rotation: signatures made with an old key (cookies, password reset links) stay valid while it is listed here.
SECRET_KEY_FALLBACKS = env_list("DJANGO_SECRET_KEY_FALLBACKS")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",  # before staticfiles: runserver serves static files like production
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "simple_history",
    "portal.flows",
    "portal.content",
    "portal.tracking",
    "portal.guide",
    "portal.staff",
    "portal.precheck",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Right after SecurityMiddleware: static files skip everything below.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed (Brotli, else gzip) after everything below has written them; static files come compressed.
    "portal.compression.CompressionMiddleware",
    "portal.middleware.ContentSecurityPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",  # up here so that the edge's 400 pages get it too
    # Inside the four above (so its 400 page gets their headers), before everything that reads input: NUL, control
    # characters and invalid UTF-8 in the path, query, cookies and form bodies never reach sessions, CSRF or views.
    "portal.edge.EdgeMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions (it may read the language from them), before CommonMiddleware (redirects use the prefix).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",  # records who made each admin change
]

CSRF_FAILURE_VIEW = "portal.errors.csrf_failure"

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.site",
            ],
        },
    },
]

# SQLite by default (WAL and a busy timeout, so the tracking writes of parallel requests wait instead of failing);
# PostgreSQL in production through DATABASE_URL. Connections are kept between requests (DJANGO_CONN_MAX_AGE seconds)
# on both: gunicorn's sync workers use one thread each, and a new SQLite connection per request (open, the two
# PRAGMAs, close) cost about half of a cached page (issue #9). In autocommit every statement still sees the latest
# commit of every process (WAL).
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")),
        # A kept connection is checked at a request's first query; the revision token's SELECT, the first query
        # of every page, is that check (content/models.py TextRevision._read_token), so it costs no round trip.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # An unreachable server fails fast: /readyz answers 503 in seconds, and pages do not hang their workers.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = int(
        os.environ.get("DJANGO_DB_CONNECT_TIMEOUT", "5"))
    # Statements run through a server-binding cursor are prepared the first time a connection runs them: only an
    # answer's hot statements (tracking/services.py _prepared_cursor); Django's own cursors bind on the client and
    # never prepare. DJANGO_DB_PREPARED_STATEMENTS=0 for a pooler that cannot keep prepared statements.
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = (
        0 if env_bool("DJANGO_DB_PREPARED_STATEMENTS", True) else None)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis, shared by every app server, when DJANGO_CACHE_URL (or REDIS_URL) is set, e.g. redis://127.0.0.1:6379/0
# (the number is the Redis database); otherwise each process keeps its own local-memory cache. Several sites (or
# several test runs) can share one Redis through DJANGO_CACHE_KEY_PREFIX. Short socket timeouts: a Redis that is down
# makes the cache fail fast (and /readyz say so), never hangs a request.
CACHE_URL = os.environ.get("DJANGO_CACHE_URL") or os.environ.get("REDIS_URL", "")
if CACHE_URL:
    if not CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured("DJANGO_CACHE_URL / REDIS_URL must be a redis://, rediss:// or unix:// URL.")
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": os.environ.get("DJANGO_CACHE_KEY_PREFIX", ""),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    # Per worker. Stored pages (portal/pagecache.py: articles, topics, searches, a step per view state of a walk,
    # each in two languages and as a full page and an htmx part) are about 20 KB each with their compressed forms:
    # Django's default of 300 entries would drop step pages while searches come and go, and a dropped page costs a
    # render and a Brotli-11 pass to store again. 2,000 is about 40 MB per worker; Redis shares one store instead.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                          "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("DJANGO_LOCMEM_MAX_ENTRIES", "2000"))}}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Italian first: the default language and the source of every flow's words.
LANGUAGE_CODE = "it"
LANGUAGES = [("it", _("Italian")), ("en", _("English"))]
# Our interface strings, then the lowercase Italian month and weekday names (site and admin) that override Django's.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "portal" / "formats" / "locale"]
FORMAT_MODULE_PATH = ["portal.formats"]
USE_I18N = True
TIME_ZONE = "Europe/Rome"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "portal.staticfiles.MinifiedStaticFilesStorage"  # whitenoise's, with our CSS minified
        )
    },
}

# Who runs the site (header, footer, the reference-code sentence); see README "Configuration".
OPERATOR = operator_from_env(os.environ)

# The guide's content.
KB_DIR = BASE_DIR / "kb"
FLOWS_DIR = KB_DIR / "flows"
#: The rules of the template pre-check (portal/toolkit/precheck.py), checked at start (precheck.E001).
PRECHECK_RULES = KB_DIR / "precheck" / "rules.toml"

SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
# Tracked guide walks are deleted this many days after they were last used (purge_sessions; the privacy page says so).
TRACKING_RETENTION_DAYS = int(os.environ.get("PORTAL_RETENTION_DAYS", "180"))
# Aggregate counters raised by page views (link opens) wait in each process and are written in one statement at most
# every this many seconds (or once this many different ones wait); a crash loses at most that much (tracking/counts.py).
PORTAL_COUNT_FLUSH_SECONDS = float(os.environ.get("PORTAL_COUNT_FLUSH_SECONDS", "10"))
PORTAL_COUNT_FLUSH_ENTRIES = int(os.environ.get("PORTAL_COUNT_FLUSH_ENTRIES", "500"))
# PostgreSQL: a walk's answer commits without waiting for the disk (synchronous_commit off for that transaction only):
# a crash of the database server may lose the last fraction of a second of answers (tracking/services.py says what
# else it risks and why). PORTAL_TRACKING_ASYNC_COMMIT=0 makes every answer wait for the disk again.
TRACKING_ASYNC_COMMIT = env_bool("PORTAL_TRACKING_ASYNC_COMMIT", True)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Security. Production values unless DEBUG; every one can be overridden for a proxy set-up.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("DJANGO_BEHIND_PROXY") else None
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]  # health checks and the benchmark baseline may come over plain HTTP
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Sent on every response by portal.middleware: only our own scripts and styles, nothing third-party.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

# Development and tests (DJANGO_DEBUG=1) serve static files straight from the apps and static/, no collectstatic.
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_USE_FINDERS = DEBUG

# Search gaps (portal/tracking/searchstats.py): searches are counted in a per-process buffer written in one bulk
# upsert at most every SEARCH_STATS_FLUSH_SECONDS (a crash loses at most that much) or once it holds
# SEARCH_STATS_FLUSH_ENTRIES distinct queries. The readout never shows a query made fewer than
# SEARCH_STATS_MIN_COUNT times in its period.
SEARCH_STATS_FLUSH_SECONDS = float(os.environ.get("SEARCH_STATS_FLUSH_SECONDS", "30"))
SEARCH_STATS_FLUSH_ENTRIES = int(os.environ.get("SEARCH_STATS_FLUSH_ENTRIES", "500"))
SEARCH_STATS_MIN_COUNT = int(os.environ.get("SEARCH_STATS_MIN_COUNT", "3"))
