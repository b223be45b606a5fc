"""Whole-page cache for the public pages that are the same for everyone in a language (home, articles, topics,
search results), with conditional GET.

Key: the site's build (templates, translations, static manifest, flow versions, operator settings), the language,
the content revision token (content/revision.py: every save of an article or a guide's words replaces it, so an
admin edit shows on the next request), whether htmx asked for it, and the path with its query string. Nothing is
ever invalidated by hand: a new token is a new key, and old entries expire.

CSRF: the public pages hold no token. Their forms post to views protected by Fetch Metadata and Origin checks
(portal/crossorigin.py, PROTOCOL decision 6), so home, articles, topics and search are the same bytes for everyone,
set no cookie and are sent as stored. The token machinery below stays for a page that does hold one (a form that
posts to a token-protected view): before such a page is stored, every CSRF token of this request in it (any string
that unmasks to the request's secret: form fields, htmx headers) is replaced by a placeholder; every response (a hit
or the first render) gets a token of the request it answers, from `get_token`, which also sets the CSRF cookie as a
normal render would.

Compression (portal/compression.py compresses everything else per response): a page with no token is stored
compressed as well, Brotli at its best quality and gzip, so a hit compresses nothing. A page with a token is
stored for gzip as raw deflate segments around the token's places: each segment compressed once, primed with the
page before it (NUL bytes where the tokens go, which no HTML byte can match, so nothing refers to a token), and
the token itself sent as a stored (uncompressed) block: concatenated they are one valid deflate stream, and the
token is never compressed together with anything an attacker could reflect (BREACH; PROTOCOL decision 5). Brotli
streams cannot be joined like that, so a Brotli client's token page is compressed per response (smaller than
gzip, which the first-view size budget needs: tests/perf/test_sizes.py).

Not cached (rendered as usual): anything but GET/HEAD, responses other than 200 or that set cookies or say
`private`/`no-store`, and visitors whose page differs from everyone's: signed in (a session cookie), with a vote
remembered (the feedback box shows their answer) or with a message waiting. Per-walk content (reference codes,
ready texts, dates) lives in the step pages, which are not cached whole (PROTOCOL decision 4).

Conditional GET: an `ETag` made of the cache key (and, for a page with a token, the visitor's CSRF secret: a new
secret is a new page) and a `Last-Modified` of when the entry was rendered; `Cache-Control:
max-age=0, must-revalidate`, so a browser revalidates each time and gets a 304 without a body.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import re
import struct
import time
import zlib

import brotli

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CSRF_TOKEN_LENGTH, _unmask_cipher_token, get_token
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

#: Stands for the CSRF token in a stored page; cannot occur in our HTML (a NUL byte never reaches a template).
PLACEHOLDER = "\x00portal-csrf\x00"
_PLACEHOLDER_BYTES = PLACEHOLDER.encode()
#: What a masked CSRF token looks like; a match is one of this request's tokens when it unmasks to its secret.
_TOKEN_LIKE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{%d}(?![A-Za-z0-9])" % CSRF_TOKEN_LENGTH)
#: A page without a token is compressed once, when stored: Brotli's best (about 10 ms for a 15 KB page, once per
#: entry), 8-10 % smaller than the per-response quality.
STORED_BROTLI_QUALITY = 11
_ACCEPTS_BR = re.compile(r"\bbr\b")
_ACCEPTS_GZIP = re.compile(r"\bgzip\b")
#: gzip header (no name, no time, unknown OS) and the stored-block header of a token (BFINAL=0, BTYPE=00).
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
_STORED_TOKEN_BLOCK = b"\x00" + struct.pack("<HH", CSRF_TOKEN_LENGTH, 0xFFFF ^ CSRF_TOKEN_LENGTH)
#: Cookies that make a visitor's page their own (see the module docstring).
PERSONAL_COOKIES = ("votes", "messages")
#: View headers kept with a stored page (the rest are set again per response by the middleware).
_KEPT_HEADERS = ("Content-Type", "Vary", "Content-Language", "X-Robots-Tag")
DEFAULT_TIMEOUT = 60 * 60 * 24


def cached_page(view=None, *, timeout: int = DEFAULT_TIMEOUT):
    """Decorator for a view whose GET page is the same for every anonymous visitor in a language."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not _cacheable(request):
                return view(request, *args, **kwargs)
            try:
                key = page_key(request)
            except DatabaseError:  # no revision token: the view renders (and handles the outage) as usual
                return view(request, *args, **kwargs)
            entry = _cache_get(key)
            if entry is None or "body" not in entry:  # not stored, or stored by an older version of this module
                response = view(request, *args, **kwargs)
                entry = _entry(request, response, key)
                if entry is None:
                    return response
                _cache_set(key, entry, timeout)
            return _respond(request, entry)

        wrapper.page_cached = True
        return wrapper

    return decorate(view) if view is not None else decorate


def page_key(request: HttpRequest) -> str:
    from portal.content.models import TextRevision

    parts = (build_id(), get_language() or "", TextRevision.current(), "hx" if request.headers.get("HX-Request") else "",
             request.get_full_path())
    return "page:" + hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


@functools.cache
def build_id() -> str:
    """What a deploy changes besides the content: templates, translations, static file names, flows, operator."""
    from django.contrib.staticfiles.storage import staticfiles_storage

    from portal.flows.registry import all_flows

    digest = hashlib.sha256()
    for flow in all_flows().values():
        digest.update(f"{flow.slug}:{flow.version};".encode())
    digest.update(str(getattr(staticfiles_storage, "manifest_hash", "")).encode())
    digest.update(repr(sorted(settings.OPERATOR.items())).encode())
    for folder in (settings.BASE_DIR / "templates", *settings.LOCALE_PATHS):
        for root, _dirs, files in os.walk(folder):
            for name in files:
                path = os.path.join(root, name)
                digest.update(f"{path}:{os.stat(path).st_mtime_ns};".encode())
    return digest.hexdigest()[:16]


