"""Tracked sessions: events in order, the outcome stored, reference codes unique and readable aloud."""

import re
from unittest import mock

import pytest
from django.contrib.admin.sites import site
from django.db import IntegrityError

from portal.tracking import services
from portal.tracking.models import FlowSession, SessionEvent
from portal.tracking.refcodes import ALPHABET, PATTERN, new_ref_code, normalize_ref_code
from tests.guide.helpers import start_url, step_url

pytestmark = pytest.mark.django_db


def test_a_walk_records_its_events_in_order_and_its_outcome(client, flow):
    client.post(start_url())
    client.get(step_url("start"))
    client.post(step_url("start"), {"answer": "continue"})
    client.get(step_url("product"))
    client.post(step_url("product"), {"answer": "platform"})
    client.get(step_url("review_requested"))
    client.post(step_url("review_requested"), {"answer": ""})  # an error is not an answer
    client.post(step_url("review_requested"), {"answer": "no"})
    client.get(step_url("reason"))
    client.post(step_url("reason"), {"answer": "unknown"})
    client.get(step_url("not_sure"))
    client.post(step_url("not_sure"), {"answer": "other"})
    client.get(step_url("no_reason_appeal_button"))
    client.post(step_url("no_reason_appeal_button"), {"answer": "no"})
    client.get(step_url("contact_no_reason"))

    session = FlowSession.objects.get()
    events = [(e.kind, e.node_id, e.answer_id) for e in session.events.all()]
    assert events == [
        ("started", "start", ""),
        ("answered", "start", "continue"),
        ("answered", "product", "platform"),
        ("answered", "review_requested", "no"),
        ("answered", "reason", "unknown"),
        ("answered", "not_sure", "other"),
        ("answered", "no_reason_appeal_button", "no"),
        ("outcome", "contact_no_reason", ""),
    ]
    assert (session.outcome_kind, session.outcome_node) == ("contact-meta", "contact_no_reason")
    assert session.last_node == "contact_no_reason"
    assert session.outcome_at is not None and session.outcome_at >= session.started_at
    assert (session.flow_id, session.flow_version, session.locale, session.entry_node) == (
        "blocked_number", flow.version, "it", "start"
    )
    assert session.last_seen_at >= session.started_at
    timestamps = [e.at for e in session.events.all()]
    assert timestamps == sorted(timestamps)


def test_sessions_store_no_ip_user_agent_or_free_text():
    fields = {f.name for f in FlowSession._meta.get_fields()} | {f.name for f in SessionEvent._meta.get_fields()}
    assert not any(re.search(r"ip|agent|addr|text|comment|note", name) for name in fields), fields
    assert all(f.max_length <= 64 for f in SessionEvent._meta.fields if hasattr(f, "max_length") and f.max_length)


