from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.vary import vary_on_headers


def healthz(request: HttpRequest) -> HttpResponse:
    """The benchmark's baseline: no template, no database, a tiny body."""
    return HttpResponse(b"ok", content_type="text/plain")


@never_cache
@vary_on_headers("Accept-Language", "Cookie")
def root_redirect(request: HttpRequest) -> HttpResponse:
    """`/` → the visitor's language (cookie, then Accept-Language), Italian by default."""
    language = translation.get_language_from_request(request)
    with translation.override(language):
        return redirect(reverse("home"))
