"""The real flow, one class per question, one test per answer, against the pure resolver (no HTTP, no Django)."""


from portal.flows.model import CONTINUE
from portal.flows.resolver import answer_step, every_path, resolve_node

START = [("start", CONTINUE)]
APP = START + [("product", "app")]
PLATFORM = START + [("product", "platform")]
NOT_REVIEWED = PLATFORM + [("review_requested", "no")]


def lands_on(flow, answers):
    resolution = resolve_node(flow, answers)
    assert resolution.valid
    return resolution.current.id


class TestStart:
    def test_start_continue_leads_to_product(self, flow):
        assert lands_on(flow, START) == "product"


class TestProduct:
    def test_product_app_leads_to_app_review(self, flow):
        assert lands_on(flow, APP) == "app_review"

    def test_product_platform_leads_to_review_requested(self, flow):
        assert lands_on(flow, PLATFORM) == "review_requested"


class TestAppReview:
    def test_app_review_not_yet_leads_to_appeal_app(self, flow):
        assert lands_on(flow, APP + [("app_review", "not_yet")]) == "appeal_app"

    def test_app_review_in_review_leads_to_wait_app_review(self, flow):
        assert lands_on(flow, APP + [("app_review", "in_review")]) == "wait_app_review"

    def test_app_review_rejected_leads_to_contact_app(self, flow):
        assert lands_on(flow, APP + [("app_review", "rejected")]) == "contact_app"


class TestReviewRequested:
    def test_review_requested_no_leads_to_reason(self, flow):
        assert lands_on(flow, NOT_REVIEWED) == "reason"

    def test_review_requested_in_review_leads_to_wait_review_pending(self, flow):
        assert lands_on(flow, PLATFORM + [("review_requested", "in_review")]) == "wait_review_pending"

    def test_review_requested_ticket_leads_to_wait_ticket_pending(self, flow):
        assert lands_on(flow, PLATFORM + [("review_requested", "ticket")]) == "wait_ticket_pending"

    def test_review_requested_unchanged_leads_to_unchanged_end_date(self, flow):
        assert lands_on(flow, PLATFORM + [("review_requested", "unchanged")]) == "unchanged_end_date"


class TestUnchangedEndDate:
    BEFORE = PLATFORM + [("review_requested", "unchanged")]

    def test_unchanged_end_date_temporary_leads_to_wait_restriction_dated(self, flow):
        assert lands_on(flow, self.BEFORE + [("unchanged_end_date", "temporary")]) == "wait_restriction_dated"

    def test_unchanged_end_date_permanent_leads_to_contact_after_unchanged(self, flow):
        assert lands_on(flow, self.BEFORE + [("unchanged_end_date", "permanent")]) == "contact_after_unchanged"


class TestReason:
    def test_reason_spam_leads_to_spam_duration(self, flow):
        assert lands_on(flow, NOT_REVIEWED + [("reason", "spam")]) == "spam_duration"

    def test_reason_scam_leads_to_scam_duration(self, flow):
        assert lands_on(flow, NOT_REVIEWED + [("reason", "scam")]) == "scam_duration"

    def test_reason_website_leads_to_website_duration(self, flow):
        assert lands_on(flow, NOT_REVIEWED + [("reason", "website")]) == "website_duration"

    def test_reason_policy_leads_to_policy_duration(self, flow):
        assert lands_on(flow, NOT_REVIEWED + [("reason", "policy")]) == "policy_duration"

    def test_reason_industry_leads_to_industry_checklist(self, flow):
        assert lands_on(flow, NOT_REVIEWED + [("reason", "industry")]) == "industry_checklist"

    def test_reason_unknown_leads_to_not_sure(self, flow):
        assert lands_on(flow, NOT_REVIEWED + [("reason", "unknown")]) == "not_sure"


SPAM = NOT_REVIEWED + [("reason", "spam")]


class TestSpamDuration:
    def test_spam_duration_temporary_leads_to_wait_spam_temporary(self, flow):
        assert lands_on(flow, SPAM + [("spam_duration", "temporary")]) == "wait_spam_temporary"

    def test_spam_duration_permanent_leads_to_spam_appeal_button(self, flow):
        assert lands_on(flow, SPAM + [("spam_duration", "permanent")]) == "spam_appeal_button"


