"""The guide's pages: full page and htmx request, errors, deep links, changing answers, bad input."""

from html import escape

import pytest
from django.test import Client

from portal.content.models import StepText, TextRevision
from portal.tracking.models import FlowSession, LinkOpen, SessionEvent

from .helpers import attr_values, node_of, set_walk_state, start_url, step_url, walk_state

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def begin(client: Client):
    """Start a walk from the home page's button; returns the response of the first step."""
    return client.post(start_url(), follow=True)


def answer(client: Client, node_id: str, answer_id: str, **extra):
    return client.post(step_url(node_id), {"answer": answer_id}, **extra)


def walk_to(client: Client, *steps: tuple[str, str]):
    begin(client)
    for node_id, answer_id in steps:
        response = answer(client, node_id, answer_id)
        assert response.status_code == 303, (node_id, answer_id)
    return client.get(response["Location"])


class TestHomeAndRoot:
    def test_root_redirects_to_italian_by_default(self, client):
        response = client.get("/")
        assert (response.status_code, response["Location"]) == (302, "/it/")

    def test_root_follows_the_browser_language(self, client):
        assert client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")["Location"] == "/en/"
        assert client.get("/", HTTP_ACCEPT_LANGUAGE="de-DE")["Location"] == "/it/"

    def test_home_offers_the_guide_as_a_post_form(self, client):
        response = client.get("/it/")
        body = response.content.decode()
        assert response.status_code == 200
        assert f'<form method="post" action="{start_url()}">' in body
        assert "<h1>Il tuo numero WhatsApp Business è bloccato?</h1>" in body

    def test_healthz_is_tiny_and_untemplated(self, client, django_assert_num_queries):
        with django_assert_num_queries(0):
            response = client.get("/healthz")
        assert (response.status_code, response.content, response["Content-Type"]) == (200, b"ok", "text/plain")

    def test_flow_root_get_redirects_to_the_first_step(self, client):
        response = client.get(start_url())
        assert (response.status_code, response["Location"]) == (302, step_url("start"))


class TestQuestionPage:
    def test_full_page_is_a_real_form_with_radios(self, client):
        response = walk_to(client, ("start", "continue"), ("product", "platform"))
        body = response.content.decode()
        assert node_of(response) == "review_requested"
        assert "<!doctype html>" in body.lower()
        assert f'<form method="post" action="{step_url("review_requested")}"' in body
        assert attr_values(response, "type").count("radio") == 4
        assert attr_values(response, "name").count("answer") == 4
        assert 'type="submit"' in body
        assert 'aria-describedby="step-hint"' in body

    def test_htmx_request_gets_only_the_step_region(self, client):
        walk_to(client, ("start", "continue"), ("product", "platform"))
        response = client.get(step_url("review_requested"), **HTMX)
        body = response.content.decode()
        assert response.status_code == 200
        assert body.lstrip().startswith('<div id="step"')
        assert "<html" not in body and "<header" not in body
        assert node_of(response) == "review_requested"
        assert "HX-Request" in response["Vary"]

    def test_htmx_history_restore_gets_the_full_page(self, client):
        walk_to(client, ("start", "continue"), ("product", "platform"))
        response = client.get(step_url("review_requested"), HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX)
        assert "<html" in response.content.decode()

    def test_progress_counts_steps_and_the_longest_way_left(self, client):
        response = walk_to(client, ("start", "continue"), ("product", "platform"), ("review_requested", "no"))
        body = response.content.decode()
        assert '<progress value="4" max="6"' in body  # reason is the 4th step; spam's branch needs 6 answers

    def test_answer_posts_redirect_see_other_to_the_next_step(self, client):
        begin(client)
        response = answer(client, "start", "continue")
        assert (response.status_code, response["Location"]) == (303, step_url("product"))

    def test_htmx_post_redirects_too_so_the_pushed_url_is_the_next_step(self, client):
        begin(client)
        response = answer(client, "start", "continue", **HTMX)
        assert (response.status_code, response["Location"]) == (303, step_url("product"))

    def test_previous_answer_is_preselected_when_going_back(self, client):
        walk_to(client, ("start", "continue"), ("product", "platform"), ("review_requested", "no"))
        response = client.get(step_url("review_requested"))
        assert 'value="no" checked' in response.content.decode()

    def test_back_link_points_at_the_previous_step(self, client):
        response = walk_to(client, ("start", "continue"), ("product", "platform"), ("review_requested", "no"))
        assert f'class="back-link" href="{step_url("review_requested")}"' in response.content.decode()

    def test_steps_other_than_the_first_are_noindex(self, client):
        first = begin(client)
        assert 'name="robots"' not in first.content.decode()
        second = answer(client, "start", "continue")
        assert '<meta name="robots" content="noindex">' in client.get(second["Location"]).content.decode()


