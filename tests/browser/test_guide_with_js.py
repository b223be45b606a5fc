"""The guide with JavaScript: htmx swaps only #step, pushes each step's permalink, and focus follows the swap."""

import re

import pytest

from .driver import ANSWER_FORM, ERROR_SUMMARY, STEP_HEADING
from .paths import OUTCOME_KINDS, first_question, path_to_outcome

pytestmark = pytest.mark.browser

REF_CODE = re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}$")


def set_reload_marker(page):
    """A value that only survives while the document does: a full page load wipes it."""
    page.evaluate("window.__marker = 1")


def assert_not_reloaded(page, where):
    assert page.evaluate("window.__marker") == 1, f"{where}: the page was fully reloaded instead of swapping #step"


def assert_swapped_to(guide, node):
    """The step is on screen at its permalink, in the same document, with focus and title moved to it."""
    guide.wait_for_step(node)
    assert_not_reloaded(guide.page, node.id)
    guide.wait_for_focus(STEP_HEADING)
    heading = guide.page.inner_text(STEP_HEADING).strip()
    assert heading, f"{node.id}: empty heading"
    assert guide.page.title().startswith(heading), f"{node.id}: title {guide.page.title()!r} does not name the step"


@pytest.mark.parametrize("kind", OUTCOME_KINDS)
def test_walk_with_js_swaps_each_step_in_place_and_reaches_the_outcome(guide, kind):
    """Home → start → answers by clicking labels → an outcome of `kind`; every step after the first is an htmx swap
    that pushes the step's permalink and moves focus to its heading; the outcome carries its kind and reference."""
    moves, outcome = path_to_outcome(guide.flow, kind)
    guide.open_home()
    guide.start()  # a full page load: the home page's form is a plain POST
    set_reload_marker(guide.page)

    targets = [move.node for move in moves[1:]] + [outcome]
    for move, target in zip(moves, targets):
        guide.play(move)
        assert_swapped_to(guide, target)

    page = guide.page
    assert page.get_attribute("[data-outcome]", "data-outcome") == kind
    assert page.locator("[data-outcome]").count() == 1
    ref = page.get_attribute("[data-session-ref]", "data-session-ref")
    assert REF_CODE.match(ref or ""), f"reference code {ref!r} is not like K7QX-2M4P"
    assert ref in page.inner_text("#step"), "the reference code is not shown to the visitor"


def test_browser_back_returns_to_the_previous_step_with_its_answer(guide):
    """After two swapped steps, Back shows the previous step again at its URL, with the answer given there checked;
    a second Back reaches the step before it."""
    moves, outcome = path_to_outcome(guide.flow, "appeal")
    assert len(moves) >= 3, "the test needs a walk of three steps or more"
    guide.open_home()
    guide.start()
    set_reload_marker(guide.page)
    guide.walk(moves[:3], moves[3].node if len(moves) > 3 else outcome)

    for move in (moves[2], moves[1]):
        guide.page.go_back()
        guide.wait_for_step(move.node)
        if move.answer_id is not None:
            assert guide.page.is_checked(f'#step input[name=answer][value="{move.answer_id}"]'), (
                f"{move.node.id}: the answer given ({move.answer_id}) is not checked after going back"
            )


def test_empty_answer_with_js_shows_the_error_summary_and_focuses_it(guide):
    """Submitting a question with nothing chosen keeps the visitor on the question (same URL, same document) with
    an error summary that has focus and links to the first answer."""
    moves, question = first_question(guide.flow)
    guide.open_home()
    guide.start()
    set_reload_marker(guide.page)
    guide.walk(moves, question)

    with guide.page.expect_response(lambda response: response.request.method == "POST") as answered:
        guide.submit()
    assert answered.value.status == 400
    guide.page.wait_for_selector(ERROR_SUMMARY)
    guide.wait_for_focus(ERROR_SUMMARY)
    assert_not_reloaded(guide.page, "error")
    assert guide.page.url == guide.step_url(question)

    link = guide.page.get_attribute(f"{ERROR_SUMMARY} a[href^='#']", "href")
    first_answer = guide.page.get_attribute(f"{ANSWER_FORM} input[name=answer]", "id")
    assert link == f"#{first_answer}", "the error summary does not link to the first answer"


def tab_to(guide, selector, limit=40):
    """Press Tab until focus is on `selector`; fail, listing where focus went, if it never gets there."""
    visited = []
    for _ in range(limit):
        guide.page.keyboard.press("Tab")
        if guide.focus_matches(selector):
            return
        visited.append(guide.describe_focus()[:80])
    raise AssertionError(f"Tab never reached {selector}; focus went to:\n" + "\n".join(visited))


def test_keyboard_only_walk_reaches_an_outcome(guide):
    """From the home page to an outcome with Tab, Space, arrow keys and Enter only: every control is reachable,
    radios are chosen with Space and the arrows, buttons work with Enter."""
    page = guide.page
    flow = guide.flow
    moves, outcome = path_to_outcome(flow, "appeal")
    guide.open_home()

    tab_to(guide, "main form [type=submit]")
    page.keyboard.press("Enter")
    guide.wait_for_step(flow.nodes[flow.start])

    targets = [move.node for move in moves[1:]] + [outcome]
    for move, target in zip(moves, targets):
        if move.answer_id is not None:
            answer_ids = [answer.id for answer in move.node.answers]
            tab_to(guide, "#step input[type=radio][name=answer]")
            page.keyboard.press("Space")
            for _ in range(answer_ids.index(move.answer_id)):
                page.keyboard.press("ArrowDown")
            checked = page.get_attribute("#step input[name=answer]:checked", "value")
            assert checked == move.answer_id, f"{move.node.id}: keys chose {checked}, not {move.answer_id}"
        tab_to(guide, f"{ANSWER_FORM} [type=submit]")
        page.keyboard.press("Enter")
        guide.wait_for_step(target)
        guide.wait_for_focus(STEP_HEADING)

    assert page.get_attribute("[data-outcome]", "data-outcome") == "appeal"