class TestScamDuration:
    BEFORE = NOT_REVIEWED + [("reason", "scam")]

    def test_scam_duration_temporary_leads_to_wait_restriction_dated(self, flow):
        assert lands_on(flow, self.BEFORE + [("scam_duration", "temporary")]) == "wait_restriction_dated"

    def test_scam_duration_permanent_leads_to_scam_appeal_button(self, flow):
        assert lands_on(flow, self.BEFORE + [("scam_duration", "permanent")]) == "scam_appeal_button"


class TestWebsiteDuration:
    BEFORE = NOT_REVIEWED + [("reason", "website")]

    def test_website_duration_temporary_leads_to_wait_restriction_dated(self, flow):
        assert lands_on(flow, self.BEFORE + [("website_duration", "temporary")]) == "wait_restriction_dated"

    def test_website_duration_permanent_leads_to_website_review_button(self, flow):
        assert lands_on(flow, self.BEFORE + [("website_duration", "permanent")]) == "website_review_button"


class TestPolicyDuration:
    BEFORE = NOT_REVIEWED + [("reason", "policy")]

    def test_policy_duration_temporary_leads_to_wait_restriction_dated(self, flow):
        assert lands_on(flow, self.BEFORE + [("policy_duration", "temporary")]) == "wait_restriction_dated"

    def test_policy_duration_permanent_leads_to_policy_appeal_button(self, flow):
        assert lands_on(flow, self.BEFORE + [("policy_duration", "permanent")]) == "policy_appeal_button"


class TestIndustryChecklist:
    BEFORE = NOT_REVIEWED + [("reason", "industry")]

    def test_industry_checklist_excluded_leads_to_industry_appeal_button(self, flow):
        assert lands_on(flow, self.BEFORE + [("industry_checklist", "excluded")]) == "industry_appeal_button"

    def test_industry_checklist_commerce_leads_to_appeal_commerce_goods(self, flow):
        assert lands_on(flow, self.BEFORE + [("industry_checklist", "commerce")]) == "appeal_commerce_goods"

    def test_industry_checklist_none_leads_to_industry_duration(self, flow):
        assert lands_on(flow, self.BEFORE + [("industry_checklist", "none")]) == "industry_duration"


class TestIndustryDuration:
    BEFORE = NOT_REVIEWED + [("reason", "industry"), ("industry_checklist", "none")]

    def test_industry_duration_temporary_leads_to_wait_restriction_dated(self, flow):
        assert lands_on(flow, self.BEFORE + [("industry_duration", "temporary")]) == "wait_restriction_dated"

    def test_industry_duration_permanent_leads_to_appeal_industry(self, flow):
        assert lands_on(flow, self.BEFORE + [("industry_duration", "permanent")]) == "appeal_industry"


class TestNotSure:
    BEFORE = NOT_REVIEWED + [("reason", "unknown")]

    def test_not_sure_limit_leads_to_advice_messaging_limit(self, flow):
        assert lands_on(flow, self.BEFORE + [("not_sure", "limit")]) == "advice_messaging_limit"

    def test_not_sure_template_paused_leads_to_advice_template_paused(self, flow):
        assert lands_on(flow, self.BEFORE + [("not_sure", "template_paused")]) == "advice_template_paused"

    def test_not_sure_template_rejected_leads_to_advice_template_rejected(self, flow):
        assert lands_on(flow, self.BEFORE + [("not_sure", "template_rejected")]) == "advice_template_rejected"

    def test_not_sure_display_name_leads_to_advice_display_name(self, flow):
        assert lands_on(flow, self.BEFORE + [("not_sure", "display_name")]) == "advice_display_name"

    def test_not_sure_number_pending_leads_to_advice_number_pending(self, flow):
        assert lands_on(flow, self.BEFORE + [("not_sure", "number_pending")]) == "advice_number_pending"

    def test_not_sure_other_leads_to_no_reason_appeal_button(self, flow):
        assert lands_on(flow, self.BEFORE + [("not_sure", "other")]) == "no_reason_appeal_button"


