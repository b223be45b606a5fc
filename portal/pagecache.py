"""Whole-page cache with per-response slots, and conditional GET: the public pages that are the same for everyone
in a language (home, articles, topics, search results: `cached_page`), and the guide's step pages, shared by every
visitor in the same view state of a walk (portal/guide/views.py `_show`, with `lookup`, `store` and `respond`).

Key: the site's build (templates, translations, static manifest, flow versions, operator settings), the language,
the content revision token (content/revision.py: every save of an article or a guide's words replaces it, so an
admin edit shows on the next request), htmx or not (a history restore apart; as django-htmx reads the headers,
`request.htmx`, by which a view chooses its template: only "true" counts), the scheme, host, path and query string
(a page is stored only when each parameter is one its view reads, once, spelt as a form sends it: `stored_query`;
any other query is rendered and not stored), and what else the view says its page depends on (a step's view
state). Nothing is ever invalidated by
hand: a new token is a new key, and old entries expire. The entry's format is in the key (KEY_PREFIX).

CSRF: the public pages (home, articles, topics, search, steps) hold no token. Their forms post to views protected by
Fetch Metadata and Origin checks (portal/crossorigin.py), so a public page has no `csrf` slot:
the same bytes for everyone, no cookie set, sent as stored.

Slots: a value that differs per response and must never be shared (a walk's reference code; a CSRF token, should
a cached page ever hold one again) is stored as a slot, `slot(name)`: a NUL-delimited name, which no HTML byte can
be. A view renders the slot where the value goes (the step page renders the code's slot, never the code); every
response, a hit or the first render, gets its own values filled in by `respond`, HTML-escaped. The CSRF token is
found rather than rendered: before a page is stored, every CSRF token of this request in it (any string that
unmasks to the request's secret: form fields, htmx headers) becomes the `csrf` slot, and each response gets a token
of the request it answers, from `get_token`, which also sets the CSRF cookie as a normal render would. A page with
no slot is the same bytes for everyone and sets no cookie.

Compression (portal/compression.py compresses everything else per response): a page with no slot is stored
compressed as well, Brotli at its best quality and gzip, so a hit compresses nothing. A page with slots is stored
for gzip as raw deflate segments around the slots: each segment compressed once, primed with the page before it
(NUL bytes of the value's length where the values go, which no HTML byte can match, so nothing refers to a
value), and each value sent as a stored (uncompressed) block: concatenated they are one valid deflate stream, and
a value is never compressed together with anything an attacker could reflect (BREACH: a per-visitor secret is
never compressed with content an attacker can reflect); a value of another length than the slot was primed for
gets segments primed for its own length, built for that response. Brotli streams cannot be
joined like that, so a Brotli client's page with a CSRF slot is compressed per response (smaller than gzip, which
the first-view size budget needs: tests/perf/test_sizes.py; Django masks the token afresh in every response). A
walk's reference code is never compressed together with anything else: a page with a code (never a first view)
goes to every client that takes gzip as the stored segments (or, a value of another length, as segments built for
that response: `seal`); a client that takes no gzip gets it uncompressed. A step page that is not stored goes the
same way (`seal`: its code's slot filled in as a stored block, no cache write). Such a response is marked `sealed`
and CompressionMiddleware leaves it alone.

Not cached by `cached_page` (rendered as usual): anything but GET/HEAD, responses other than 200 or that set
cookies or say `private`/`no-store`, and visitors whose page differs from everyone's: signed in (a session cookie),
with a vote remembered (the feedback box shows their answer) or with a message waiting. The step view has its own
rules (`_shared_step`): its key holds the visitor's vote on an outcome; staff, a tool's input or any other query
but `stale=1`, and a date counted from now are never stored.

Conditional GET: an `ETag` made of the cache key and the page's per-response values (for the CSRF token its
secret: a new secret is a new page) and a `Last-Modified` of when the entry was rendered; `Cache-Control:
max-age=0, must-revalidate`, so a browser revalidates each time and gets a 304 without a body. A page a browser
must not keep (a walk's step: `private, no-store`) gets neither (`respond(..., conditional=False)`): the server
stores it with its code as a slot, no browser or proxy stores it at all.
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
from django.core.signals import setting_changed
from django.db import DatabaseError
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CSRF_TOKEN_LENGTH, _unmask_cipher_token, get_token
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.html import escape
from django.utils.http import http_date, urlencode
from django.utils.translation import get_language

from portal.compression import accepts_brotli, accepts_gzip

logger = logging.getLogger(__name__)


def slot(name: str) -> str:
    """Stands for a per-response value in a stored page; cannot occur in our HTML (a NUL byte never reaches a
    template). A view renders it where the value goes; `respond` fills in each response's own value."""
    return f"\x00slot:{name}\x00"


