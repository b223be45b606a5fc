"""The edge: input that is not text is refused with a 400 before any session, form, view or database sees it.

Two layers, because Django itself fails on some input before any middleware runs:

- `guard_environ` (a WSGI wrapper in portal/wsgi.py, and the tests' client): a Content-Type whose parameters Django
  cannot parse (e.g. `charset*=BOGUS''utf-8`, which raises LookupError while the request object is being built) is
  replaced by an empty one and the request is marked refused; the raw path is kept before Django decodes it.
- `EdgeMiddleware` (early in settings.MIDDLEWARE): refuses a marked request, NUL and other control characters or
  invalid UTF-8 in the path, the query string, the cookies and form bodies (urlencoded and multipart), and a form body
  Django cannot parse. The 400 page is the site's own, in the language of the URL, with the security headers.

The rules are about text, not about meaning: accents, emoji, tabs and newlines (in values) all pass.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote_to_bytes

from django.core.exceptions import BadRequest, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import translation
from django.utils.http import parse_header_parameters

logger = logging.getLogger("portal.edge")

REFUSED = "portal.edge.refused"
RAW_PATH = "portal.edge.raw_path"
FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}
#: C0 controls and DEL: never part of a URL path or a cookie.
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: In names and values, tabs and line breaks are text (a textarea); every other C0 control is not.
CONTROL_IN_VALUE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
CONTENT_LENGTH = re.compile(r"[ \t]*[0-9]{1,15}[ \t]*")


def guard_environ(environ: dict) -> dict:
    """Make the WSGI environ safe for Django to build its request from; mark it refused if it had to change it."""
    environ.setdefault(RAW_PATH, environ.get("PATH_INFO", ""))
    content_type = environ.get("CONTENT_TYPE", "")
    if content_type:
        try:
            _, params = parse_header_parameters(content_type)
            _check_text_param(params.get("charset"))
            _check_text_param(params.get("boundary"))
        except (LookupError, ValueError, UnicodeError):
            environ["CONTENT_TYPE"] = ""
            environ.setdefault(REFUSED, "content-type")
    return environ


def _check_text_param(value: str | None) -> None:
    if value is not None and CONTROL.search(value):
        raise ValueError("control character in a Content-Type parameter")


class EdgeGuard:
    """WSGI wrapper: guard_environ before Django builds its request (see portal/wsgi.py)."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        return self.application(guard_environ(environ), start_response)


class EdgeMiddleware:
    """Refuses bad input with the site's 400 page. After the middleware that sets response headers (so the page
    carries them), before the sessions, the language, CSRF and the views (so none of them reads bad input)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        problem = refusal(request)
        if problem:
            logger.info("refused at the edge: %s", problem)
            from portal.errors import bad_request_page

            return bad_request_page(request)
        return self.get_response(request)


def refusal(request: HttpRequest) -> str | None:
    """Why this request is refused, or None if its text is fine."""
    meta = request.META
    if meta.get(REFUSED):
        return meta[REFUSED]
    raw_path = meta.get(RAW_PATH)
    if raw_path is not None and not _is_utf8(raw_path):
        return "path is not UTF-8"
    if CONTROL.search(request.path_info):
        return "control character in the path"
    if _bad_pairs(meta.get("QUERY_STRING", "")):
        return "query string"
    if meta.get("CONTENT_LENGTH") and not CONTENT_LENGTH.fullmatch(meta["CONTENT_LENGTH"]):
        return "Content-Length is not a number"  # Django would fail on it when reading the body
    cookie = meta.get("HTTP_COOKIE", "")
    if cookie:
        if not _is_utf8(cookie):
            return "cookie is not UTF-8"
        if any(CONTROL.search(name) or CONTROL.search(value) for name, value in request.COOKIES.items()):
            return "control character in a cookie"
    if request.method in ("POST", "PUT", "PATCH") and request.content_type in FORM_TYPES:
        return _form_refusal(request)
    return None


def _form_refusal(request: HttpRequest) -> str | None:
    if request.content_type == "application/x-www-form-urlencoded":
        charset = request.content_params.get("charset")
        if charset and charset.strip().lower().replace("_", "-") not in ("utf-8", "utf8"):
            return "form body not in UTF-8"
        # request.body may raise RequestDataTooBig: a SuspiciousOperation, which Django answers with handler400.
        if _bad_pairs(request.body):
            return "form body"
        return None
    try:
        fields, files = request.POST, request.FILES
    except (MultiPartParserError, BadRequest, ValueError, LookupError, UnicodeError):
        return "multipart body"
    except SuspiciousOperation:
        raise
    for name, values in fields.lists():
        if CONTROL_IN_VALUE.search(name) or any(CONTROL_IN_VALUE.search(value) for value in values):
            return "control character in a multipart field"
    for name, uploads in files.lists():
        if CONTROL_IN_VALUE.search(name) or any(CONTROL_IN_VALUE.search(upload.name or "") for upload in uploads):
            return "control character in a multipart file name"
    return None


def _bad_pairs(data: str | bytes) -> bool:
    """True if a query string or urlencoded body is not UTF-8 once decoded, or has a control character."""
    if isinstance(data, str):
        try:
            data = data.encode("latin-1")  # WSGI passes bytes as latin-1 text
        except UnicodeEncodeError:
            return True
    if not data:
        return False
    for pair in data.split(b"&"):
        for part in pair.split(b"=", 1):
            try:
                text = unquote_to_bytes(part.replace(b"+", b" ")).decode("utf-8")
            except UnicodeDecodeError:
                return True
            if CONTROL_IN_VALUE.search(text):
                return True
    return False


def _is_utf8(wsgi_text: str) -> bool:
    try:
        wsgi_text.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return False
    return True


def language_of(request: HttpRequest) -> str:
    """The language of the URL's prefix, else the visitor's (cookie, Accept-Language), else Italian."""
    try:
        return translation.get_language_from_path(request.path_info) or translation.get_language_from_request(
            request, check_path=False)
    except Exception:  # the request is already known to be odd: never fail while choosing a language
        return "it"
