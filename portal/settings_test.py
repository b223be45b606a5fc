"""Settings for the test suite, so plain `pytest` works on a fresh clone (pytest.ini names this module).

The development settings (DJANGO_DEBUG=1: static files from the finders, SQLite unless DATABASE_URL says otherwise)
with a fixed, test-only secret key and a fast password hasher. Never used to serve anything.
"""

import os

# Read by portal.settings at import: development mode unless the caller chose otherwise, and no key file written.
os.environ.setdefault("DJANGO_DEBUG", "1")
os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-key-never-used-to-serve-anything-0123456789abcdef")

from .settings import *  # noqa: E402,F403

SECRET_KEY = "test-only-key-never-used-to-serve-anything-0123456789abcdef"

# Admin and staff tests log in many times; PBKDF2's deliberate slowness buys nothing here.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Counters are written at once, so a test sees them without flushing (tracking/counts.py).
PORTAL_COUNT_FLUSH_SECONDS = 0
# Search counts are written at once, so a test sees them without waiting for the buffer.
SEARCH_STATS_FLUSH_SECONDS = 0
