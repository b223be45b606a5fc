"""The staff pages in a real browser: valid HTML (vnu), no axe-core violations at phone and desktop widths, and
the step links' Copy button (JavaScript from a static file; without it the link is a plain selectable field)."""

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from portal.flows.resolver import every_path
from portal.tracking.models import LinkOpen, Vote
from tests.staff.conftest import vote, walk

from .conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

CODE = "K7QX-2M4P"


def staff_pages():
    return {
        "home": reverse("staff:home"),
        "lookup-found": reverse("staff:lookup") + "?code=k7qx+2m4p",
        "lookup-unknown": reverse("staff:lookup") + "?code=ZZZZ-2222",
        "lookup-malformed": reverse("staff:lookup") + "?code=%3Cb%3E",
        "links": reverse("staff:links"),
        "dashboard": reverse("staff:dashboard") + "?period=30",
        "dashboard-bad-dates": reverse("staff:dashboard") + "?period=dates&start=2026-13-01",
        "flow-map": reverse("staff:flow_map") + "?period=30",
        "translations": reverse("staff:translations"),
        "translation-changes": reverse("staff:translation_changes", args=["article", "appeal", "en"]),
        "unhelpful": reverse("staff:unhelpful") + "?period=30",
        "searches": reverse("staff:searches") + "?period=30",
    }


EXPECTED_STATUS = {"lookup-unknown": 404, "lookup-malformed": 400, "dashboard-bad-dates": 400}


@pytest.fixture
def walks(flow):
    """A few walks of every kind, so every table and chart has rows."""
    now = timezone.now()
    paths = every_path(flow)
    first = walk(flow, answers=paths[0], started=now - dt.timedelta(hours=3), ref_code=CODE)
    vote(target_type=Vote.Target.OUTCOME, target_id=f"{flow.id}:{first.outcome_node}", helpful=False,
         reason=Vote.Reason.OUTDATED, session=first, at=now - dt.timedelta(hours=2))
    for index, path in enumerate(paths[1:8]):
        walk(flow, answers=path if index % 3 else path[:1], started=now - dt.timedelta(days=index, hours=2),
             locale="en" if index % 2 else "it")
    LinkOpen.objects.create(day=timezone.localdate(), flow_id=flow.id, node_id=paths[0][1][0], locale="it", count=3)


@pytest.fixture
def editorial(imported):
    """An Italian content change the English has not followed, votes on an article, and searches with gaps."""
    from portal.content import revisions
    from portal.content.models import Article, Significance
    from portal.tracking.models import SearchCount

    italian = Article.objects.get(locale="it", translation_key="appeal")
    italian.body = italian.body.replace("\n\n", "\n\nUn paragrafo nuovo.\n\n", 1)
    italian.save()
    revisions.record(italian, Significance.CONTENT)
    now = timezone.now()
    for index in range(4):
        vote(target_type=Vote.Target.ARTICLE, target_id="appeal", helpful=index == 0, reason=Vote.Reason.UNCLEAR,
             at=now - dt.timedelta(hours=2))
    today = timezone.localdate()
    SearchCount.objects.create(day=today, locale="it", query="numero bannato", searches=9, zero_results=9)
    SearchCount.objects.create(day=today, locale="it", query="ricorso", searches=20, zero_results=0, opens=0)


@pytest.fixture
def superuser():
    # Not the Support group: a live-server test flushes the tables, and the group comes from a data migration.
    return User.objects.create_superuser("boss", "boss@example.org", "x")


@pytest.mark.parametrize("name", list(EXPECTED_STATUS) + ["home", "lookup-found", "links", "dashboard", "flow-map",
                                                          "translations", "translation-changes", "unhelpful",
                                                          "searches"])
def test_staff_pages_are_valid_html(client, superuser, walks, imported, editorial, vnu, name):
    client.force_login(superuser)
    response = client.get(staff_pages()[name])
    assert response.status_code == EXPECTED_STATUS.get(name, 200)
    errors = vnu(response.content)
    assert errors == [], f"{name}:\n" + "\n".join(
        f"- line {e.get('lastLine')}: {e['message']}\n    {e.get('extract', '').strip()!r}" for e in errors)


def _signed_in_context(new_context, client, superuser, live_server, **options):
    client.force_login(superuser)
    context = new_context(**options)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return context


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_staff_pages_have_no_axe_violations(new_context, client, superuser, walks, imported, editorial, live_server,
                                            axe, viewport):
    page = _signed_in_context(new_context, client, superuser, live_server, viewport=viewport).new_page()
    problems = {}
    for name, url in staff_pages().items():
        response = page.goto(live_server.url + url)
        assert response.status == EXPECTED_STATUS.get(name, 200), name
        violations = axe(page)
        if violations:
            problems[name] = [(v["id"], v["impact"], v["targets"][:3]) for v in violations]
    assert problems == {}


def test_the_copy_button_copies_a_step_link(new_context, client, superuser, live_server, flow):
    context = _signed_in_context(new_context, client, superuser, live_server,
                                 permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(live_server.url + reverse("staff:links"))
    field_id = f"link-{flow.start}-it"
    button = page.locator(f'[data-copy-field="{field_id}"]')
    assert button.is_visible()
    button.click()
    page.wait_for_selector(f'[data-copy-field="{field_id}"][data-copied="true"]')
    assert page.evaluate("navigator.clipboard.readText()") == page.input_value(f"#{field_id}")
    assert page.input_value(f"#{field_id}").endswith(f"/it/guide/{flow.slug}/{flow.nodes[flow.start].slug}/")


def test_without_javascript_the_link_is_a_selectable_field_and_no_button_shows(new_context, client, superuser,
                                                                                live_server, flow):
    page = _signed_in_context(new_context, client, superuser, live_server, java_script_enabled=False).new_page()
    page.goto(live_server.url + reverse("staff:links"))
    field = page.locator(f"#link-{flow.start}-it")
    assert field.is_visible() and field.get_attribute("readonly") is not None
    assert not page.locator(f'[data-copy-field="link-{flow.start}-it"]').is_visible()
