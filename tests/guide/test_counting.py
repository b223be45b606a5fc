"""Tracking counts people, not fetches: a GET writes nothing but the link-open counter; a walk starts with a POST."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from portal.flows.resolver import every_path, resolve_node
from portal.tracking.models import FlowSession, LinkOpen, SessionEvent, Vote

from .helpers import attr_values, node_of, set_walk_state, start_url, step_url, walk_state

pytestmark = pytest.mark.django_db

#: Real user agents of link-preview fetchers and crawlers, as they arrive in access logs.
FETCHERS = {
    "whatsapp": "WhatsApp/2.23.20.0 A",
    "facebook": "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "telegram": "TelegramBot (like TwitterBot)",
    "slack": "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "twitter": "Twitterbot/1.0",
    "google": "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/126.0.6478.126 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "no-agent": "",
}
PERMALINKS = ["start", "reason", "spam_duration", "appeal_spam", "wait_review_pending", "contact_no_reason"]
BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) " \
          "Version/17.5 Mobile/15E148 Safari/604.1"


def _nothing_tracked():
    return (FlowSession.objects.count(), SessionEvent.objects.count(), Session.objects.count(),
            FlowSession.objects.exclude(outcome_kind="").count()) == (0, 0, 0, 0)


def _link_opens():
    return {(o.node_id, o.locale): o.count for o in LinkOpen.objects.all()}


@pytest.mark.parametrize("agent", FETCHERS.values(), ids=FETCHERS.keys())
def test_link_previews_and_crawlers_only_move_the_link_open_count(agent):
    fetcher = Client(HTTP_USER_AGENT=agent)
    for _ in range(3):  # a preview, a second preview, a staff member checking the link
        for node_id in PERMALINKS:
            fetcher.cookies.clear()  # fetchers keep no cookies
            response = fetcher.get(step_url(node_id))
            assert response.status_code == 200 and node_of(response) == node_id
        assert fetcher.get(start_url()).status_code == 302
        assert fetcher.get(step_url("reason", "en")).status_code == 200
    assert _nothing_tracked()
    # The first step is the guide's own landing page, not a link to a step: it is not counted.
    assert _link_opens() == {**{(node_id, "it"): 3 for node_id in PERMALINKS if node_id != "start"},
                             ("reason", "en"): 3}


def test_an_outcome_opened_from_a_link_shows_its_advice_and_records_no_outcome():
    response = Client(HTTP_USER_AGENT=FETCHERS["whatsapp"]).get(step_url("appeal_spam"))
    assert attr_values(response, "data-outcome") == ["appeal"]
    assert attr_values(response, "data-session-ref") == []  # no walk, no code: it is offered through a POST
    assert attr_values(response, "data-code-request") == [None]
    assert _nothing_tracked()


def test_head_requests_count_nothing(client):
    for node_id in PERMALINKS:
        response = client.head(step_url(node_id))
        assert response.status_code == 200 and response.content == b""
    assert client.head(start_url()).status_code == 302
    assert _nothing_tracked() and not LinkOpen.objects.exists()


def test_a_get_with_a_walk_writes_nothing_at_all(client):
    client.post(start_url())
    client.post(step_url("start"), {"answer": "continue"})
    before = (FlowSession.objects.values_list("last_seen_at", "last_node").get(), SessionEvent.objects.count())
    for _ in range(3):
        client.get(step_url("product"))
        client.get(step_url("start"))
    assert (FlowSession.objects.values_list("last_seen_at", "last_node").get(), SessionEvent.objects.count()) == before
    assert not LinkOpen.objects.exists() and not Session.objects.exists()


def test_a_browser_walk_is_one_session_with_the_expected_events(flow):
    path = max(every_path(flow), key=len)
    outcome = resolve_node(flow, path).current
    browser = Client(HTTP_USER_AGENT=BROWSER)
    browser.get("/it/")
    browser.post(start_url(), follow=True)
    for node_id, answer_id in path:
        page = browser.get(step_url(node_id))
        assert node_of(page) == node_id
        response = browser.post(step_url(node_id), {"answer": answer_id}, follow=True)
    session = FlowSession.objects.get()
    assert attr_values(response, "data-outcome") == [session.outcome_kind] == [outcome.outcome.value]
    assert attr_values(response, "data-session-ref") == [session.ref_code]
    assert [(e.kind, e.node_id, e.answer_id) for e in session.events.all()] == [
        ("started", flow.start, ""),
        *[("answered", node_id, answer_id) for node_id, answer_id in path],
        ("outcome", outcome.id, ""),
    ]
    assert (session.entry_node, session.last_node, session.outcome_node) == (flow.start, outcome.id, outcome.id)
    assert not LinkOpen.objects.exists() and not Session.objects.exists()


def test_reloads_and_double_submits_add_nothing(client):
    client.post(start_url())
    path = [("start", "continue"), ("product", "platform"), ("review_requested", "in_review")]
    for node_id, answer_id in path:
        before_cookie = client.cookies["walk"].value
        client.post(step_url(node_id), {"answer": answer_id})
        client.post(step_url(node_id), {"answer": answer_id})  # a double submit that saw the first response
        client.cookies["walk"] = before_cookie
        client.post(step_url(node_id), {"answer": answer_id})  # one that raced it, with the old cookie
    for _ in range(3):
        client.get(step_url("wait_review_pending"))  # reloads of the outcome
    session = FlowSession.objects.get()
    assert [(e.kind, e.node_id, e.answer_id) for e in session.events.all()] == [
        ("started", "start", ""),
        ("answered", "start", "continue"),
        ("answered", "product", "platform"),
        ("answered", "review_requested", "in_review"),
        ("outcome", "wait_review_pending", ""),
    ]


def test_going_back_and_giving_the_same_answer_keeps_the_later_answers(client):
    client.post(start_url())
    client.post(step_url("start"), {"answer": "continue"})
    client.post(step_url("product"), {"answer": "platform"})
    client.post(step_url("review_requested"), {"answer": "no"})
    client.post(step_url("reason"), {"answer": "spam"})
    response = client.post(step_url("review_requested"), {"answer": "no"})
    assert response["Location"] == step_url("reason")
    assert walk_state(client)["answers"][-1] == ["reason", "spam"]
    assert SessionEvent.objects.filter(kind="answered").count() == 4


def test_the_first_answer_on_a_page_opened_from_a_link_starts_the_walk_there():
    visitor = Client(HTTP_USER_AGENT=BROWSER)
    page = visitor.get(step_url("reason"))
    assert attr_values(page, "data-entered-by-link") == [None]
    assert 'name="from_link" value="1"' in page.content.decode()
    visitor.post(step_url("reason"), {"answer": "scam", "from_link": "1"})
    session = FlowSession.objects.get()
    assert (session.entry_node, session.last_node) == ("reason", "scam_duration")
    assert [(e.kind, e.node_id, e.answer_id) for e in session.events.all()] == [
        ("started", "reason", ""), ("answered", "reason", "scam")]
    assert _link_opens() == {("reason", "it"): 1}


def test_a_code_request_on_an_outcome_opened_from_a_link(client):
    client.get(step_url("contact_no_reason"))
    response = client.post(step_url("contact_no_reason") + "code/", follow=True)
    session = FlowSession.objects.get()
    assert attr_values(response, "data-session-ref") == [session.ref_code]
    assert attr_values(response, "data-outcome") == ["contact-meta"]
    assert (session.entry_node, session.outcome_node, session.outcome_kind) == (
        "contact_no_reason", "contact_no_reason", "contact-meta")
    assert session.outcome_at is not None
    assert list(session.events.values_list("kind", flat=True)) == ["started", "code_requested"]


class TestVotes:
    def test_a_vote_on_a_step_opened_from_a_link_starts_a_walk_there(self, client, imported):
        client.get(step_url("appeal_spam"))
        client.post("/it/feedback/", {"target": "outcome:blocked_number:appeal_spam", "helpful": "yes",
                                      "next": step_url("appeal_spam")})
        session = FlowSession.objects.get()
        assert Vote.objects.get().session == session
        assert session.entry_node == "appeal_spam" and walk_state(client)["entry"] == "appeal_spam"

    def test_a_vote_on_a_step_of_the_walk_joins_its_session(self, client, imported):
        client.post(start_url())
        client.post("/it/feedback/", {"target": "step:blocked_number:start", "helpful": "no"})
        assert Vote.objects.get().session == FlowSession.objects.get()

    def test_a_vote_away_from_the_walk_leaves_the_walk_alone(self, client, imported):
        client.post(start_url())
        client.post("/it/feedback/", {"target": "outcome:blocked_number:appeal_spam", "helpful": "no"})
        assert Vote.objects.get().session is None
        assert FlowSession.objects.count() == 1 and walk_state(client)["entry"] == "start"

    def test_an_article_vote_starts_no_walk(self, client, imported):
        client.post("/it/feedback/", {"target": "article:appeal", "helpful": "yes"})
        assert Vote.objects.get().session is None and not FlowSession.objects.exists()


class TestStaleTab:
    def test_an_answer_from_a_stale_tab_keeps_the_walk_and_says_where_it_is(self, client):
        client.post(start_url())
        client.post(step_url("start"), {"answer": "continue"})
        client.post(step_url("product"), {"answer": "platform"})
        client.post(step_url("review_requested"), {"answer": "no"})
        client.post(step_url("reason"), {"answer": "spam"})  # tab A walked on to spam_duration
        # tab B, still showing the website branch from an earlier walk, answers it
        client.post(step_url("review_requested"), {"answer": "no"})
        before = walk_state(client)
        response = client.post(step_url("website_review_button"), {"answer": "yes"})
        assert (response.status_code, response["Location"]) == (303, step_url("spam_duration") + "?stale=1")
        assert walk_state(client) == before
        page = client.get(response["Location"])
        assert node_of(page) == "spam_duration" and attr_values(page, "data-stale-tab") == [None]
        assert FlowSession.objects.count() == 1
        assert not SessionEvent.objects.filter(node_id="website_review_button").exists()

    def test_an_answer_on_a_page_opened_from_a_link_in_that_tab_starts_a_new_walk(self, client):
        client.post(start_url())
        client.post(step_url("start"), {"answer": "continue"})
        page = client.get(step_url("website_review_button"))
        assert 'name="from_link" value="1"' in page.content.decode()
        response = client.post(step_url("website_review_button"), {"answer": "yes", "from_link": "1"})
        assert response["Location"] == step_url("appeal_website")
        assert walk_state(client)["entry"] == "website_review_button"
        assert FlowSession.objects.count() == 2

    def test_the_stale_notice_is_only_for_a_step_of_the_walk(self, client):
        response = client.get(step_url("reason") + "?stale=1")
        assert attr_values(response, "data-stale-tab") == []


class TestCachingAndIndexing:
    def test_pages_with_a_walk_are_private_and_not_stored(self, client):
        client.post(start_url())
        client.post(step_url("start"), {"answer": "continue"})
        for node_id in ("start", "product"):
            cache_control = client.get(step_url(node_id))["Cache-Control"]
            assert "private" in cache_control and "no-store" in cache_control
        client.post(step_url("product"), {"answer": "platform"})
        client.post(step_url("review_requested"), {"answer": "in_review"})
        response = client.get(step_url("wait_review_pending"))
        assert attr_values(response, "data-session-ref") and "no-store" in response["Cache-Control"]

    def test_step_pages_vary_on_the_cookie_that_holds_the_walk(self, client):
        for response in (client.get(step_url("reason")), client.get(step_url("start"))):
            assert "Cookie" in response["Vary"] and "HX-Request" in response["Vary"]

    def test_every_step_but_the_first_is_noindex(self, client):
        assert 'name="robots"' not in client.get(step_url("start")).content.decode()
        for node_id in PERMALINKS[1:]:
            assert '<meta name="robots" content="noindex">' in client.get(step_url(node_id)).content.decode()

    def test_robots_txt_keeps_crawlers_out_of_the_steps_but_not_the_first(self, client):
        lines = client.get("/robots.txt").content.decode().splitlines()
        for lang in ("it", "en"):
            assert f"Disallow: /{lang}/guide/" in lines
            assert f"Allow: /{lang}/guide/blocked-number/start/" in lines
        assert "Disallow: /staff/" in lines and "Disallow: /admin/" in lines


class TestQueryBudget:
    # Every step page reads the text revision (the content layer's cache key); tracking adds at most the upsert.
    def test_a_step_opened_from_a_link_costs_one_write(self, client, django_assert_max_num_queries):
        client.get(step_url("reason"))  # warm the step-text cache
        with django_assert_max_num_queries(2) as queries:
            client.get(step_url("spam_duration"))
        writes = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith("SELECT")]
        assert len(writes) == 1 and "tracking_linkopen" in writes[0]

    def test_a_step_of_a_walk_reads_no_tracking_row(self, client, django_assert_max_num_queries):
        client.post(start_url())
        client.post(step_url("start"), {"answer": "continue"})
        client.get(step_url("product"))
        with django_assert_max_num_queries(1) as queries:
            client.get(step_url("product"))
        assert not any("tracking_" in q["sql"] or "django_session" in q["sql"] for q in queries.captured_queries)

    def test_an_answer_costs_a_handful_of_queries(self, client, django_assert_max_num_queries):
        client.post(start_url())
        client.get(step_url("start"))
        # the session update, the latest event, the insert (+ transaction bookkeeping on some back-ends)
        with django_assert_max_num_queries(5):
            client.post(step_url("start"), {"answer": "continue"})
