"""The look-up: a walk found by its code, shown as the customer saw it."""

import datetime as dt

import pytest
from django.urls import reverse

from portal.content.steps import step_texts
from portal.flows.resolver import every_path
from portal.tracking.models import Vote

from .conftest import NOW, vote, walk

pytestmark = pytest.mark.django_db


def lookup(client, code, lang="it"):
    from django.utils import translation

    with translation.override(lang):
        return client.get(reverse("staff:lookup"), {"code": code})


def question_path(flow):
    """A path to an outcome that answers at least two questions."""
    return next(p for p in every_path(flow) if sum(flow.nodes[n].is_question for n, _a in p) >= 2)


def test_a_walk_shows_each_question_and_answer_in_the_customers_language(support_client, flow):
    path = question_path(flow)
    gaps = [7 + 3 * i for i in range(len(path))]
    session = walk(flow, answers=path, locale="en", gaps=gaps, ref_code="K7QX-2M4P")
    response = lookup(support_client, "k7qx 2m4p")  # staff reading the Italian page, customer in English
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-lookup="found"' in body and 'data-ref-code="K7QX-2M4P"' in body
    english = step_texts(flow, "en")
    for (node_id, answer_id), gap in zip(path, gaps):
        row = body.split(f'data-node="{node_id}"', 1)[1].split("</tr>", 1)[0]
        assert english[node_id].title in row
        if flow.nodes[node_id].is_question:
            assert english[node_id].answers[answer_id] in row
        assert f'data-seconds="{gap}"' in row
        assert f'href="/en/guide/{flow.slug}/{flow.nodes[node_id].slug}/"' in row
    outcome = flow.nodes[session.outcome_node]
    assert f'data-walk-outcome="{outcome.outcome.value}"' in body
    assert english[outcome.id].title in body
    assert 'data-entered="start"' in body
    assert f'data-walk-version="{flow.version}"' in body
    assert session.started_at  # the page shows the walk's times: started and last action
    assert f"{sum(gaps)} s" in body  # time to outcome


def test_a_walk_entered_by_link_says_at_which_step(support_client, flow):
    entry = next(n for n, node in flow.nodes.items() if node.is_question and n != flow.start)
    path = every_path(flow, entry)[0]
    walk(flow, entry=entry, answers=path[:1], ref_code="D8Q2-WXYZ")
    body = lookup(support_client, "D8Q2WXYZ").content.decode()
    entered = body.split('data-entered="link"', 1)[1].split("</dd>", 1)[0]
    assert f"/it/guide/{flow.slug}/{flow.nodes[entry].slug}/" in entered


def test_votes_are_shown_with_their_reasons(support_client, flow):
    session = walk(flow, answers=every_path(flow)[0], ref_code="HHHH-2222")
    vote(target_type=Vote.Target.OUTCOME, target_id=f"{flow.id}:{session.outcome_node}", helpful=False,
         reason=Vote.Reason.OUTDATED, session=session)
    body = lookup(support_client, "hhhh2222").content.decode()
    votes = body.split("data-walk-votes", 1)[1]
    assert 'data-helpful="no"' in votes
    assert str(Vote.Reason.OUTDATED.label) in votes or "Meta" in votes


def test_an_older_flow_version_is_named(support_client, flow):
    walk(flow, answers=every_path(flow)[0][:1], version="0ld-version", ref_code="MMMM-3333")
    body = lookup(support_client, "MMMM-3333").content.decode()
    assert 'data-walk-version="0ld-version"' in body


def test_an_unknown_code_says_so_and_echoes_what_was_typed_escaped(support_client):
    response = lookup(support_client, "<i>zz</i>99XX")
    assert response.status_code == 404
    body = response.content.decode()
    assert 'data-lookup="not-found"' in body
    assert "&lt;i&gt;zz&lt;/i&gt;99XX" in body and "<i>zz</i>" not in body


def test_something_that_cannot_be_a_code_is_a_400_with_the_text_echoed(support_client):
    response = lookup(support_client, "<script>x</script>")
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-lookup="malformed"' in body and "&lt;script&gt;" in body and "<script>x" not in body
    assert lookup(support_client, "A" * 500).status_code == 400


def test_a_confused_character_finds_the_walk(support_client, flow):
    walk(flow, ref_code="D7TW-2345")
    assert 'data-ref-code="D7TW-2345"' in lookup(support_client, "0IL V-2345").content.decode()


def test_several_walks_matching_a_confused_code_are_listed_to_choose(support_client, flow):
    walk(flow, ref_code="DA23-4567")
    walk(flow, ref_code="QA23-4567")
    body = lookup(support_client, "0a23 4567").content.decode()
    assert 'data-lookup="several"' in body
    assert "?code=DA23-4567" in body and "?code=QA23-4567" in body


def test_the_look_up_costs_a_few_queries_whatever_the_walk(support_client, flow, django_assert_max_num_queries):
    path = max(every_path(flow), key=len)
    session = walk(flow, answers=path, ref_code="TTTT-7777")
    for _ in range(3):
        vote(target_type="outcome", target_id=f"{flow.id}:{session.outcome_node}", helpful=True, session=session)
    lookup(support_client, "TTTT-7777")  # words cached
    with django_assert_max_num_queries(8):
        assert lookup(support_client, "TTTT-7777").status_code == 200
