"""Step ids are permalinks: an id listed in the flow's [moved] table answers 301 to the step it moved to."""

import dataclasses
from types import MappingProxyType

import pytest

from portal.flows import registry

from .helpers import FLOW, node_of, step_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def renamed(flow, monkeypatch):
    """The real guide as if `reason` had been called `why_blocked`, and `block_reason` before that."""
    moved = dataclasses.replace(flow, moved=MappingProxyType({"why_blocked": "reason", "block_reason": "reason"}))
    monkeypatch.setattr(registry, "all_flows", lambda: {FLOW: moved})
    return moved


@pytest.mark.parametrize("lang", ["it", "en"])
@pytest.mark.parametrize("old", ["why_blocked", "block_reason"])
def test_old_url_answers_301_to_the_new_step_in_every_language(client, renamed, lang, old):
    response = client.get(step_url(old, lang))
    assert (response.status_code, response["Location"]) == (301, step_url("reason", lang))
    assert step_url(old, lang).endswith(f"/{old.replace('_', '-')}/")  # the old slug, with hyphens
    assert node_of(client.get(response["Location"])) == "reason"


def test_old_url_over_htmx_redirects_too(client, renamed):
    response = client.get(step_url("why_blocked"), HTTP_HX_REQUEST="true")
    assert (response.status_code, response["Location"]) == (301, step_url("reason"))


def test_an_answer_posted_from_a_page_opened_before_the_rename_keeps_its_method(client, renamed):
    response = client.post(step_url("why_blocked"), {"answer": "spam"})
    assert (response.status_code, response["Location"]) == (308, step_url("reason"))


def test_underscore_spelling_of_an_old_id_is_still_a_404(client, renamed):
    response = client.get(f"/it/guide/{FLOW}/why_blocked/")
    assert response.status_code == 404


def test_an_id_never_used_is_a_404(client, renamed):
    assert client.get(step_url("never_was")).status_code == 404


@pytest.mark.parametrize("lang", ["it", "en"])
def test_every_moved_id_of_the_real_guide_redirects(client, flow, lang):
    for old, new in flow.moved.items():
        response = client.get(step_url(old, lang))
        assert (response.status_code, response["Location"]) == (301, step_url(new, lang)), old
        assert new in flow.nodes
