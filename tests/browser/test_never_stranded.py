"""With JavaScript nobody is stranded: the header follows the swapped step, failed requests recover, the page
scroll behaves like a page load, start again asks first, and the outcome page reads well on a small phone."""

import pytest

from .driver import STEP_HEADING
from .paths import path_to_outcome, step_url

pytestmark = pytest.mark.browser


def set_reload_marker(page):
    page.evaluate("window.__marker = 1")


def reloaded(page) -> bool:
    return page.evaluate("window.__marker") != 1


def walk_swapped(guide, kind="appeal", moves_count=None):
    """From home to an outcome (or the first `moves_count` moves), every step after the first by htmx swap."""
    moves, outcome = path_to_outcome(guide.flow, kind)
    guide.open_home()
    guide.start()
    set_reload_marker(guide.page)
    if moves_count is None:
        guide.walk(moves, outcome)
        return moves, outcome
    target = moves[moves_count].node
    guide.walk(moves[:moves_count], target)
    return moves[:moves_count], target


def test_language_link_follows_every_swap_and_keeps_step_and_answers(guide):
    moves, outcome = walk_swapped(guide)
    page = guide.page
    assert not reloaded(page), "the walk should have been swapped in place"
    english = page.get_attribute('#language-switch a[hreflang="en"]', "href")
    assert english == step_url(guide.flow, outcome, "en"), "the header's English link is not the outcome on screen"
    assert page.locator("#language-switch").count() == 1
    code = page.get_attribute("[data-session-ref]", "data-session-ref")

    page.click('#language-switch a[hreflang="en"]')
    page.wait_for_url(guide.url(step_url(guide.flow, outcome, "en")))
    assert page.get_attribute("html", "lang") == "en"
    assert page.get_attribute("[data-outcome]", "data-outcome") == "appeal"
    assert page.get_attribute("[data-session-ref]", "data-session-ref") == code, "switching language lost the walk"
    assert page.locator(".answers__row").count() == sum(1 for m in moves if m.answer_id is not None)
    assert page.locator(".notice[role=note]").count() == 0 or "link" not in page.inner_text(".notice")


def test_language_link_follows_a_swapped_back_link(guide):
    moves, target = walk_swapped(guide, moves_count=2)
    previous = moves[-1].node
    guide.page.click("#step .step-back a")
    guide.wait_for_step(previous)
    assert guide.page.get_attribute('#language-switch a[hreflang="en"]', "href") == step_url(
        guide.flow, previous, "en"
    )


def _first_answer_move(moves):
    return next(move for move in moves if move.answer_id is not None)


@pytest.mark.parametrize("failure", ["403", "dropped"])
def test_a_failed_swap_says_so_and_falls_back_to_a_normal_page_request(guide, failure):
    """A 403 (expired page) or a dropped connection while answering: an inline alert appears, then the answer goes
    out as a normal form submission, which brings the visitor to the next step (a full page load)."""
    moves, outcome = path_to_outcome(guide.flow, "appeal")
    guide.open_home()
    guide.start()
    page = guide.page
    for index, move in enumerate(moves):
        guide.wait_for_step(move.node)
        if move.answer_id is not None:
            break
        guide.play(move)
    target = moves[index + 1].node if index + 1 < len(moves) else outcome
    set_reload_marker(page)

    failed = []

    def fail_htmx_once(route):
        if route.request.headers.get("hx-request") and not failed:
            failed.append(route.request.url)
            if failure == "403":
                route.fulfill(status=403, body="forbidden", content_type="text/html")
            else:
                route.abort("internetdisconnected")
            return
        route.continue_()

    page.route("**/guide/**", fail_htmx_once)
    guide.choose(move.answer_id)
    guide.submit()
    alert = page.wait_for_selector(".request-problem[role=alert]")
    assert alert.inner_text().strip(), "the alert says nothing"
    assert alert.get_attribute("data-problem") == ("expired" if failure == "403" else "offline")
    guide.wait_for_step(target)
    assert failed, "no htmx request was failed: the test did not test anything"
    assert reloaded(page), "the fall-back should be a normal page request"
    assert page.get_attribute("#step", "data-node") == target.id


def test_a_server_error_on_a_link_falls_back_to_the_page(guide):
    moves, target = walk_swapped(guide, moves_count=2)
    page = guide.page
    previous = moves[-1].node

    def fail(route):
        if route.request.headers.get("hx-request"):
            route.fulfill(status=502, body="bad gateway")
        else:
            route.continue_()

    page.route("**/guide/**", fail)
    page.click("#step .step-back a")
    assert page.wait_for_selector(".request-problem").get_attribute("data-problem") == "server"
    guide.wait_for_step(previous)
    assert reloaded(page)


def test_after_a_swap_the_header_and_progress_stay_in_view(phone_guide):
    guide = phone_guide
    moves, outcome = path_to_outcome(guide.flow, "appeal")
    guide.open_home()
    guide.start()
    page = guide.page
    for index, move in enumerate(moves):
        guide.wait_for_step(move.node)
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # the submit button is low on a phone
        guide.play(move)
        target = moves[index + 1].node if index + 1 < len(moves) else outcome
        guide.wait_for_step(target)
        guide.wait_for_focus(STEP_HEADING)
        assert page.evaluate("window.scrollY") == 0, f"{target.id}: a new step should start at the top"
        header_top = page.evaluate("document.querySelector('.site-header').getBoundingClientRect().top")
        assert header_top == 0, f"{target.id}: the header is scrolled away"
        if page.locator("#step .progress").count():
            box = page.locator("#step .progress").bounding_box()
            assert 0 <= box["y"] < page.viewport_size["height"], f"{target.id}: the progress line is out of view"