class TestErrors:
    def test_empty_submission_shows_an_error_summary_linked_to_the_field(self, client):
        walk_to(client, ("start", "continue"), ("product", "platform"))
        response = client.post(step_url("review_requested"), {})
        body = response.content.decode()
        assert response.status_code == 400
        assert node_of(response) == "review_requested"
        assert 'class="error-summary" role="alert"' in body
        assert 'href="#answer-no"' in body and 'id="answer-no"' in body
        assert 'aria-describedby="step-hint answer-error"' in body

    def test_empty_submission_over_htmx_returns_the_step_with_errors(self, client):
        walk_to(client, ("start", "continue"), ("product", "platform"))
        response = client.post(step_url("review_requested"), {}, **HTMX)
        body = response.content.decode()
        assert response.status_code == 400
        assert body.lstrip().startswith('<div id="step"') and "error-summary" in body

    def test_answer_that_is_not_offered_is_refused_with_a_message(self, client):
        walk_to(client, ("start", "continue"), ("product", "platform"))
        response = client.post(step_url("review_requested"), {"answer": "bribe-meta"})
        assert response.status_code == 400
        assert "Questa risposta non è tra quelle possibili" in response.content.decode()
        assert walk_state(client)["answers"] == [["start", "continue"], ["product", "platform"]]  # nothing saved

    def test_unknown_step_is_a_404_in_the_portal_style(self, client):
        response = client.get("/it/guide/blocked-number/no-such-step/")
        body = response.content.decode()
        assert response.status_code == 404
        assert "Pagina non trovata" in body and 'class="site-header"' in body

    def test_unknown_flow_is_a_404(self, client):
        assert client.get("/it/guide/no-such-guide/start/").status_code == 404
        assert client.post("/it/guide/no-such-guide/").status_code == 404

    def test_underscore_spelling_of_a_step_is_not_a_second_url(self, client):
        assert client.get("/it/guide/blocked-number/review_requested/").status_code == 404

    @pytest.mark.parametrize("method", ["put", "delete", "patch"])
    def test_wrong_method_is_a_405_with_allow(self, client, method):
        response = getattr(client, method)(step_url("start"))
        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD, POST"
        assert "Qui non puoi fare questa azione" in response.content.decode()

    def test_wrong_method_on_the_start_button_is_a_405(self, client):
        assert client.put(start_url()).status_code == 405

    def test_tampered_answers_resolve_to_the_last_valid_step(self, client):
        walk_to(client, ("start", "continue"), ("product", "platform"), ("review_requested", "no"), ("reason", "spam"))
        state = walk_state(client)
        state["answers"] = [
            ["start", "continue"], ["product", "platform"], ["review_requested", "maybe"], ["reason", "spam"]
        ]
        set_walk_state(client, state)
        # The step is no longer on the walk: it opens as from a link, and offers the walk's last valid step.
        response = client.get(step_url("spam_duration"))
        assert node_of(response) == "spam_duration"
        assert attr_values(response, "data-resume-walk") == [None]
        assert f'href="{step_url("review_requested")}" data-resume-walk' in response.content.decode()
        # Answering the last valid step repairs the stored answers.
        answer(client, "review_requested", "no")
        assert walk_state(client)["answers"] == [["start", "continue"], ["product", "platform"], ["review_requested", "no"]]

    # A cookie with a NUL or other control character never gets this far: the edge answers 400 (tests/edge).
    @pytest.mark.parametrize("cookie", ["garbage", "", "x" * 5000, "eyJhIjoxfQ:1abc:bad-signature"])
    def test_a_garbage_walk_cookie_is_no_walk(self, client, cookie):
        client.cookies["walk"] = cookie
        response = client.get(step_url("reason"))
        assert response.status_code == 200
        assert attr_values(response, "data-entered-by-link") == [None]
        response = answer(client, "reason", "spam")
        assert (response.status_code, response["Location"]) == (303, step_url("spam_duration"))
        assert FlowSession.objects.get().entry_node == "reason"

    @pytest.mark.parametrize("state", ["garbage", {"sid": 5}, {"entry": "no_such_node", "answers": []},
                                       {"entry": "start", "answers": "x"}, {"entry": "start", "answers": [[1, 2]]}])
    def test_a_signed_but_malformed_walk_is_no_walk(self, client, state):
        set_walk_state(client, state)
        assert client.get(step_url("start")).status_code == 200
        assert answer(client, "start", "continue").status_code == 303
        assert FlowSession.objects.get().entry_node == "start"

    def test_walk_whose_tracked_session_is_gone_starts_again(self, client):
        walk_to(client, ("start", "continue"))
        FlowSession.objects.all().delete()
        assert client.get(step_url("product")).status_code == 200
        answer(client, "product", "platform")
        session = FlowSession.objects.get()
        assert session.ref_code == walk_state(client)["ref"]
        assert [(e.kind, e.node_id) for e in session.events.all()] == [("started", "start"),
                                                                      ("answered", "product")]


