"""The site's error pages (400, 403, CSRF, 404, 405, 500, 503): in the visitor's language, never a 500 of their own.

Every handler forgets the request body before rendering: a page about a broken request must not parse it again (the
template's context processors, or anything they call, could otherwise touch request.POST and fail a second time). The
response goes back through the middleware, so the security headers (CSP, nosniff, …) are set like on any page; if
rendering fails anyway, a minimal page still goes out with the right status instead of the server's bare 500.
"""

from __future__ import annotations

import logging
import sys

from django.http import HttpRequest, HttpResponse, QueryDict
from django.template import loader
from django.utils import translation
from django.utils.datastructures import MultiValueDict

from .health import is_unavailable

logger = logging.getLogger("portal.errors")

#: Seconds a client should wait before trying again when the database is unavailable.
RETRY_AFTER = 30

FALLBACK = (
    '<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{status}</title></head>'
    '<body><main data-error-page="{status}"><h1>{status}</h1><p><a href="/">Home</a></p></main></body></html>'
)


def page_language(request: HttpRequest) -> str:
    """The language LocaleMiddleware chose; for a request refused before it ran, the one its URL or visitor asks."""
    from portal.edge import language_of

    return getattr(request, "LANGUAGE_CODE", None) or language_of(request)


def forget_body(request: HttpRequest) -> None:
    """Make request.POST and request.FILES empty unless they were already parsed, so nothing parses them again."""
    if not hasattr(request, "_post"):
        request._post, request._files = QueryDict(), MultiValueDict()


def error_page(request: HttpRequest, status: int, template: str, context: dict | None = None,
               language: str | None = None) -> HttpResponse:
    forget_body(request)
    language = language or page_language(request)
    try:
        with translation.override(language):
            html = loader.render_to_string(template, {"status": status, **(context or {})}, request=request)
    except Exception:  # an error page must always be an answer: a minimal one if the site's layout fails
        logger.exception("the %s page could not be rendered", status)
        html = FALLBACK.format(lang=language, status=status)
    response = HttpResponse(html, status=status, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-store"
    response["Content-Language"] = language
    return response


def bad_request_page(request: HttpRequest, language: str | None = None) -> HttpResponse:
    return error_page(request, 400, "400.html", language=language)


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    return bad_request_page(request)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return error_page(request, 403, "403.html")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return error_page(request, 403, "403_csrf.html")


def cross_origin_refused(request: HttpRequest) -> HttpResponse:
    """A public form posted from another site's page (portal/crossorigin.py): nothing about cookies or expiry, which
    is what the token failure above says; the way on is to open our page and answer there."""
    return error_page(request, 403, "403_cross_origin.html")


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return error_page(request, 404, "404.html")


def method_not_allowed(request: HttpRequest, allowed: list[str]) -> HttpResponse:
    response = error_page(request, 405, "405.html", {"allowed": allowed})
    response["Allow"] = ", ".join(allowed)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """No layout, no context processors: whatever broke must not break this page too. A database (or shared cache)
    that cannot be reached is not a bug of ours: that is a 503 with Retry-After."""
    if is_unavailable(sys.exc_info()[1]):
        logger.warning("service unavailable: %s", sys.exc_info()[1])
        return service_unavailable(request)
    forget_body(request)
    language = page_language(request)
    try:
        with translation.override(language):
            html = loader.render_to_string("500.html", {"lang": language, "status": 500})
    except Exception:
        logger.exception("the 500 page could not be rendered")
        html = FALLBACK.format(lang=language, status=500)
    response = HttpResponse(html, status=500, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


def service_unavailable(request: HttpRequest) -> HttpResponse:
    """The database (or the cache) is down: a 503 the visitor can understand, and when to try again."""
    response = error_page(request, 503, "503.html", {"retry_after": RETRY_AFTER})
    response["Retry-After"] = str(RETRY_AFTER)
    return response
