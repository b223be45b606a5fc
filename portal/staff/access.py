"""Who may open which staff page.

Every staff page needs a signed-in staff account (the admin's login, so one sign-in serves both); anyone else is
sent to that login page with `?next=` back to the page. A page may also need a permission: the "Support" group's
view-only rights are enough for every page here. A staff member without it gets a 403 that says what is missing.
"""

from __future__ import annotations

import functools
from typing import Callable

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache

#: What reading the tracked walks needs (look-up, dashboard, flow map); the Support group has it.
VIEW_WALKS = "tracking.view_flowsession"
SUPPORT_GROUP = "Support"


def is_staff_member(user) -> bool:
    return user.is_active and user.is_staff


def staff_page(permission: str | None = None) -> Callable:
    """Decorates a staff view: login for anyone who is not active staff, 403 without `permission`, never cached."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not is_staff_member(request.user):
                return redirect_to_login(request.get_full_path(), reverse("admin:login"))
            if permission and not request.user.has_perm(permission):
                raise PermissionDenied(permission)
            return view(request, *args, **kwargs)

        return never_cache(wrapped)

    return decorate

#: What the editorial readouts need (translations, unhelpful content, search gaps); the Editors group has it.
EDITORIAL = "tracking.view_editorial"
EDITORS_GROUP = "Editors"