#: The CSRF token's slot: found by scanning a rendered page for this request's tokens (see `_entry`).
CSRF = "csrf"
PLACEHOLDER = slot(CSRF)
_SLOT = re.compile(rb"\x00slot:([a-z_]+)\x00")
#: What a masked CSRF token looks like; a match is one of this request's tokens when it unmasks to its secret.
_TOKEN_LIKE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{%d}(?![A-Za-z0-9])" % CSRF_TOKEN_LENGTH)
#: A page without a token is compressed once, when stored: Brotli's best (about 10 ms for a 15 KB page, once per
#: entry), 8-10 % smaller than the per-response quality.
STORED_BROTLI_QUALITY = 11
#: gzip header (no name, no time, unknown OS).
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
#: Cookies that make a visitor's page their own (see the module docstring).
PERSONAL_COOKIES = ("votes", "messages")
#: View headers kept with a stored page (the rest are set again per response by the middleware).
_KEPT_HEADERS = ("Content-Type", "Vary", "Content-Language", "X-Robots-Tag")
DEFAULT_TIMEOUT = 60 * 60 * 24


def cached_page(view=None, *, timeout: int = DEFAULT_TIMEOUT, query: tuple[str, ...] = ()):
    """Decorator for a view whose GET page is the same for every anonymous visitor in a language.

    `query`: the query parameters the view reads. A request with any other parameter (or one of them twice, or a
    query string that is not in its plain form) is rendered and not stored: the key holds the query string, and a
    made-up query must not make a new entry (each kept a day and compressed at Brotli's best once)."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not anonymous_get(request) or not stored_query(request, query):
                return view(request, *args, **kwargs)
            try:
                key = page_key(request)
            except DatabaseError:  # no revision token: the view renders (and handles the outage) as usual
                return view(request, *args, **kwargs)
            entry = lookup(key)
            if entry is None:
                response = view(request, *args, **kwargs)
                entry = store(request, response, key, timeout)
                if entry is None:
                    return response
            return respond(request, entry)

        wrapper.page_cached = True
        return wrapper

    return decorate(view) if view is not None else decorate


def page_key(request: HttpRequest, state: str = "") -> str:
    """The key of a stored page: see the module docstring. `state` is what else the view's page depends on (a
    step's view state: portal/guide/views.py), never a per-visitor secret (those go in slots)."""
    from portal.content.models import TextRevision

    # What the view chooses its template by: django-htmx's reading of the headers (only the value "true" counts).
    htmx = getattr(request, "htmx", None)
    htmx = ("hx-restore" if htmx.history_restore_request else "hx") if htmx else ""
    parts = (build_id(), get_language() or "", TextRevision.current(), htmx, request.scheme, request.get_host(),
             request.get_full_path(), state)
    return KEY_PREFIX + hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


#: The stored entry's format is in the key: an entry of an older format is never read as this one.
KEY_PREFIX = "page:2:"


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


@receiver(setting_changed)
def _forget_build_id(*, setting: str, **kwargs) -> None:
    """A setting the build id reads, changed in the process (a test's override), is a new build, as a restart is."""
    if setting in ("OPERATOR", "LOCALE_PATHS", "STORAGES", "STATICFILES_STORAGE"):
        build_id.cache_clear()


def stored_query(request: HttpRequest, names: tuple[str, ...] | dict[str, str]) -> bool:
    """Whether a page of this query may be stored: each parameter is one of `names` (a dict: with that value) and
    occurs once, and the query string is exactly what a form sends for them (no empty pairs, no other spelling), so
    the number of keys is the number of real pages."""
    raw = request.META.get("QUERY_STRING", "")
    if not raw:
        return True
    pairs = list(request.GET.lists())
    if any(name not in names or len(values) != 1 for name, values in pairs):
        return False
    if isinstance(names, dict) and any(names[name] != values[0] for name, values in pairs):
        return False
    return raw == urlencode([(name, values[0]) for name, values in pairs])


def anonymous_get(request: HttpRequest, *, keyed: tuple[str, ...] = ()) -> bool:
    """A GET or HEAD of a visitor whose page may be everyone's: no session (never a signed-in staff member) and none
    of PERSONAL_COOKIES, but those in `keyed`, which the caller puts in its own key (a step's vote)."""
    if request.method not in ("GET", "HEAD"):
        return False
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and not any(
        name in cookies for name in PERSONAL_COOKIES if name not in keyed)


