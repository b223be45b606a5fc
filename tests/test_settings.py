"""Settings come from the environment: safe by default, explicit for development."""

import os
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command

BASE = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL"))}


def settings_of(**env) -> subprocess.CompletedProcess:
    code = ("import json, portal.settings as s; print(json.dumps({'debug': s.DEBUG, 'hosts': s.ALLOWED_HOSTS, "
            "'ssl': s.SECURE_SSL_REDIRECT, 'hsts': s.SECURE_HSTS_SECONDS, 'engine': s.DATABASES['default']['ENGINE'], "
            "'options': s.DATABASES['default'].get('OPTIONS', {}), "
            "'max_age': s.DATABASES['default']['CONN_MAX_AGE']}))")
    return subprocess.run([sys.executable, "-c", code], env={**BASE, **env}, capture_output=True, text=True,
                          cwd=settings.BASE_DIR)


def test_production_needs_a_secret_key():
    result = settings_of()
    assert result.returncode != 0
    assert "Set DJANGO_SECRET_KEY" in result.stderr


def test_debug_is_off_unless_asked_and_production_is_strict():
    import json

    result = settings_of(DJANGO_SECRET_KEY="x" * 60, DJANGO_ALLOWED_HOSTS="help.example.com")
    values = json.loads(result.stdout)
    assert values["debug"] is False
    assert values["hosts"] == ["help.example.com"]
    assert values["ssl"] is True and values["hsts"] >= 31536000


def test_sqlite_is_the_default_in_wal_mode_with_a_busy_timeout():
    import json

    values = json.loads(settings_of(DJANGO_DEBUG="1").stdout)
    assert values["debug"] is True
    assert values["engine"] == "django.db.backends.sqlite3"
    assert "journal_mode=WAL" in values["options"]["init_command"]
    assert values["options"]["timeout"] >= 5


def test_sqlite_keeps_its_connection_between_requests_like_postgresql():
    """A new SQLite connection per request (open, PRAGMAs, close) was half the cost of a cached page (issue #9)."""
    import json

    production = dict(DJANGO_SECRET_KEY="x" * 60, DJANGO_ALLOWED_HOSTS="help.example.com")
    assert json.loads(settings_of(**production).stdout)["max_age"] == 60
    assert json.loads(settings_of(**production, DJANGO_CONN_MAX_AGE="0").stdout)["max_age"] == 0
    postgres = json.loads(settings_of(**production, DATABASE_URL="postgres://u@db.example:5432/portal").stdout)
    assert postgres["max_age"] == 60


def test_database_url_selects_postgresql():
    import json

    values = json.loads(settings_of(DJANGO_DEBUG="1", DATABASE_URL="postgres://u@db.example:5432/portal").stdout)
    assert values["engine"] == "django.db.backends.postgresql"


def test_system_checks_pass_so_a_broken_flow_fails_the_test_run():
    call_command("check", fail_level="ERROR")


