"""Query budgets of the public pages (issue #9): the number of SQL statements a page costs, warm (words and page
caches filled, as on a running site) and, where the budget says so, cold.

The staff dashboard's budget (bounded, independent of the number of walks) is held by
tests/staff/test_dashboard.py::test_query_count_does_not_grow_with_the_number_of_walks.
"""

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from portal.tracking import services
from portal.tracking.models import LinkOpen
from tests.guide.helpers import answer_to_first_outcome, start_url, step_url, walk_state

pytestmark = pytest.mark.django_db

ARTICLE = "/it/articles/fare-ricorso/"


def warm(client, url):
    assert client.get(url).status_code == 200  # fills the words cache and the page cache


@pytest.mark.parametrize("url", ["/it/", "/en/", ARTICLE, "/en/articles/appeal-a-block/", "/it/topics/capire/"])
def test_home_article_and_topic_pages_cost_at_most_one_query(client, imported, url, django_assert_max_num_queries):
    warm(client, url)
    with django_assert_max_num_queries(1):  # the content revision token, then the stored page
        response = client.get(url)
    assert response.status_code == 200 and b"<h1" in response.content


def test_search_costs_at_most_two_queries_and_one_when_repeated(client, imported, django_assert_max_num_queries):
    warm(client, "/it/")  # the guides' words are read once per revision, not per search
    with django_assert_max_num_queries(2):  # the revision token and the search itself
        first = client.get("/it/search/", {"q": "ricorso"})
    assert "fare-ricorso" in first.content.decode()
    with django_assert_max_num_queries(1):
        again = client.get("/it/search/", {"q": "ricorso"})
    assert "fare-ricorso" in again.content.decode()


def test_a_question_step_on_the_walk_costs_at_most_one_query(client, imported, flow, django_assert_max_num_queries):
    client.post(start_url())
    node = flow.nodes[flow.start]
    while not node.is_question:  # the guide opens with an information step: Continue to the first question
        client.post(step_url(node.id), {"answer": "continue"})
        node = flow.nodes[node.target("continue")]
    warm(client, step_url(node.id))
    with django_assert_max_num_queries(1):
        response = client.get(step_url(node.id))
    page = response.content.decode()
    assert response.status_code == 200 and 'type="radio" name="answer"' in page and 'name="from_link"' not in page


def test_an_outcome_with_the_walks_code_costs_at_most_one_query(client, imported, flow,
                                                               django_assert_max_num_queries):
    """A stored step page with the walk's code filled in per response (portal/guide/views.py): the revision token."""
    client.post(start_url())
    node = answer_to_first_outcome(client, flow)
    warm(client, step_url(node.id))
    with django_assert_max_num_queries(1):
        response = client.get(step_url(node.id))
    assert f'data-session-ref="{walk_state(client)["ref"]}"' in response.content.decode()


@override_settings(PORTAL_COUNT_FLUSH_SECONDS=3600)
def test_a_question_step_opened_from_a_link_costs_at_most_one_query_and_is_still_counted(
        client, imported, django_assert_max_num_queries):
    warm(client, step_url("reason"))
    client.cookies.clear()
    with django_assert_max_num_queries(1):  # no cookie, no walk: the link-open count waits in the process
        response = client.get(step_url("reason"))
    assert response.status_code == 200 and 'name="from_link"' in response.content.decode()
    services.link_opens.flush()
    assert LinkOpen.objects.get(node_id="reason").count == 2


def _statements(context):
    return [q["sql"] for q in context.captured_queries]


def _one_transaction(statements):
    """The statements ran inside one atomic block (the test's own transaction makes it a savepoint: the first
    statement, its RELEASE the last). Returns the statements inside it."""
    first, last = statements[0], statements[-1]
    assert first.startswith("SAVEPOINT ") and last == "RELEASE " + first, statements
    return statements[1:-1]


def test_every_answer_of_a_walk_costs_at_most_three_statements_in_one_transaction(client, imported, flow):
    client.post(start_url())  # the Start button: the walk's tracked session exists before its answers
    node = flow.nodes[flow.start]
    answered = 0
    while not node.is_outcome:  # the first answer each time, down to an outcome (whose answer writes its event)
        answer = node.answers[-1].id if node.answers else "continue"  # an info step: Continue
        with CaptureQueriesContext(connection) as context:
            response = client.post(step_url(node.id), {"answer": answer})
        assert response.status_code == 303
        statements = _one_transaction(_statements(context))
        assert len(statements) <= 3, statements
        assert walk_state(client)["answers"][-1] == [node.id, answer]
        node = flow.nodes[node.target(answer)]
        answered += 1
    assert answered >= 2
    assert response["Location"].endswith(step_url(node.id))


def test_the_first_answer_on_a_step_opened_from_a_link_starts_its_session_in_one_transaction(client, imported, flow):
    node = flow.nodes["reason"]
    answer = node.answers[0].id
    with CaptureQueriesContext(connection) as context:
        response = client.post(step_url(node.id), {"answer": answer, "from_link": "1"})
    assert response.status_code == 303
    statements = _one_transaction(_statements(context))
    # The session and its started + answered events (one INSERT each), inside the savepoint that retries a
    # reference code that is already taken.
    real = [s for s in statements if "SAVEPOINT" not in s]
    assert len(real) <= 3 and len(statements) <= 4, statements
    state = walk_state(client)
    assert state["sid"] and state["entry"] == "reason" and state["answers"] == [["reason", answer]]
