"""'Was this helpful?': yes/no then an optional reason, with and without JavaScript, tied to the walk, rate limited."""

import pytest

from portal.content.models import Article
from portal.flows.registry import get_flow
from portal.tracking.feedback import COOKIE, VOTES_PER_HOUR, vote_allowed
from portal.tracking.models import FlowSession, Vote, VoteQuota
from tests.guide.helpers import start_url, step_url

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
FEEDBACK = "/it/feedback/"


def vote(client, target, helpful=None, reason=None, next_url="/it/", **extra):
    data = {"target": target, "next": next_url}
    if helpful:
        data["helpful"] = helpful
    if reason:
        data["reason"] = reason
    return client.post(FEEDBACK, data, **extra)


def test_widget_is_on_articles_and_outcomes_only(client, imported, flow):
    """Asking "was this helpful?" on a question interrupts the task: only outcomes and articles ask it."""
    assert 'name="target" value="article:appeal"' in client.get("/it/articles/fare-ricorso/").content.decode()
    client.post(start_url())
    for node in flow.nodes.values():
        if not node.is_outcome:
            body = client.get(step_url(node.id)).content.decode()
            assert 'id="feedback"' not in body and 'name="helpful"' not in body, f"{node.id} asks for feedback"
    assert 'value="outcome:blocked_number:appeal_spam"' in client.get(step_url("appeal_spam")).content.decode()


def test_vote_without_javascript_redirects_back_and_then_offers_reasons(client, imported):
    response = vote(client, "article:appeal", "no", next_url="/it/articles/fare-ricorso/")
    assert (response.status_code, response["Location"]) == (303, "/it/articles/fare-ricorso/#feedback")
    saved = Vote.objects.get()
    assert (saved.target_type, saved.target_id, saved.helpful, saved.locale, saved.reason) == (
        "article", "appeal", False, "it", "")
    page = client.get("/it/articles/fare-ricorso/").content.decode()
    assert "Grazie per la risposta." in page
    assert 'value="did-not-work"' in page and 'value="solved"' not in page  # reasons for a "no"

    response = vote(client, "article:appeal", reason="unclear", next_url="/it/articles/fare-ricorso/")
    assert response.status_code == 303
    assert Vote.objects.get().reason == "unclear"
    assert 'name="reason"' not in client.get("/it/articles/fare-ricorso/").content.decode()