def _cacheable(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and not any(name in cookies for name in PERSONAL_COOKIES)


def _entry(request: HttpRequest, response: HttpResponse, key: str) -> dict | None:
    """What to store of a response, or None when it must not be stored."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return None
    control = response.get("Cache-Control", "")
    if "private" in control or "no-store" in control or "no-cache" in control:
        return None
    charset = response.charset or "utf-8"
    content = response.content.decode(charset)
    secret = request.META.get("CSRF_COOKIE")  # set once a token was asked for
    if secret:
        for token in set(_TOKEN_LIKE.findall(content)):
            if _unmask_cipher_token(token) == secret:
                content = content.replace(token, PLACEHOLDER)
    body = content.encode(charset)
    return {
        "body": body,
        "encoded": _encodings(body),
        "charset": charset,
        "headers": {name: response[name] for name in _KEPT_HEADERS if response.has_header(name)},
        "modified": int(time.time()),
        "etag": key[5:37],
        "meta": getattr(response, "page_meta", None),  # what the view tells its caller (e.g. search's hit count)
    }


def _encodings(body: bytes) -> dict:
    """The stored page compressed: whole (no token), or for gzip in deflate segments around the tokens."""
    parts = body.split(_PLACEHOLDER_BYTES)
    if len(parts) == 1:
        gzipped = _GZIP_HEADER + _deflate(body, b"", zlib.Z_FINISH) + _gzip_trailer(zlib.crc32(body), len(body))
        return {"br": brotli.compress(body, quality=STORED_BROTLI_QUALITY, mode=brotli.MODE_TEXT), "gzip": gzipped}
    if any(b"\x00" in part for part in parts):
        return {}  # a NUL of the page's own could be matched against a token's place: compressed per response
    segments, history = [], b""
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        segments.append(_deflate(part, history[-32768:], zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH))
        history += part + b"\x00" * CSRF_TOKEN_LENGTH
    return {"gzip-segments": segments}


def _deflate(data: bytes, primed: bytes, flush: int) -> bytes:
    compressor = (zlib.compressobj(9, zlib.DEFLATED, -15, 9, zdict=primed) if primed
                  else zlib.compressobj(9, zlib.DEFLATED, -15, 9))
    return compressor.compress(data) + compressor.flush(flush)


def _gzip_trailer(crc: int, size: int) -> bytes:
    return struct.pack("<II", crc & 0xFFFFFFFF, size & 0xFFFFFFFF)


def _gzip_with_token(entry: dict, token: bytes) -> bytes:
    """The stored deflate segments joined by the token in stored blocks, in a gzip member (RFC 1951, 1952)."""
    parts = entry["body"].split(_PLACEHOLDER_BYTES)
    crc = 0
    for index, part in enumerate(parts):
        crc = zlib.crc32(part, crc)
        if index < len(parts) - 1:
            crc = zlib.crc32(token, crc)
    stored = _STORED_TOKEN_BLOCK + token
    size = sum(map(len, parts)) + len(token) * (len(parts) - 1)
    return _GZIP_HEADER + stored.join(entry["encoded"]["gzip-segments"]) + _gzip_trailer(crc, size)


def _accepted(request: HttpRequest) -> str:
    accept = request.META.get("HTTP_ACCEPT_ENCODING", "")
    if _ACCEPTS_BR.search(accept):
        return "br"
    return "gzip" if _ACCEPTS_GZIP.search(accept) else ""


def _respond(request: HttpRequest, entry: dict) -> HttpResponse:
    body, encoded = entry["body"], entry.get("encoded", {})
    etag = entry["etag"]
    encoding = _accepted(request)
    content_encoding = ""
    if _PLACEHOLDER_BYTES in body:
        token = get_token(request).encode()
        if len(token) != CSRF_TOKEN_LENGTH:  # never expected: Django's tokens have one length
            encoded = {}
        secret = request.META.get("CSRF_COOKIE", "")
        etag = hashlib.sha256(f"{etag}:{secret}".encode()).hexdigest()[:32]
        if encoding == "gzip" and "gzip-segments" in encoded:
            body, content_encoding = _gzip_with_token(entry, token), "gzip"
        else:  # Brotli (or nothing): CompressionMiddleware compresses it with this response's token
            body = body.replace(_PLACEHOLDER_BYTES, token)
    elif encoding in encoded:
        body, content_encoding = encoded[encoding], encoding
    etag = f'W/"{etag}"'
    response = HttpResponse(body)
    for name, value in entry["headers"].items():
        response[name] = value
    if content_encoding:
        response["Content-Encoding"] = content_encoding
    response.page_meta = entry.get("meta")
    response["ETag"] = etag
    response["Last-Modified"] = http_date(entry["modified"])
    patch_cache_control(response, max_age=0, must_revalidate=True)
    patch_vary_headers(response, ["Cookie", "Accept-Encoding"])
    return get_conditional_response(request, etag=etag, last_modified=entry["modified"], response=response)


def _cache_get(key: str):
    try:
        return cache.get(key)
    except Exception:  # a cache that is down: render the page
        logger.warning("page cache unavailable", exc_info=True)
        return None


def _cache_set(key: str, entry: dict, timeout: int) -> None:
    try:
        cache.set(key, entry, timeout)
    except Exception:
        logger.warning("page not stored in the cache", exc_info=True)
