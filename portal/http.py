"""Small response helpers shared by the site's views."""

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse


def method_not_allowed(request: HttpRequest, allowed: list[str]) -> HttpResponse:
    """A 405 in the site's style, with the Allow header."""
    response = TemplateResponse(request, "405.html", {"allowed": allowed}, status=405)
    response["Allow"] = ", ".join(allowed)
    return response.render()
