"""Cross-origin protection for the public anonymous POSTs, without a token in the page.

The public forms (start a walk, answer a step, get a reference code, vote, check a template) are protected the way
Go 1.25's `net/http.CrossOriginProtection` protects a whole site (https://words.filippo.io/csrf/; OWASP's CSRF
cheat sheet, "Fetch Metadata headers"; proposed for Django in django/new-features#98), instead of Django's CSRF
token. The token is what kept those pages from being the same bytes for everyone: every response needed a fresh
masked token, a CSRF cookie for a new visitor, and a compression of its own (portal/pagecache.py). Without it, home,
articles and steps opened from a link are stored once, compressed once, and sent as stored.

`cross_origin_protected` exempts a view from Django's token check and decides instead, from what the browser says
about where the request comes from:

1. GET, HEAD, OPTIONS (and TRACE) pass: they change nothing here ("A GET writes nothing").
2. `Sec-Fetch-Site: same-origin` passes (a page of this site sent it), and so does `none` (the person typed or
   bookmarked it: no other site is involved). Any other value (`same-site`, `cross-site`, or anything unknown) is
   refused, unless the `Origin` header is one of settings.CSRF_TRUSTED_ORIGINS.
3. No `Sec-Fetch-Site` (Chrome before 76, Firefox before 90, Safari before 16.4): the `Origin` header decides. It
   must be this request's scheme and host (what Django's own CSRF check calls a good origin), or one of
   CSRF_TRUSTED_ORIGINS; anything else, `null` included, is refused.
4. Neither header: the request passes, as in Go. Browsers send at least one of the two on a cross-origin POST
   (Chrome and Safari in every version, Firefox since 70 in 2019, Edge since 2018, even IE 11: the figures in
   django/new-features#98), so a request with neither is not one a page of another site made a visitor's browser
   send: it is curl, a monitoring check or a script, which could as well fetch a page first and send its token.
   That is acceptable here because these actions are anonymous and low-stakes: none uses a signed-in identity or
   grants anything to whoever sends it (a walk is anonymous, a vote is one row and rate-limited per visitor, the
   template check stores nothing). The worst an exotic browser without both headers could be made to do is
   start or answer an anonymous walk or cast a vote, which the attacker could do themselves.

Staff pages, the admin and the login keep Django's tokens: those act with a staff member's authority, where a
second line of defence is worth its cost, and they are not stored in the page cache. A signed-in staff member who
answers the guide or votes posts to the same public views, with the same check: the views do nothing more for
them than for anyone.

A refused request gets a 403 page of its own (errors.cross_origin_refused: in the visitor's language, `no-store`,
saying the form came from another site and to answer on our page; not the token failure's "reload, accept
cookies", which would not help), the view never runs, and the body is never read.

No `Vary: Sec-Fetch-Site, Origin`: the headers are read only on POST (and other unsafe methods), whose responses no
browser or shared cache stores (a 303, an htmx fragment or a 4xx page, and the 403 says no-store); a GET's response
does not depend on them, so the page cache and browsers may keep using one copy for everyone.
"""

from __future__ import annotations

import functools
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.http import is_same_domain
from django.views.decorators.csrf import csrf_exempt

from portal.errors import cross_origin_refused

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
#: Sec-Fetch-Site values that mean no other site is involved: a page of ours, or the person themselves.
ALLOWED_FETCH_SITES = frozenset({"same-origin", "none"})

REASON_CROSS_SITE = "Cross-origin request refused (Sec-Fetch-Site)."
REASON_BAD_ORIGIN = "Cross-origin request refused (Origin does not match)."


def cross_origin_refusal(request: HttpRequest) -> str | None:
    """Why this request must be refused as cross-origin, or None when it may go on (the module's algorithm)."""
    if request.method in SAFE_METHODS:
        return None
    origin = request.META.get("HTTP_ORIGIN", "")
    fetch_site = request.META.get("HTTP_SEC_FETCH_SITE", "").strip().lower()
    if fetch_site:
        if fetch_site in ALLOWED_FETCH_SITES or (origin and _trusted(origin)):
            return None
        return REASON_CROSS_SITE
    if not origin:
        return None  # neither header: not a browser that a page of another site could have made send it
    if origin.lower() == _own_origin(request) or _trusted(origin):
        return None
    return REASON_BAD_ORIGIN


def cross_origin_protected(view):
    """Decorator: the view takes its unsafe requests only from this site's pages (see the module docstring), and
    needs no CSRF token. Put it outermost, so the check runs before anything the view or its decorators do."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        reason = cross_origin_refusal(request)
        if reason is not None:
            logger.info("refused a %s to %s: %s", request.method, request.path, reason)
            return cross_origin_refused(request)
        return view(request, *args, **kwargs)

    wrapper.cross_origin_protected = True
    return csrf_exempt(wrapper)


def _own_origin(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}".lower()


def _trusted(origin: str) -> bool:
    """One of CSRF_TRUSTED_ORIGINS, read the way Django's CSRF check reads them (exact, or `https://*.example.com`)."""
    origin = origin.lower()
    trusted = [entry.lower() for entry in settings.CSRF_TRUSTED_ORIGINS]
    if origin in trusted:
        return True
    try:
        parts = urlsplit(origin)
    except ValueError:  # not a URL at all (e.g. an unbalanced "[")
        return False
    for entry in trusted:
        scheme, _sep, host_pattern = entry.partition("://")
        if host_pattern.startswith("*") and parts.scheme == scheme and parts.netloc \
                and is_same_domain(parts.netloc, host_pattern[1:]):
            return True
    return False
