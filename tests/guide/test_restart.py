"""Start again: asked first (a real page without JavaScript), and browser Back afterwards never fakes a new walk."""

import pytest

from portal.tracking.models import FlowSession

from .helpers import attr_values, node_of, start_url, step_url
from .test_views import HTMX, answer, walk_to

pytestmark = pytest.mark.django_db

RESTART = "/it/guide/blocked-number/restart/"


def test_a_step_with_answers_links_to_the_confirmation_not_to_a_start_button(client):
    response = walk_to(client, ("start", "continue"), ("product", "platform"), ("review_requested", "no"))
    body = response.content.decode()
    assert f'href="{RESTART}"' in body
    assert f'action="{start_url()}"' not in body, "a single click would throw the answers away"


def test_confirmation_page_asks_and_changes_nothing(client):
    current = node_of(walk_to(client, ("start", "continue"), ("product", "platform"), ("review_requested", "no")))
    before = client.cookies["walk"].value
    response = client.get(RESTART)
    body = response.content.decode()
    assert response.status_code == 200
    assert attr_values(response, "data-node") == ["restart"]
    assert f'<form method="post" action="{start_url()}">' in body  # yes: a plain POST to the start
    assert body.count(f'href="{step_url(current)}"') >= 1  # no: back to where the walk is
    assert client.cookies["walk"].value == before
    assert "walk" not in response.cookies, "the question page must not touch the walk"
    assert FlowSession.objects.count() == 1
    assert '<meta name="robots" content="noindex">' in body


def test_confirmation_over_htmx_is_the_step_region_with_the_header_links(client):
    walk_to(client, ("start", "continue"))
    response = client.get(RESTART, **HTMX)
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="step"')
    assert 'id="language-switch"' in body and 'data-hx-swap-oob="true"' in body
    assert 'href="/en/guide/blocked-number/restart/"' in body


def test_confirmation_without_a_walk_still_answers(client):
    response = client.get(RESTART)
    assert response.status_code == 200
    assert f'href="{step_url("start")}"' in response.content.decode()


def test_confirmation_refuses_post(client):
    assert client.post(RESTART).status_code == 405


def test_back_after_start_again_returns_to_the_new_walk_without_a_new_session(client):
    """Restart, then browser Back to the step the old walk was on: the visitor is sent to the new walk's step; no
    third tracked session, no "you opened this from a link" note."""
    walk_to(client, ("start", "continue"), ("product", "platform"), ("review_requested", "no"))
    client.post(start_url())
    sessions = FlowSession.objects.count()
    response = client.get(step_url("review_requested"), follow=True)
    assert node_of(response) == "start"
    assert FlowSession.objects.count() == sessions
    assert "Hai aperto questo passo da un link" not in response.content.decode()


def test_a_link_to_a_step_never_walked_still_starts_a_walk_there_after_a_restart(client):
    walk_to(client, ("start", "continue"), ("product", "platform"), ("review_requested", "no"))
    client.post(start_url())
    response = client.get(step_url("appeal_spam"))
    assert node_of(response) == "appeal_spam"
    assert attr_values(response, "data-outcome") == ["appeal"]


def test_opened_from_a_link_the_start_again_button_needs_no_confirmation(client):
    body = client.get(step_url("spam_duration")).content.decode()
    assert f'action="{start_url()}"' in body


def test_answering_after_restart_is_a_normal_walk(client):
    walk_to(client, ("start", "continue"), ("product", "platform"), ("review_requested", "no"))
    client.post(start_url())
    assert answer(client, "start", "continue").status_code == 303
