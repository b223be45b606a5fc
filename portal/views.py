from django.http import HttpRequest, HttpResponse

from .errors import RETRY_AFTER
from .health import cache_ready, database_ready
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.vary import vary_on_headers


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness, and the benchmark's baseline: no template, no database, a tiny body."""
    return HttpResponse(b"ok", content_type="text/plain")


@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness for a load balancer: 200 when the database (and a shared cache, if configured) answer, else 503
    naming what is down, so traffic goes to another instance."""
    down = [name for name, ready in (("database", database_ready()), ("cache", cache_ready())) if not ready]
    if down:
        response = HttpResponse(f"unavailable: {', '.join(down)}\n".encode(), content_type="text/plain", status=503)
        response["Retry-After"] = str(RETRY_AFTER)
        return response
    return HttpResponse(b"ready\n", content_type="text/plain")


@never_cache
@vary_on_headers("Accept-Language", "Cookie")
def root_redirect(request: HttpRequest) -> HttpResponse:
    """`/` → the visitor's language (cookie, then Accept-Language), Italian by default."""
    language = translation.get_language_from_request(request)
    with translation.override(language):
        return redirect(reverse("home"))