SPAM_PERMANENT = SPAM + [("spam_duration", "permanent")]


class TestSpamAppealButton:
    def test_spam_appeal_button_yes_leads_to_appeal_spam(self, flow):
        assert lands_on(flow, SPAM_PERMANENT + [("spam_appeal_button", "yes")]) == "appeal_spam"

    def test_spam_appeal_button_no_leads_to_contact_spam(self, flow):
        assert lands_on(flow, SPAM_PERMANENT + [("spam_appeal_button", "no")]) == "contact_spam"


class TestScamAppealButton:
    BEFORE = NOT_REVIEWED + [("reason", "scam"), ("scam_duration", "permanent")]

    def test_scam_appeal_button_yes_leads_to_appeal_scam(self, flow):
        assert lands_on(flow, self.BEFORE + [("scam_appeal_button", "yes")]) == "appeal_scam"

    def test_scam_appeal_button_no_leads_to_contact_scam(self, flow):
        assert lands_on(flow, self.BEFORE + [("scam_appeal_button", "no")]) == "contact_scam"


class TestWebsiteReviewButton:
    BEFORE = NOT_REVIEWED + [("reason", "website"), ("website_duration", "permanent")]

    def test_website_review_button_yes_leads_to_appeal_website(self, flow):
        """Fixed the site and the button is there: request the review (an appeal), not "wait"."""
        assert lands_on(flow, self.BEFORE + [("website_review_button", "yes")]) == "appeal_website"
        assert flow.nodes["appeal_website"].outcome.value == "appeal"

    def test_website_review_button_no_leads_to_contact_website(self, flow):
        assert lands_on(flow, self.BEFORE + [("website_review_button", "no")]) == "contact_website"


class TestPolicyAppealButton:
    BEFORE = NOT_REVIEWED + [("reason", "policy"), ("policy_duration", "permanent")]

    def test_policy_appeal_button_yes_leads_to_appeal_policy(self, flow):
        assert lands_on(flow, self.BEFORE + [("policy_appeal_button", "yes")]) == "appeal_policy"

    def test_policy_appeal_button_no_leads_to_contact_policy(self, flow):
        assert lands_on(flow, self.BEFORE + [("policy_appeal_button", "no")]) == "contact_policy"


class TestIndustryAppealButton:
    BEFORE = NOT_REVIEWED + [("reason", "industry"), ("industry_checklist", "excluded")]

    def test_industry_appeal_button_yes_leads_to_appeal_industry(self, flow):
        assert lands_on(flow, self.BEFORE + [("industry_appeal_button", "yes")]) == "appeal_industry"

    def test_industry_appeal_button_no_leads_to_contact_industry(self, flow):
        assert lands_on(flow, self.BEFORE + [("industry_appeal_button", "no")]) == "contact_industry"


class TestNoReasonAppealButton:
    BEFORE = NOT_REVIEWED + [("reason", "unknown"), ("not_sure", "other")]

    def test_no_reason_appeal_button_yes_leads_to_appeal_no_reason(self, flow):
        assert lands_on(flow, self.BEFORE + [("no_reason_appeal_button", "yes")]) == "appeal_no_reason"

    def test_no_reason_appeal_button_no_leads_to_contact_no_reason(self, flow):
        assert lands_on(flow, self.BEFORE + [("no_reason_appeal_button", "no")]) == "contact_no_reason"


def test_every_question_and_answer_has_a_test_here(flow):
    """A new answer in kb/flows/ must come with its test above."""
    names = {name for cls in globals().values() if isinstance(cls, type) for name in dir(cls)}
    for node in flow.nodes.values():
        for answer in node.answers:
            expected = f"test_{node.id}_{answer.id}_leads_to_{answer.next}"
            assert expected in names, f"missing {expected}"
        if node.is_info:
            assert f"test_{node.id}_continue_leads_to_{node.next}" in names


