"""Small response helpers shared by the site's views."""

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect


def method_not_allowed(request: HttpRequest, allowed: list[str]) -> HttpResponse:
    """A 405 in the site's style, with the Allow header."""
    from .errors import method_not_allowed as page

    return page(request, allowed)


def see_other(url: str) -> HttpResponseRedirect:
    """303 after a successful POST (Post/Redirect/Get): the browser, and htmx, follow it with a GET."""
    response = HttpResponseRedirect(url)
    response.status_code = 303
    return response


def permanent_redirect_keep_method(url: str) -> HttpResponsePermanentRedirect:
    """308: moved for good, and the browser repeats the same method and body at the new URL."""
    response = HttpResponsePermanentRedirect(url)
    response.status_code = 308
    return response
