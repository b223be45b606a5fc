"""Every staff URL, for every kind of visitor: the login page for anyone not staff, Support is enough."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation

from portal.staff.access import SUPPORT_GROUP

pytestmark = pytest.mark.django_db

#: (url name, kwargs, needs the right to read walks)
PAGES = [
    ("staff:home", {}, False),
    ("staff:lookup", {}, True),
    ("staff:links", {}, False),
    ("staff:dashboard", {}, True),
    ("staff:dashboard_csv", {"table": "summary"}, True),
    ("staff:flow_map", {}, True),
]


def staff_urls():
    for lang in ("it", "en"):
        with translation.override(lang):
            for name, kwargs, needs_walks in PAGES:
                yield reverse(name, kwargs=kwargs), needs_walks




def _login_redirect(response, url):
    assert response.status_code == 302, (url, response.status_code)
    assert response["Location"].startswith(reverse("admin:login") + "?next=")
    assert url.split("?")[0] in response["Location"]


def test_anonymous_visitors_get_the_login_page_on_every_staff_url(client):
    for url, _needs in staff_urls():
        _login_redirect(client.get(url), url)


def test_signed_in_non_staff_get_the_login_page_on_every_staff_url(client, customer_user):
    client.force_login(customer_user)
    for url, _needs in staff_urls():
        _login_redirect(client.get(url), url)


def test_an_inactive_staff_account_gets_the_login_page(client, support_user):
    support_user.is_active = False
    support_user.save()
    client.force_login(support_user)
    for url, _needs in staff_urls():
        assert client.get(url).status_code == 302


def test_support_group_is_enough_for_every_staff_page(support_client):
    for url, _needs in staff_urls():
        response = support_client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_superusers_open_every_staff_page(admin_client):
    for url, _needs in staff_urls():
        assert admin_client.get(url).status_code == 200, url


def test_staff_without_support_rights_see_the_hub_and_links_but_not_the_walks(client, plain_staff):
    client.force_login(plain_staff)
    for url, needs_walks in staff_urls():
        assert client.get(url).status_code == (403 if needs_walks else 200), url
    home = client.get(reverse("staff:home")).content.decode()
    assert 'data-section="links"' in home and 'data-section="dashboard"' not in home


def test_the_support_group_has_view_rights_only():
    codenames = set(Group.objects.get(name=SUPPORT_GROUP).permissions.values_list("codename", flat=True))
    assert {"view_flowsession", "view_sessionevent", "view_vote", "view_linkopen", "view_steptext",
            "view_article"} <= codenames
    assert all(code.startswith("view_") for code in codenames)


def test_staff_home_lists_sections_that_others_can_add(support_client):
    from portal.staff import hub

    hub.register(hub.Section("extra", "Extra readout", "Added by another app.", "staff:links"))
    try:
        body = support_client.get(reverse("staff:home")).content.decode()
        assert 'data-section="extra"' in body and 'data-section="lookup"' in body
    finally:
        hub._sections.pop("extra")


def test_staff_pages_are_not_indexed(support_client):
    body = support_client.get(reverse("staff:home")).content.decode()
    assert 'name="robots" content="noindex' in body