class TestStaleOrTamperedAnswers:
    def test_no_answers_is_the_start(self, flow):
        resolution = resolve_node(flow, [])
        assert (resolution.current.id, resolution.valid, resolution.answers) == ("start", True, ())

    def test_unknown_answer_stops_at_the_last_valid_node(self, flow):
        resolution = resolve_node(flow, NOT_REVIEWED + [("reason", "bribery"), ("spam_duration", "temporary")])
        assert resolution.current.id == "reason"
        assert resolution.answers == tuple(NOT_REVIEWED)
        assert not resolution.valid

    def test_answer_for_a_node_off_the_path_stops_there(self, flow):
        resolution = resolve_node(flow, PLATFORM + [("reason", "spam")])
        assert resolution.current.id == "review_requested"
        assert not resolution.valid

    def test_malformed_steps_stop_replay(self, flow):
        for junk in (["start"], ("start", CONTINUE, "x"), (1, 2), None):
            resolution = resolve_node(flow, [junk] if junk is not None else [("start", None)])
            assert resolution.current.id == "start"
            assert not resolution.valid

    def test_answers_past_an_outcome_are_dropped(self, flow):
        resolution = resolve_node(flow, PLATFORM + [("review_requested", "in_review"), ("reason", "spam")])
        assert resolution.current.id == "wait_review_pending"
        assert not resolution.valid

    def test_entry_at_a_deep_link_replays_from_there(self, flow):
        resolution = resolve_node(flow, [("spam_duration", "permanent")], entry="spam_duration")
        assert resolution.current.id == "spam_appeal_button"
        assert resolution.path == ("spam_duration", "spam_appeal_button")
        assert resolution.valid

    def test_unknown_entry_falls_back_to_the_start_and_is_invalid(self, flow):
        resolution = resolve_node(flow, [], entry="no_such_node")
        assert resolution.current.id == "start"
        assert not resolution.valid


class TestAnswerStep:
    def test_changing_an_earlier_answer_drops_the_later_ones(self, flow):
        resolution = resolve_node(flow, SPAM_PERMANENT)
        assert answer_step(resolution, "reason", "website") == tuple(NOT_REVIEWED) + (("reason", "website"),)

    def test_answering_the_current_node_appends(self, flow):
        resolution = resolve_node(flow, SPAM)
        assert answer_step(resolution, "spam_duration", "temporary") == tuple(SPAM) + (("spam_duration", "temporary"),)

    def test_node_off_the_path_is_refused(self, flow):
        assert answer_step(resolve_node(flow, START), "reason", "spam") is None


class TestShape:
    def test_every_path_ends_at_an_outcome_within_six_answers(self, flow):
        paths = every_path(flow)
        for path in paths:
            assert resolve_node(flow, path).current.is_outcome
            assert len(path) <= 6, path

    def test_median_path_rises_by_one_answer_at_most(self, flow):
        """Issue 7: the new questions may lengthen the median walk from 4 answers to 5, not more."""
        lengths = sorted(len(path) for path in every_path(flow))
        assert lengths[len(lengths) // 2] <= 5
        assert lengths[(len(lengths) - 1) // 2] <= 5

    def test_every_outcome_node_is_reached_and_all_three_kinds_exist(self, flow):
        reached = {resolve_node(flow, path).current.id for path in every_path(flow)}
        assert reached == {node.id for node in flow.outcome_nodes()}
        assert {node.outcome.value for node in flow.outcome_nodes()} == {"appeal", "wait", "contact-meta"}

    def test_depth_is_the_longest_way_to_an_outcome(self, flow):
        assert flow.depth["start"] == max(len(path) for path in every_path(flow))
        assert all(flow.depth[node.id] == 0 for node in flow.outcome_nodes())


class TestMovedIds:
    """A walk saved before a step was renamed still replays: moved ids read as the node they moved to."""

    def test_answers_and_entry_with_old_ids_replay(self, flow):
        import dataclasses
        from types import MappingProxyType

        renamed = dataclasses.replace(flow, moved=MappingProxyType({"old_reason": "reason", "intro": "start"}))
        resolution = resolve_node(renamed, [("intro", CONTINUE), ("product", "platform"), ("review_requested", "no"),
                                            ("old_reason", "spam")], entry="intro")
        assert resolution.valid and resolution.current.id == "spam_duration"
        assert resolution.path == ("start", "product", "review_requested", "reason", "spam_duration")
        assert resolve_node(renamed, [], entry="old_reason").current.id == "reason"
