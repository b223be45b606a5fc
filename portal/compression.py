"""Compressed pages: Brotli for browsers that accept it (all current ones), else gzip (Django's GZipMiddleware).

Static files are compressed once at collectstatic by whitenoise (both .br and .gz) and arrive here already
encoded, so they pass through. Pages are compressed per response, at a Brotli quality that costs about what gzip
does and gives smaller pages. BREACH: a page holding a walk's reference code comes here already compressed with
the code in stored blocks, or marked to go uncompressed (`response.sealed`, portal/pagecache.py `seal`), and is
left alone; the other secret a page may hold next to text an attacker can make it reflect is the CSRF token, which
Django masks afresh in every response (gzip adds Django's random-length padding as well).
"""

from __future__ import annotations

import re

import brotli
from django.middleware.gzip import GZipMiddleware
from django.utils.cache import patch_vary_headers

_ACCEPTS_BR = re.compile(r"\bbr\b")
_ACCEPTS_GZIP = re.compile(r"\bgzip\b")  # as Django's GZipMiddleware reads it
#: 0-11: 5 compresses a 15 KB page in a fraction of a millisecond, smaller than gzip's best.
BROTLI_QUALITY = 5
MIN_SIZE = 200


class CompressionMiddleware(GZipMiddleware):
    def process_response(self, request, response):
        if getattr(response, "sealed", False):
            return response  # holds a walk's code, compressed apart from everything else or not at all (pagecache)
        if (response.streaming or len(response.content) < MIN_SIZE or response.has_header("Content-Encoding")
                or not accepts_brotli(request)):
            return super().process_response(request, response)
        patch_vary_headers(response, ("Accept-Encoding",))
        compressed = brotli.compress(response.content, quality=BROTLI_QUALITY)
        if len(compressed) >= len(response.content):
            return response
        response.content = compressed
        response.headers["Content-Length"] = str(len(compressed))
        etag = response.get("ETag")
        if etag and etag.startswith('"'):
            response.headers["ETag"] = "W/" + etag
        response.headers["Content-Encoding"] = "br"
        return response


def accepts_brotli(request) -> bool:
    """The client takes Brotli: what this middleware and the page cache (portal/pagecache.py) both go by."""
    return bool(_ACCEPTS_BR.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))


def accepts_gzip(request) -> bool:
    return bool(_ACCEPTS_GZIP.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))
