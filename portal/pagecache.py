"""Whole-page cache for the public pages that are the same for everyone in a language (home, articles, topics,
search results), with conditional GET.

Key: the site's build (templates, translations, static manifest, flow versions, operator settings), the language,
the content revision token (content/revision.py: every save of an article or a guide's words replaces it, so an
admin edit shows on the next request), whether htmx asked for it, and the path with its query string. Nothing is
ever invalidated by hand: a new token is a new key, and old entries expire.

CSRF: the forms keep their protection. Before a page is stored, this request's CSRF token is replaced by a
placeholder; every response (a hit or the first render) gets the token of the request it answers, from
`get_token`, which also sets the CSRF cookie as a normal render would.

Not cached (rendered as usual): anything but GET/HEAD, responses other than 200 or that set cookies or say
`private`/`no-store`, and visitors whose page differs from everyone's: signed in (a session cookie), with a vote
remembered (the feedback box shows their answer) or with a message waiting. Per-walk content (reference codes,
ready texts, dates) lives in the step pages, which are not cached whole (PROTOCOL decision 4).

Conditional GET: an `ETag` made of the cache key and the visitor's CSRF secret (the page embeds a token of that
secret, so a new secret is a new page) and a `Last-Modified` of when the entry was rendered; `Cache-Control:
max-age=0, must-revalidate`, so a browser revalidates each time and gets a 304 without a body.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import re
import time

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

#: Stands for the CSRF token in a stored page; cannot occur in our HTML (a NUL byte never reaches a template).
PLACEHOLDER = "\x00portal-csrf\x00"
_TOKEN_IN_FORM = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{32,64})"')
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
            if entry is None:
                response = view(request, *args, **kwargs)
                entry = _entry(response, key)
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


def _entry(response: HttpResponse, key: str) -> dict | None:
    """What to store of a response, or None when it must not be stored."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return None
    control = response.get("Cache-Control", "")
    if "private" in control or "no-store" in control or "no-cache" in control:
        return None
    charset = response.charset or "utf-8"
    content = response.content.decode(charset)
    for token in set(_TOKEN_IN_FORM.findall(content)):
        content = content.replace(token, PLACEHOLDER)
    return {
        "content": content,
        "charset": charset,
        "headers": {name: response[name] for name in _KEPT_HEADERS if response.has_header(name)},
        "modified": int(time.time()),
        "etag": key[5:37],
        "meta": getattr(response, "page_meta", None),  # what the view tells its caller (e.g. search's hit count)
    }


def _respond(request: HttpRequest, entry: dict) -> HttpResponse:
    content = entry["content"]
    etag = entry["etag"]
    if PLACEHOLDER in content:
        content = content.replace(PLACEHOLDER, get_token(request))
        secret = request.META.get("CSRF_COOKIE", "")
        etag = hashlib.sha256(f"{etag}:{secret}".encode()).hexdigest()[:32]
    etag = f'W/"{etag}"'
    response = HttpResponse(content.encode(entry["charset"]))
    for name, value in entry["headers"].items():
        response[name] = value
    response.page_meta = entry.get("meta")
    response["ETag"] = etag
    response["Last-Modified"] = http_date(entry["modified"])
    patch_cache_control(response, max_age=0, must_revalidate=True)
    patch_vary_headers(response, ["Cookie"])
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