def cache_of(**env) -> dict:
    import json

    code = "import json, portal.settings as s; print(json.dumps(s.CACHES['default']))"
    result = subprocess.run([sys.executable, "-c", code], env={**BASE, "DJANGO_DEBUG": "1", **env},
                            capture_output=True, text=True, cwd=settings.BASE_DIR)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_cache_is_local_memory_unless_a_redis_url_is_set():
    assert cache_of()["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    redis = cache_of(REDIS_URL="redis://127.0.0.1:6379/4", DJANGO_CACHE_KEY_PREFIX="site-a")
    assert redis["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert redis["LOCATION"] == "redis://127.0.0.1:6379/4" and redis["KEY_PREFIX"] == "site-a"
    # DJANGO_CACHE_URL wins over REDIS_URL (a platform may set REDIS_URL for something else).
    assert cache_of(REDIS_URL="redis://a:6379/1", DJANGO_CACHE_URL="redis://b:6379/2")["LOCATION"] == "redis://b:6379/2"


def test_the_local_memory_cache_keeps_more_than_djangos_300_pages():
    """Stored step pages (one per view state, language and htmx form) outnumber Django's default of 300 entries; a
    dropped page costs a render and a Brotli-11 pass to store again."""
    assert cache_of()["OPTIONS"]["MAX_ENTRIES"] == 2000
    assert cache_of(DJANGO_LOCMEM_MAX_ENTRIES="500")["OPTIONS"]["MAX_ENTRIES"] == 500


def test_a_cache_url_that_is_not_redis_is_refused_at_start():
    code = "import portal.settings"
    result = subprocess.run([sys.executable, "-c", code], env={**BASE, "DJANGO_DEBUG": "1",
                            "DJANGO_CACHE_URL": "memcached://127.0.0.1:11211"}, capture_output=True, text=True,
                            cwd=settings.BASE_DIR)
    assert result.returncode != 0 and "redis://" in result.stderr


def test_the_redis_cache_really_stores_through_django(tmp_path):
    """Against the Redis server (CI's machine runs one): set in one process, read back in another."""
    import uuid

    url = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/0")
    prefix = f"test-{uuid.uuid4().hex}"
    code = ("import sys, django; django.setup(); from django.core.cache import cache; "
            "print(cache.get('k')) if sys.argv[1] == 'get' else cache.set('k', 'shared', 30)")
    env = {**BASE, "DJANGO_DEBUG": "1", "DJANGO_SETTINGS_MODULE": "portal.settings", "DJANGO_CACHE_URL": url,
           "DJANGO_CACHE_KEY_PREFIX": prefix}
    for action in ("set", "get"):
        result = subprocess.run([sys.executable, "-c", code, action], env=env, capture_output=True, text=True,
                                cwd=settings.BASE_DIR)
        assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "shared"


def test_test_settings_need_no_environment_fixed_key_and_fast_hasher():
    """Plain `pytest` on a fresh clone: no DJANGO_SECRET_KEY, no DJANGO_DEBUG, no key file needed."""
    import json

    code = ("import json, django; django.setup(); from django.conf import settings as s; "
            "print(json.dumps({'key': s.SECRET_KEY, 'hashers': s.PASSWORD_HASHERS, 'debug': s.DEBUG}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=settings.BASE_DIR,
                            env={**BASE, "DJANGO_SETTINGS_MODULE": "portal.settings_test"})
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["key"].startswith("test-only-")
    assert values["hashers"][0].endswith("MD5PasswordHasher")
    assert values["debug"] is True


def test_the_knowledge_base_is_only_there_for_tests_that_ask(db):
    """The kb/ import runs once per run and is rolled back: a test without `imported` starts empty."""
    from portal.content.models import Article, StepText

    assert not Article.objects.exists() and not StepText.objects.exists()


def test_imported_knowledge_base_is_complete_and_editable(imported):
    from portal.content.models import Article, GuideText, StepText

    assert Article.objects.count() > 0 and StepText.objects.count() > 0 and GuideText.objects.count() > 0
    assert len(imported.created) == Article.objects.count() + StepText.objects.count() + GuideText.objects.count()
    article = Article.objects.create(**{f.name: getattr(Article.objects.first(), f.name)
                                        for f in Article._meta.concrete_fields if not f.primary_key}
                                     | {"slug": "a-new-one", "translation_key": "a-new-one"})
    assert article.pk > max(Article.objects.exclude(pk=article.pk).values_list("pk", flat=True))


def test_old_secret_keys_can_be_listed_for_a_rotation():
    code = "import json, portal.settings as s; print(json.dumps(s.SECRET_KEY_FALLBACKS))"
    env = {**BASE, "DJANGO_DEBUG": "1", "DJANGO_SECRET_KEY_FALLBACKS": "old-key-1, old-key-2"}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                            cwd=settings.BASE_DIR)
    assert result.stdout.strip() == '["old-key-1", "old-key-2"]', result.stderr