def test_reference_codes_are_well_formed_and_unambiguous():
    codes = {new_ref_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(PATTERN.match(code) for code in codes)
    assert not set("01ILOUV") & set(ALPHABET)


def test_reference_codes_of_real_sessions_are_unique(client):
    for _ in range(20):
        client.post(start_url())
    refs = list(FlowSession.objects.values_list("ref_code", flat=True))
    assert len(refs) == len(set(refs)) == 20
    assert all(PATTERN.match(ref) for ref in refs)


def test_a_clashing_reference_code_is_drawn_again():
    first = services.session_start(flow_id="f", flow_version="v", locale="it", entry_node="start")
    with mock.patch("portal.tracking.services.new_ref_code", side_effect=[first.ref_code, "ABCD-EFGH"]):
        second = services.session_start(flow_id="f", flow_version="v", locale="it", entry_node="start")
    assert second.ref_code == "ABCD-EFGH"


def test_giving_up_after_repeated_clashes_raises():
    first = services.session_start(flow_id="f", flow_version="v", locale="it", entry_node="start")
    with mock.patch("portal.tracking.services.new_ref_code", return_value=first.ref_code):
        with pytest.raises(IntegrityError):
            services.session_start(flow_id="f", flow_version="v", locale="it", entry_node="start")


@pytest.mark.parametrize("typed", ["k7qx-2m4p", "K7QX 2M4P", " k7qx2m4p ", "K7QX-2M4P"])
def test_typed_reference_codes_are_normalized(typed):
    assert normalize_ref_code(typed) == "K7QX-2M4P"


class TestAdmin:
    def test_sessions_are_listed_read_only_with_filters(self, admin_client, client):
        client.post(start_url())
        session = FlowSession.objects.get()
        response = admin_client.get("/admin/tracking/flowsession/")
        body = response.content.decode()
        assert response.status_code == 200
        assert session.ref_code in body
        for filter_param in ("outcome_kind", "locale", "started_at"):
            assert filter_param in body
        model_admin = site._registry[FlowSession]
        request = response.wsgi_request
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request, session)
        assert not model_admin.has_delete_permission(request, session)

    def test_a_session_page_shows_words_times_to_the_second_votes_and_the_look_up(self, admin_client, client, imported):
        from django.utils import timezone

        from portal.content.steps import step_texts
        from portal.flows.registry import get_flow

        flow = get_flow("blocked-number")
        client.post(start_url("en"))
        client.post(step_url("start", "en"), {"answer": "continue"})
        client.post(step_url("product", "en"), {"answer": "platform"})
        client.post("/en/feedback/", {"target": "step:blocked_number:review_requested", "helpful": "no"})
        session = FlowSession.objects.get()
        response = admin_client.get(f"/admin/tracking/flowsession/{session.pk}/change/")
        body = response.content.decode()
        assert response.status_code == 200
        texts = step_texts(flow, "en")  # the customer's language, whatever the admin's
        from django.utils.html import escape

        assert escape(texts["product"].title) in body
        assert escape(texts["product"].answers["platform"]) in body
        assert escape(texts["review_requested"].title) in body  # the vote's step, by its title
        assert ">product<" not in body and ">review_requested<" not in body and ">platform<" not in body
        started = timezone.localtime(session.started_at).strftime("%Y-%m-%d %H:%M:%S")
        assert started in body
        assert "<table data-walk-events>" in body and "<table data-walk-votes>" in body
        try:
            from django.urls import reverse

            lookup = reverse("staff:lookup")
        except Exception:
            lookup = None
        if lookup:
            assert f'href="{lookup}?code={session.ref_code}"' in body

    def test_a_session_of_a_flow_that_no_longer_exists_still_shows(self, admin_client):
        session = services.session_start(flow_id="gone", flow_version="v", locale="it", entry_node="old_step")
        services.answer_record(session_id=session.pk, node_id="old_step", answer_id="x", target_node="y")
        body = admin_client.get(f"/admin/tracking/flowsession/{session.pk}/change/").content.decode()
        assert "old_step" in body

    def test_link_opens_are_listed_read_only(self, admin_client, client):
        client.get(step_url("reason"))
        body = admin_client.get("/admin/tracking/linkopen/").content.decode()
        assert "reason" in body

    @pytest.mark.parametrize("spell", [str.lower, lambda code: code.replace("-", ""),
                                       lambda code: " " + code.lower().replace("-", " ") + " "])
    def test_search_by_typed_reference_code(self, admin_client, client, spell):
        client.post(start_url())
        client.post(start_url())
        session = FlowSession.objects.first()
        response = admin_client.get("/admin/tracking/flowsession/", {"q": spell(session.ref_code)})
        assert list(response.context["cl"].result_list) == [session]

    def test_the_admin_needs_a_staff_login(self, client):
        response = client.get("/admin/tracking/flowsession/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_a_session_page_reads_the_words_once_however_long_the_walk(admin_client, client,
                                                                   django_assert_max_num_queries):
    client.post(start_url())
    for node_id, answer_id in [("start", "continue"), ("product", "platform"), ("review_requested", "no")]:
        client.post(step_url(node_id), {"answer": answer_id})
    session = FlowSession.objects.get()
    admin_client.get(f"/admin/tracking/flowsession/{session.pk}/change/")
    # login session and user, the session, its events, its votes, the text revision
    with django_assert_max_num_queries(7):
        admin_client.get(f"/admin/tracking/flowsession/{session.pk}/change/")
    for _ in range(3):  # a longer walk: changed answers add events, not queries
        for answer_id in ("app", "platform"):
            client.post(step_url("product"), {"answer": answer_id})
    assert session.events.count() > 8
    with django_assert_max_num_queries(7):
        admin_client.get(f"/admin/tracking/flowsession/{session.pk}/change/")