def test_vote_with_htmx_returns_only_the_widget(client, imported):
    response = vote(client, "article:appeal", "yes", **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section class="feedback" id="feedback"')
    assert 'value="solved"' in body and "<html" not in body


def test_a_second_click_changes_the_vote_instead_of_adding_one(client, imported):
    vote(client, "article:appeal", "yes")
    vote(client, "article:appeal", "no")
    assert list(Vote.objects.values_list("helpful", flat=True)) == [False]


def test_votes_on_guide_steps_belong_to_the_tracked_session(client):
    client.post(start_url())
    client.get(step_url("start"))
    vote(client, "step:blocked_number:start", "yes", next_url=step_url("start"))
    assert Vote.objects.get().session == FlowSession.objects.get()


def test_votes_without_a_walk_have_no_session(client, imported):
    vote(client, "article:appeal", "yes")
    assert Vote.objects.get().session is None


@pytest.mark.parametrize("data", [
    {"target": "step:blocked_number:no_such_step", "helpful": "yes"},
    {"target": "pizza:margherita", "helpful": "yes"},
    {"target": "article:appeal", "helpful": "maybe"},
    {"target": "article:appeal"},
    {"target": "article:appeal", "reason": "I hate it, here is my phone number"},
])
def test_bad_votes_are_refused_with_a_message(client, data):
    response = client.post(FEEDBACK, data)
    assert response.status_code == 400
    assert 'class="error-summary"' in response.content.decode()
    assert not Vote.objects.exists()


def test_a_reason_before_a_vote_is_refused(client, imported):
    response = vote(client, "article:appeal", reason="unclear")
    assert response.status_code == 400
    assert not Vote.objects.exists()


def test_the_next_url_cannot_send_visitors_elsewhere(client, imported):
    response = vote(client, "article:appeal", "yes", next_url="https://evil.example/")
    assert response["Location"] == "/it/#feedback"


def test_get_is_not_allowed(client):
    response = client.get(FEEDBACK)
    assert response.status_code == 405 and response["Allow"] == "POST"


def real_targets() -> list[str]:
    """Every page a vote may be about: published articles by translation key, steps and outcomes by node."""
    flow = get_flow("blocked-number")
    articles = sorted(set(Article.objects.published().values_list("translation_key", flat=True)))
    return [f"article:{key}" for key in articles] + [
        f"{'outcome' if node.is_outcome else 'step'}:{flow.id}:{node.id}" for node in flow.nodes.values()]


def test_rate_limit_per_visitor(client, imported):
    targets = real_targets()
    assert len(targets) > VOTES_PER_HOUR
    for target in targets[:VOTES_PER_HOUR]:
        assert vote(client, target, "yes").status_code == 303
    response = vote(client, targets[VOTES_PER_HOUR], "yes")
    assert response.status_code == 429
    assert "Hai inviato molte risposte" in response.content.decode()
    assert Vote.objects.count() == VOTES_PER_HOUR
    # Changing an earlier vote is not a new vote: still allowed.
    assert vote(client, targets[0], "no").status_code == 303
    # Another visitor is not affected.
    from django.test import Client

    assert vote(Client(), targets[VOTES_PER_HOUR], "yes").status_code == 303


def test_rate_limit_window_moves_on():
    for second in range(VOTES_PER_HOUR):
        assert vote_allowed("visitor-a", now=3600.0 * 100 + second)
    assert not vote_allowed("visitor-a", now=3600.0 * 100 + VOTES_PER_HOUR)
    assert vote_allowed("visitor-b", now=3600.0 * 100 + VOTES_PER_HOUR)
    assert vote_allowed("visitor-a", now=3600.0 * 101 + 0.5)
    # Earlier hours are deleted; no visitor id is stored as such.
    assert set(VoteQuota.objects.values_list("window", flat=True)) == {101}
    assert not VoteQuota.objects.filter(visitor__contains="visitor").exists()


def test_rate_limit_with_a_shared_cache(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                                   "LOCATION": "vote_quota_test"}}
    from django.core.management import call_command

    call_command("createcachetable", "vote_quota_test", verbosity=0)
    results = [vote_allowed("visitor-c", now=7200.0) for _ in range(VOTES_PER_HOUR + 3)]
    assert results == [True] * VOTES_PER_HOUR + [False] * 3
    assert not VoteQuota.objects.exists()  # counted in the cache, not in the quota table


def test_the_vote_state_lives_in_a_signed_cookie_not_in_the_session(client, imported):
    response = vote(client, "article:appeal", "no")
    assert COOKIE in response.cookies and response.cookies[COOKIE]["httponly"]
    assert "sessionid" not in client.cookies
    from django.contrib.sessions.models import Session

    assert not Session.objects.exists()


def test_a_tampered_vote_cookie_cannot_change_someone_elses_vote(client, imported):
    from django.test import Client

    other = Client()
    vote(other, "article:appeal", "yes")
    theirs = Vote.objects.get()
    client.cookies[COOKIE] = other.cookies[COOKIE].value[:-3] + "abc"
    assert vote(client, "article:appeal", "no").status_code == 303
    theirs.refresh_from_db()
    assert theirs.helpful is True and Vote.objects.count() == 2


@pytest.mark.parametrize("target", [
    "article:no-such-article", "article:mario-rossi-3331234567", "step:blocked_number:appeal_spam",
    "outcome:blocked_number:start", "step:no_such_flow:start", "outcome:blocked_number:nowhere",
])
def test_votes_on_pages_that_do_not_exist_are_refused_with_a_message(client, imported, target):
    response = vote(client, target, "yes")
    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="error-summary"' in page and "Non conosciamo questa pagina" in page
    assert not Vote.objects.exists()


def test_an_unpublished_article_takes_no_votes(client, imported):
    Article.objects.filter(translation_key="appeal").update(published=False)
    assert vote(client, "article:appeal", "yes").status_code == 400


def test_votes_store_no_free_text():
    text_fields = [f.name for f in Vote._meta.fields if f.get_internal_type() in ("TextField", "CharField")]
    assert all(Vote._meta.get_field(name).choices or name in ("target_id", "locale") for name in text_fields)


def test_votes_are_listed_read_only_in_the_admin(admin_client, client, imported):
    vote(client, "article:appeal", "no")
    response = admin_client.get("/admin/tracking/vote/")
    assert response.status_code == 200 and response.context["cl"].result_count == 1
    assert admin_client.get("/admin/tracking/vote/add/").status_code == 403