def lookup(key: str) -> dict | None:
    """The stored entry of `key`, or None (not stored, or the cache is down)."""
    entry = _cache_get(key)
    return entry if isinstance(entry, dict) and "body" in entry else None


def store(request: HttpRequest, response: HttpResponse, key: str, timeout: int = DEFAULT_TIMEOUT,
          slots: dict[str, int] | None = None) -> dict | None:
    """Stores what may be stored of `response` under `key` and returns the entry (`respond` makes this request's
    response of it), or None when it must not be stored (then send `response` as it is).

    `slots`: the slots the view rendered (name -> the length of the values that will fill it: the gzip segments are
    primed for that length; a value of another length makes that response compressed per response).
    """
    entry = _entry(request, response, key, slots or {})
    if entry is not None:
        _cache_set(key, entry, timeout)
    return entry


def _entry(request: HttpRequest, response: HttpResponse, key: str, slots: dict[str, int] | None = None) -> dict | None:
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
    lengths = {CSRF: CSRF_TOKEN_LENGTH, **(slots or {})}
    order = [name.decode() for name in _SLOT.findall(body)]
    if any(name not in lengths for name in order):
        return None  # a slot nobody fills: never store (or send) it
    return {
        "body": body,
        "slots": order,  # the slots in the order they occur in the body
        "lengths": {name: lengths[name] for name in set(order)},
        "encoded": _encodings(body, [lengths[name] for name in order]),
        "charset": charset,
        "headers": {name: response[name] for name in _KEPT_HEADERS if response.has_header(name)},
        "modified": int(time.time()),
        "etag": key[len(KEY_PREFIX):][:32],
        "meta": getattr(response, "page_meta", None),  # what the view tells its caller (e.g. search's hit count)
    }


def _encodings(body: bytes, lengths: list[int]) -> dict:
    """The stored page compressed: whole (no slot), or for gzip in deflate segments around the slots."""
    parts = _SLOT.split(body)[::2]  # split() also returns the captured names, in between
    if len(parts) == 1:
        gzipped = _GZIP_HEADER + _deflate(body, b"", zlib.Z_FINISH) + _gzip_trailer(zlib.crc32(body), len(body))
        return {"br": brotli.compress(body, quality=STORED_BROTLI_QUALITY, mode=brotli.MODE_TEXT), "gzip": gzipped}
    if any(b"\x00" in part for part in parts) or any(not 0 < length <= 0xFFFF for length in lengths):
        return {}  # a NUL of the page's own could be matched against a value's place: compressed per response
    segments, history = [], b""
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        segments.append(_deflate(part, history[-32768:], zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH))
        if not last:
            history += part + b"\x00" * lengths[index]
    return {"gzip-segments": segments}


def _deflate(data: bytes, primed: bytes, flush: int) -> bytes:
    compressor = (zlib.compressobj(9, zlib.DEFLATED, -15, 9, zdict=primed) if primed
                  else zlib.compressobj(9, zlib.DEFLATED, -15, 9))
    return compressor.compress(data) + compressor.flush(flush)


def _gzip_trailer(crc: int, size: int) -> bytes:
    return struct.pack("<II", crc & 0xFFFFFFFF, size & 0xFFFFFFFF)


def _stored_block(value: bytes) -> bytes:
    """A deflate stored block (BFINAL=0, BTYPE=00) holding `value` as it is (RFC 1951 3.2.4)."""
    return b"\x00" + struct.pack("<HH", len(value), 0xFFFF ^ len(value)) + value


def _gzip_with_values(entry: dict, values: list[bytes]) -> bytes:
    """The stored deflate segments joined by the values in stored blocks, in a gzip member (RFC 1951, 1952)."""
    parts = _SLOT.split(entry["body"])[::2]
    crc, size, pieces = 0, 0, []
    for index, part in enumerate(parts):
        crc = zlib.crc32(part, crc)
        size += len(part)
        pieces.append(entry["encoded"]["gzip-segments"][index])
        if index < len(values):
            crc = zlib.crc32(values[index], crc)
            size += len(values[index])
            pieces.append(_stored_block(values[index]))
    return _GZIP_HEADER + b"".join(pieces) + _gzip_trailer(crc, size)


def _accepted(request: HttpRequest) -> str:
    if accepts_brotli(request):
        return "br"
    return "gzip" if accepts_gzip(request) else ""


