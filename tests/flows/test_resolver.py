"""The real flow, one class per question, one test per answer, against the pure resolver (no HTTP, no Django)."""


from portal.flows.model import CONTINUE
from portal.flows.resolver import answer_step, every_path, resolve_node

START = [("start", CONTINUE)]
NOT_REVIEWED = START + [("review_requested", "no")]


def lands_on(flow, answers):
    resolution = resolve_node(flow, answers)
    assert resolution.valid
    return resolution.current.id


class TestStart:
    def test_start_continue_leads_to_review_requested(self, flow):
        assert lands_on(flow, START) == "review_requested"


class TestReviewRequested:
    def test_review_requested_no_leads_to_reason(self, flow):
        assert lands_on(flow, START + [("review_requested", "no")]) == "reason"

    def test_review_requested_in_review_leads_to_wait_review_pending(self, flow):
        assert lands_on(flow, START + [("review_requested", "in_review")]) == "wait_review_pending"

    def test_review_requested_unchanged_leads_to_contact_after_unchanged(self, flow):
        assert lands_on(flow, START + [("review_requested", "unchanged")]) == "contact_after_unchanged"


class TestReason:
    def test_reason_spam_leads_to_spam_duration(self, flow):
        assert lands_on(flow, NOT_REVIEWED + [("reason", "spam")]) == "spam_duration"

    def test_reason_scam_leads_to_scam_appeal_button(self, flow):
        assert lands_on(flow, NOT_REVIEWED + [("reason", "scam")]) == "scam_appeal_button"

    def test_reason_website_leads_to_website_review_button(self, flow):
        assert lands_on(flow, NOT_REVIEWED + [("reason", "website")]) == "website_review_button"

    def test_reason_policy_leads_to_policy_appeal_button(self, flow):
        assert lands_on(flow, NOT_REVIEWED + [("reason", "policy")]) == "policy_appeal_button"

    def test_reason_industry_leads_to_industry_appeal_button(self, flow):
        assert lands_on(flow, NOT_REVIEWED + [("reason", "industry")]) == "industry_appeal_button"

    def test_reason_unknown_leads_to_contact_no_reason(self, flow):
        assert lands_on(flow, NOT_REVIEWED + [("reason", "unknown")]) == "contact_no_reason"


SPAM = NOT_REVIEWED + [("reason", "spam")]


class TestSpamDuration:
    def test_spam_duration_temporary_leads_to_wait_spam_temporary(self, flow):
        assert lands_on(flow, SPAM + [("spam_duration", "temporary")]) == "wait_spam_temporary"

    def test_spam_duration_permanent_leads_to_spam_appeal_button(self, flow):
        assert lands_on(flow, SPAM + [("spam_duration", "permanent")]) == "spam_appeal_button"


SPAM_PERMANENT = SPAM + [("spam_duration", "permanent")]


class TestSpamAppealButton:
    def test_spam_appeal_button_yes_leads_to_appeal_spam(self, flow):
        assert lands_on(flow, SPAM_PERMANENT + [("spam_appeal_button", "yes")]) == "appeal_spam"

    def test_spam_appeal_button_no_leads_to_contact_spam(self, flow):
        assert lands_on(flow, SPAM_PERMANENT + [("spam_appeal_button", "no")]) == "contact_spam"


class TestScamAppealButton:
    BEFORE = NOT_REVIEWED + [("reason", "scam")]

    def test_scam_appeal_button_yes_leads_to_appeal_scam(self, flow):
        assert lands_on(flow, self.BEFORE + [("scam_appeal_button", "yes")]) == "appeal_scam"

    def test_scam_appeal_button_no_leads_to_contact_scam(self, flow):
        assert lands_on(flow, self.BEFORE + [("scam_appeal_button", "no")]) == "contact_scam"


class TestWebsiteReviewButton:
    BEFORE = NOT_REVIEWED + [("reason", "website")]

    def test_website_review_button_yes_leads_to_wait_website_review(self, flow):
        assert lands_on(flow, self.BEFORE + [("website_review_button", "yes")]) == "wait_website_review"

    def test_website_review_button_no_leads_to_contact_website(self, flow):
        assert lands_on(flow, self.BEFORE + [("website_review_button", "no")]) == "contact_website"


class TestPolicyAppealButton:
    BEFORE = NOT_REVIEWED + [("reason", "policy")]

    def test_policy_appeal_button_yes_leads_to_appeal_policy(self, flow):
        assert lands_on(flow, self.BEFORE + [("policy_appeal_button", "yes")]) == "appeal_policy"

    def test_policy_appeal_button_no_leads_to_contact_policy(self, flow):
        assert lands_on(flow, self.BEFORE + [("policy_appeal_button", "no")]) == "contact_policy"


class TestIndustryAppealButton:
    BEFORE = NOT_REVIEWED + [("reason", "industry")]

    def test_industry_appeal_button_yes_leads_to_appeal_industry(self, flow):
        assert lands_on(flow, self.BEFORE + [("industry_appeal_button", "yes")]) == "appeal_industry"

    def test_industry_appeal_button_no_leads_to_contact_industry(self, flow):
        assert lands_on(flow, self.BEFORE + [("industry_appeal_button", "no")]) == "contact_industry"


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
        resolution = resolve_node(flow, START + [("reason", "spam")])
        assert resolution.current.id == "review_requested"
        assert not resolution.valid

    def test_malformed_steps_stop_replay(self, flow):
        for junk in (["start"], ("start", CONTINUE, "x"), (1, 2), None):
            resolution = resolve_node(flow, [junk] if junk is not None else [("start", None)])
            assert resolution.current.id == "start"
            assert not resolution.valid

    def test_answers_past_an_outcome_are_dropped(self, flow):
        resolution = resolve_node(flow, NOT_REVIEWED + [("reason", "unknown"), ("reason", "spam")])
        assert resolution.current.id == "contact_no_reason"
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
        assert len(paths) == len(flow.outcome_nodes()) == 14  # a tree: one path per outcome
        for path in paths:
            assert resolve_node(flow, path).current.is_outcome
            assert len(path) <= 6, path

    def test_median_path_is_at_most_five_answers(self, flow):
        lengths = sorted(len(path) for path in every_path(flow))
        assert lengths[len(lengths) // 2] <= 5

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
        resolution = resolve_node(renamed, [("intro", CONTINUE), ("review_requested", "no"), ("old_reason", "spam")],
                                  entry="intro")
        assert resolution.valid and resolution.current.id == "spam_duration"
        assert resolution.path == ("start", "review_requested", "reason", "spam_duration")
        assert resolve_node(renamed, [], entry="old_reason").current.id == "reason"
