"""collectstatic writes our stylesheet minified (portal/staticfiles.py): the copy, its hashed copy and the .br/.gz
whitenoise serves. (tests/browser/test_static_minified.py checks the minified rules are the source's.)"""

import brotli
from django.conf import settings
from django.core.management import call_command

from portal.staticfiles import MINIFIED, served_bytes

SOURCE = settings.BASE_DIR / "static" / "css" / "site.css"


def test_collectstatic_serves_the_stylesheet_minified(tmp_path, settings):
    (tmp_path / "src" / "css").mkdir(parents=True)
    (tmp_path / "src" / "css" / "site.css").write_bytes(SOURCE.read_bytes())
    (tmp_path / "src" / "css" / "other.css").write_text("/* kept as written */\n.x { color: red; }\n")
    settings.STATICFILES_DIRS = [tmp_path / "src"]
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STATIC_ROOT = tmp_path / "out"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "portal.staticfiles.MinifiedStaticFilesStorage"}}
    call_command("collectstatic", "--no-input", "-v0")

    expected = served_bytes("css/site.css", SOURCE.read_bytes())
    assert b"/*" not in expected and len(expected) < 0.9 * SOURCE.stat().st_size
    out = tmp_path / "out" / "css"
    hashed = [p for p in out.glob("site.*.css")]
    assert len(hashed) == 1
    assert (out / "site.css").read_bytes() == expected
    assert hashed[0].read_bytes() == expected
    assert brotli.decompress((out / f"{hashed[0].name}.br").read_bytes()) == expected
    assert b"kept as written" in (out / "other.css").read_bytes()  # only the sheets named in MINIFIED


def test_only_our_stylesheets_are_minified():
    assert served_bytes("css/admin.css", b"/* a */ .a { b: c }") == b"/* a */ .a { b: c }"
    assert served_bytes("django_htmx/htmx-2.min.js", b"/* x */") == b"/* x */"
    assert {"css/site.css", "css/staff.css"} <= MINIFIED