def respond(request: HttpRequest, entry: dict, values: dict[str, str] | None = None, *,
            conditional: bool = True) -> HttpResponse:
    """This request's response of a stored entry: every slot filled with this response's value (the CSRF slot with
    a token of this request, `values` for the others), compressed as stored where it can be.

    `conditional`: an ETag and Last-Modified, and a 304 when the browser's copy is current; False for a page a
    browser must not keep (`no-store`, set by the view), which needs neither.
    """
    body, encoded = entry["body"], entry.get("encoded", {})
    etag = entry["etag"]
    sealed = False
    encoding = _accepted(request)
    content_encoding = ""
    if entry["slots"]:
        values = dict(values or {})
        if CSRF in entry["slots"]:
            values[CSRF] = get_token(request)
        filled = [escape(values[name]).encode() for name in entry["slots"]]  # KeyError: a view forgot a value
        if any(len(value) != entry["lengths"][name] for name, value in zip(entry["slots"], filled)):
            encoded = {}  # not the length the segments were primed for: compressed per response
        # Another CSRF secret or value is another page (the token's secret, not the token: that is masked afresh).
        varies = [request.META["CSRF_COOKIE"] if name == CSRF else values[name] for name in sorted(entry["lengths"])]
        etag = hashlib.sha256("\x1f".join([etag, *varies]).encode()).hexdigest()[:32]
        if encoding == "br" and CSRF not in entry["lengths"] and accepts_gzip(request):
            # A page with a walk's value is never a first view (a walk reached it): the stored gzip segments, some
            # 8 % bigger than Brotli, cost no compression, where Brotli would compress the page for every response.
            encoding = "gzip"
        if encoding == "gzip" and "gzip-segments" in encoded:
            body, content_encoding = _gzip_with_values(entry, filled), "gzip"
        elif set(entry["lengths"]) - {CSRF}:
            # A walk's code: never compressed together with anything else (segments built for this response, or
            # sent uncompressed), and CompressionMiddleware leaves it alone.
            body, content_encoding = _sealed(request, body, filled)
            sealed = True
        else:  # a CSRF token only (masked afresh per response): CompressionMiddleware compresses it
            pieces = _SLOT.split(body)
            pieces[1::2] = filled
            body = b"".join(pieces)
    elif encoding in encoded:
        body, content_encoding = encoded[encoding], encoding
    response = HttpResponse(body)
    response.sealed = sealed
    for name, value in entry["headers"].items():
        response[name] = value
    if content_encoding:
        response["Content-Encoding"] = content_encoding
    response.page_meta = entry.get("meta")
    patch_vary_headers(response, ["Cookie", "Accept-Encoding"])
    if not conditional:
        return response
    etag = f'W/"{etag}"'
    response["ETag"] = etag
    response["Last-Modified"] = http_date(entry["modified"])
    patch_cache_control(response, max_age=0, must_revalidate=True)
    return get_conditional_response(request, etag=etag, last_modified=entry["modified"], response=response)


def seal(request: HttpRequest, response: HttpResponse, values: dict[str, str]) -> HttpResponse:
    """A rendered response that is not stored, its slots filled with `values` the way a stored page's are: for a
    client that takes gzip, deflate segments built for this response with each value in a stored block (the
    store's own function, no cache write), else uncompressed; marked `sealed` so that CompressionMiddleware
    leaves it alone. A response without a slot is returned as it is."""
    if response.streaming or not _SLOT.search(response.content):
        return response
    names = [name.decode() for name in _SLOT.findall(response.content)]
    filled = [escape(values[name]).encode() for name in names]  # KeyError: a view forgot a value
    body, content_encoding = _sealed(request, response.content, filled)
    response.content = body
    if content_encoding:
        response["Content-Encoding"] = content_encoding
    response.sealed = True
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


def _sealed(request: HttpRequest, body: bytes, filled: list[bytes]) -> tuple[bytes, str]:
    """`body` with its slots filled, and its Content-Encoding: gzip segments around the values, each value in a
    stored block, when the client takes gzip and the page allows it; else uncompressed ("")."""
    if accepts_gzip(request):
        encoded = _encodings(body, [len(value) for value in filled])
        if "gzip-segments" in encoded:
            return _gzip_with_values({"body": body, "encoded": encoded}, filled), "gzip"
    pieces = _SLOT.split(body)
    pieces[1::2] = filled
    return b"".join(pieces), ""


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