def test_start_again_asks_first_and_back_does_not_fake_a_new_walk(guide):
    moves, outcome = walk_swapped(guide)
    page = guide.page
    old_code = page.get_attribute("[data-session-ref]", "data-session-ref")
    page.on("dialog", lambda dialog: pytest.fail(f"a browser dialog appeared: {dialog.message}"))

    page.click("#step a[data-restart]")
    page.wait_for_selector('#step[data-node="restart"]')
    assert not reloaded(page), "the question should be swapped in"
    assert page.locator("[data-session-ref]").count() == 0
    # "No": back to the outcome, same walk, same code.
    page.click("#step [data-restart-confirm] a")
    guide.wait_for_step(outcome)
    assert page.get_attribute("[data-session-ref]", "data-session-ref") == old_code

    page.click("#step a[data-restart]")
    page.click("#step [data-restart-confirm] button[type=submit]")
    guide.wait_for_step(guide.flow.nodes[guide.flow.start])

    page.go_back()
    page.wait_for_load_state()
    page.go_back()
    guide.wait_for_step(guide.flow.nodes[guide.flow.start])
    assert "link" not in (page.inner_text(".notice") if page.locator(".notice").count() else "")

    # The new walk reaches an outcome with its own code, once.
    guide.walk(moves, outcome)
    new_code = page.get_attribute("[data-session-ref]", "data-session-ref")
    assert new_code and new_code != old_code


def test_restart_without_javascript_is_a_confirmation_page(nojs_guide):
    guide = nojs_guide
    moves, outcome = path_to_outcome(guide.flow, "appeal")
    guide.open_home()
    guide.start()
    guide.walk(moves, outcome)
    guide.page.click("#step a[data-restart]")
    guide.page.wait_for_url("**/restart/")
    guide.page.click("#step [data-restart-confirm] button[type=submit]")
    guide.wait_for_step(guide.flow.nodes[guide.flow.start])


def test_reference_code_never_wraps_at_320_px_and_can_be_copied(new_context, live_server, flow):
    from .driver import GuideBrowser

    context = new_context(viewport={"width": 320, "height": 640}, is_mobile=True, has_touch=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    guide = GuideBrowser(context.new_page(), live_server.url, flow)
    guide.walk_to_outcome("appeal")
    page = guide.page
    code = page.locator("[data-session-ref]")
    box = code.bounding_box()
    line_height = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('[data-session-ref]')).lineHeight)"
    )
    assert box["height"] < 1.5 * line_height, "the reference code wraps onto two lines"
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320, "the reference code runs off the screen"
    assert page.evaluate("document.documentElement.scrollWidth") <= 320, "the page scrolls sideways"

    page.click(".ref-code__copy")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == code.get_attribute("data-session-ref")
    assert code.inner_text().strip() == copied


def test_no_feedback_box_on_questions_but_one_on_outcomes(guide):
    moves, outcome = path_to_outcome(guide.flow, "wait")
    guide.open_home()
    guide.start()
    for index, move in enumerate(moves):
        guide.wait_for_step(move.node)
        assert guide.page.locator("#feedback").count() == 0, f"{move.node.id} asks for feedback"
        guide.play(move)
    guide.wait_for_step(outcome)
    assert guide.page.locator("#feedback").count() == 1


def test_long_numbered_lists_keep_their_numbers_in_the_text_column(phone_guide):
    phone_guide.walk_to_outcome("appeal")
    page = phone_guide.page
    lists = page.locator("#step .prose ol")
    if lists.count() == 0:
        pytest.skip("this outcome has no numbered list")
    for i in range(lists.count()):
        ol = lists.nth(i)
        left = ol.evaluate("el => el.getBoundingClientRect().left")
        main_left = page.evaluate("document.querySelector('#step').getBoundingClientRect().left")
        assert left >= main_left, "the list starts outside the text column"
        padding = ol.evaluate("el => parseFloat(getComputedStyle(el).paddingLeft)")
        font = ol.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
        assert padding >= 2 * font, "no room for two-digit numbers"


def test_short_pages_keep_the_footer_at_the_bottom(guide):
    response = guide.page.goto(guide.url("/it/nessuna-pagina/"))
    assert response.status == 404
    footer_bottom = guide.page.evaluate("document.querySelector('.site-footer').getBoundingClientRect().bottom")
    assert abs(footer_bottom - guide.page.viewport_size["height"]) <= 1


def test_main_keeps_its_padding(guide):
    guide.open_home()
    gap = guide.page.evaluate(
        "document.querySelector('main h1').getBoundingClientRect().top"
        " - document.querySelector('.site-header').getBoundingClientRect().bottom"
    )
    assert gap >= 16, f"the heading sits {gap}px under the header"