class TestDeepLinks:
    def test_permalink_opened_directly_makes_sense_and_offers_the_start(self, client):
        response = client.get(step_url("spam_duration"))
        body = response.content.decode()
        assert response.status_code == 200
        assert node_of(response) == "spam_duration"
        assert "Hai aperto questo passo da un link" in body
        assert f'action="{start_url()}"' in body  # start again from the beginning
        assert not FlowSession.objects.exists()  # a view is not a walk
        assert LinkOpen.objects.get().node_id == "spam_duration"

    def test_deep_link_walk_continues_from_there(self, client):
        client.get(step_url("spam_duration"))
        response = client.post(step_url("spam_duration"), {"answer": "temporary", "from_link": "1"}, follow=True)
        assert node_of(response) == "wait_spam_temporary"
        assert attr_values(response, "data-outcome") == ["wait"]
        session = FlowSession.objects.get()
        assert attr_values(response, "data-session-ref") == [session.ref_code]
        assert (session.entry_node, session.outcome_kind) == ("spam_duration", "wait")

    def test_outcome_permalink_shows_its_advice_and_offers_a_reference_code(self, client):
        response = client.get(step_url("appeal_spam"))
        assert attr_values(response, "data-outcome") == ["appeal"]
        assert attr_values(response, "data-session-ref") == []
        assert attr_values(response, "data-code-request") == [None]
        assert not FlowSession.objects.exists()

        response = client.post(f"{step_url('appeal_spam')}code/")
        assert (response.status_code, response["Location"]) == (303, step_url("appeal_spam") + "#ref-code")
        session = FlowSession.objects.get()
        response = client.get(step_url("appeal_spam"))
        assert attr_values(response, "data-session-ref") == [session.ref_code]
        assert attr_values(response, "data-code-request") == []
        assert (session.entry_node, session.outcome_kind, session.outcome_node) == ("appeal_spam", "appeal",
                                                                                   "appeal_spam")
        assert [(e.kind, e.node_id) for e in session.events.all()] == [("started", "appeal_spam"),
                                                                      ("code_requested", "appeal_spam")]
        client.post(f"{step_url('appeal_spam')}code/")  # again (reload, double click): the same session
        assert FlowSession.objects.count() == 1 and SessionEvent.objects.count() == 2

    def test_a_code_request_is_a_post_on_an_outcome_only(self, client):
        assert client.get(f"{step_url('appeal_spam')}code/").status_code == 405
        assert client.post(f"{step_url('reason')}code/").status_code == 404
        assert not FlowSession.objects.exists()

    def test_permalink_away_from_the_current_walk_keeps_the_walk_until_answered(self, client):
        walk_to(client, ("start", "continue"), ("product", "platform"), ("review_requested", "no"))
        response = client.get(step_url("website_review_button"))
        assert node_of(response) == "website_review_button"
        assert f'href="{step_url("reason")}" data-resume-walk' in response.content.decode()
        assert FlowSession.objects.count() == 1
        assert walk_state(client)["entry"] == "start"
        # Answering the page opened from the link is a choice: a new walk starts there.
        client.post(step_url("website_review_button"), {"answer": "yes", "from_link": "1"})
        assert FlowSession.objects.count() == 2
        assert walk_state(client)["entry"] == "website_review_button"

    def test_start_again_begins_a_new_tracked_session(self, client):
        walk_to(client, ("start", "continue"), ("product", "platform"), ("review_requested", "in_review"))
        response = client.post(start_url())
        assert (response.status_code, response["Location"]) == (303, step_url("start"))
        assert FlowSession.objects.count() == 2
        assert walk_state(client)["answers"] == []


