"""Static files as production serves them: our stylesheets minified at collectstatic, then hashed and compressed.

The stylesheet in static/ keeps its comments (they say why a rule is there); what a phone downloads needs none of
them. Minifying it at collectstatic takes about 900 bytes off the compressed first view of every page
(tests/perf/test_sizes.py measures what is served: `served_bytes`). rcssmin only removes comments and the
whitespace CSS does not need; tests/browser/test_static_minified.py checks in Chromium that the minified sheet
parses to the same rules as the source. Development (DEBUG) serves the source as it is.
"""

from __future__ import annotations

import rcssmin
from django.core.files.base import ContentFile
from whitenoise.storage import CompressedManifestStaticFilesStorage

#: The public site's and the staff pages' stylesheets. Third-party files (htmx, Django's admin) arrive as their
#: projects ship them; css/admin.css (a few lines for the admin) is left as written, since rcssmin tightens the
#: spaces inside its var() fallbacks, which Chromium keeps as part of the value (the browser test would see it).
MINIFIED = frozenset({"css/site.css", "css/staff.css"})


def served_bytes(name: str, data: bytes) -> bytes:
    """What collectstatic makes of a static file's bytes: a stylesheet of ours minified, anything else unchanged."""
    if name in MINIFIED:
        return rcssmin.cssmin(data.decode("utf-8")).encode("utf-8")
    return data


class MinifiedStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """whitenoise's hashed, compressed storage, minifying our stylesheets as they are written.

    Every write goes through `_save`: the copy collectstatic makes and the hashed copy the manifest step writes
    after pointing its url()s at hashed names. So the file on disk, its hash copy and the .br/.gz that whitenoise
    makes from it are all minified.
    """

    def _save(self, name, content):
        original = self._original_name(name)
        if original in MINIFIED:
            content.seek(0)
            content = ContentFile(served_bytes(original, content.read()))
        return super()._save(name, content)

    def _original_name(self, name: str) -> str:
        """css/site.3f2a9c1b8e7d.css -> css/site.css (the hashed copy is minified like its original)."""
        root, dot, extension = name.rpartition(".")
        base, _, digest = root.rpartition(".")
        if base and len(digest) == 12 and all(c in "0123456789abcdef" for c in digest):
            return f"{base}.{extension}"
        return name