class TestChangeAnswer:
    def test_summary_lists_questions_with_a_change_link(self, client):
        response = walk_to(client, ("start", "continue"), ("product", "platform"), ("review_requested", "no"), ("reason", "spam"))
        body = response.content.decode()
        assert "Le tue risposte" in body
        assert f'<a href="{step_url("review_requested")}" data-hx-get="{step_url("review_requested")}">Cambia' in body
        assert f'<a href="{step_url("reason")}" data-hx-get="{step_url("reason")}">Cambia' in body
        assert f'href="{step_url("start")}" data-hx-get' not in body  # info steps are not answers

    def test_changing_an_earlier_answer_drops_the_later_ones(self, client):
        walk_to(client, ("start", "continue"), ("product", "platform"), ("review_requested", "no"), ("reason", "spam"),
                ("spam_duration", "permanent"))
        response = answer(client, "reason", "website")
        assert response["Location"] == step_url("website_duration")
        assert walk_state(client)["answers"] == [
            ["start", "continue"], ["product", "platform"], ["review_requested", "no"], ["reason", "website"]
        ]
        # The dropped branch is no longer on the path: opening it is a new walk, not a resumption.
        assert "Hai aperto questo passo da un link" in client.get(step_url("spam_appeal_button")).content.decode()

    def test_changed_answer_reaches_a_different_outcome_in_the_same_session(self, client):
        walk_to(client, ("start", "continue"), ("product", "platform"), ("review_requested", "in_review"))
        assert FlowSession.objects.get().outcome_kind == "wait"
        answer(client, "review_requested", "unchanged")
        answer(client, "unchanged_end_date", "permanent")
        session = FlowSession.objects.get()
        assert (session.outcome_kind, session.outcome_node) == ("contact-meta", "contact_after_unchanged")


def a_question(flow) -> str:
    """The id of the guide's first question (so these tests do not depend on how the guide is worded or built)."""
    return next(node.id for node in flow.nodes.values() if node.is_question)


def attr_pairs(response):
    """(answer id, label) of every choice on a question page."""
    import re
    from html import unescape

    return [(answer_id, unescape(label)) for answer_id, label in re.findall(r'id="answer-([a-z_]+)" value="[a-z_]+"[^>]*>\s*<label for="answer-[a-z_]+">([^<]+)</label>',
                      response.content.decode())]


class TestWordsFromTheDatabase:
    """The step pages read their words only from the database (StepText rows), as production does."""

    def test_a_step_shows_its_row_and_a_saved_edit_at_once(self, client, flow):
        question = a_question(flow)
        row = StepText.objects.get(flow_id=flow.id, node_id=question, locale="it")
        response = client.get(step_url(question))
        assert f'id="step-title" tabindex="-1">{escape(row.title)}</h1>' in response.content.decode()
        assert dict(attr_pairs(response)) == row.answers
        row.title = "Che motivo scrive Meta?"
        row.save()  # as the admin does: the revision token changes, the cached words are read again
        assert 'tabindex="-1">Che motivo scrive Meta?</h1>' in client.get(step_url(question)).content.decode()

    def test_a_step_without_any_row_still_works_with_its_ids(self, client, flow):
        question = a_question(flow)
        StepText.objects.filter(flow_id=flow.id, node_id=question).delete()
        response = client.get(step_url(question))
        assert response.status_code == 200 and node_of(response) == question
        assert [answer_id for answer_id, _label in attr_pairs(response)] == [
            answer.id for answer in flow.nodes[question].answers]


class TestEnglish:
    def test_english_pages_use_english_interface_and_words(self, client):
        response = client.post(start_url("en"), follow=True)
        body = response.content.decode()
        assert response.status_code == 200
        assert '<html lang="en">' in body
        assert ">Continue</button>" in body
        assert "not translated yet" not in body

    def test_a_step_without_english_words_falls_back_to_italian_and_says_so(self, client, flow):
        StepText.objects.filter(flow_id=flow.id, node_id=flow.start, locale="en").delete()
        response = client.get(step_url(flow.start, "en"))
        body = response.content.decode()
        assert "This step is not translated yet, so it is shown in Italian." in body
        assert '<div lang="it">' in body
        assert StepText.objects.get(flow_id=flow.id, node_id=flow.start, locale="it").title in body

    def test_english_words_missing_a_label_fall_back_to_italian_whole(self, client, flow):
        """A question that gained an answer shows its Italian words until the English row has every label."""
        question = a_question(flow)
        answer_id = flow.nodes[question].answers[0].id
        row = StepText.objects.get(flow_id=flow.id, node_id=question, locale="en")
        StepText.objects.filter(pk=row.pk).update(answers={**row.answers, answer_id: ""})
        TextRevision.bump()
        response = client.get(step_url(question, "en"))
        italian = StepText.objects.get(flow_id=flow.id, node_id=question, locale="it")
        assert "This step is not translated yet" in response.content.decode()
        assert dict(attr_pairs(response)) == italian.answers

    def test_language_switch_keeps_the_same_step(self, client):
        walk_to(client, ("start", "continue"), ("product", "platform"))
        response = client.get(step_url("review_requested"))
        assert f'href="{step_url("review_requested", "en")}" hreflang="en"' in response.content.decode()

    def test_language_switch_keeps_what_the_visitor_typed_into_the_tools_but_not_other_parameters(self, client):
        from bs4 import BeautifulSoup

        response = client.get(step_url("appeal_spam"), {"website": "esempio.it", "fix": ["opt_in", "policies"],
                                                        "utm_source": "mail", "page": "3"})
        link = BeautifulSoup(response.content, "html.parser").select_one('#language-switch a[hreflang="en"]')
        assert link["href"] == f"{step_url('appeal_spam', 'en')}?website=esempio.it&fix=opt_in&fix=policies"
        assert client.get(link["href"]).status_code == 200
        search = client.get("/it/search/", {"q": "ricorso spam"})
        link = BeautifulSoup(search.content, "html.parser").select_one('#language-switch a[hreflang="en"]')
        assert link["href"] == "/en/search/?q=ricorso+spam"


class TestQueryBudget:
    def test_a_step_get_stays_within_its_query_budget(self, client, django_assert_max_num_queries):
        walk_to(client, ("start", "continue"), ("product", "platform"))
        # the text revision only: the walk is in the cookie, and a page view writes nothing
        with django_assert_max_num_queries(1):
            client.get(step_url("review_requested"))

    def test_an_answer_post_stays_within_its_query_budget(self, client, django_assert_max_num_queries):
        walk_to(client, ("start", "continue"), ("product", "platform"))
        # the answer: session update, latest event, insert (+ transaction bookkeeping on some back-ends)
        with django_assert_max_num_queries(5):
            answer(client, "review_requested", "no")


def test_healthz_is_not_redirected_to_https_in_production(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/it/").status_code == 301
