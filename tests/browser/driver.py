"""A visitor driving the guide in one Playwright page. Imports nothing from Playwright itself, so that the browser
tests can be collected (and skipped with a reason) on a machine without it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from portal.flows.model import Flow, Node

from .paths import (
    TOOL_PAGES,
    TEMPLATE_CHECK_POST,
    Move,
    content_url,
    first_question,
    home_url,
    missing_step_url,
    path_to_node,
    path_to_outcome,
    start_url,
    step_url,
    tool_value,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page, Response

#: The form of an info step (a hidden "answer") or of a question (radio "answer"); not the "start again" form.
ANSWER_FORM = "#step form:has([name=answer])"
STEP_HEADING = "#step h1"
ERROR_SUMMARY = "#step .error-summary"

_FOCUSED_JS = "selector => document.activeElement !== null && document.activeElement === document.querySelector(selector)"
_DESCRIBE_FOCUS_JS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "<body> (nothing focused)";
  return el.outerHTML.slice(0, 160);
}"""


class GuideBrowser:
    """Opens pages of the guide and answers its steps, waiting for what a visitor would wait for."""

    def __init__(self, page: Page, base_url: str, flow: Flow):
        self.page = page
        self.base_url = base_url.rstrip("/")
        self.flow = flow

    def url(self, path: str) -> str:
        return self.base_url + path

    def step_url(self, node: Node) -> str:
        return self.url(step_url(self.flow, node))

    # Opening pages

    def open_home(self) -> None:
        response = self.page.goto(self.url(home_url()))
        assert response is not None and response.status == 200, f"home page: HTTP {response and response.status}"

    def start(self) -> None:
        """From the home page, press "Start the guide" (a plain POST form) and land on the first step."""
        self.page.click(f'form[action="{start_url(self.flow)}"] [type=submit]')
        self.wait_for_step(self.flow.nodes[self.flow.start])

    def open_missing_step(self) -> Response:
        response = self.page.goto(self.url(missing_step_url(self.flow)))
        assert response is not None
        return response

    # Answering

    def choose(self, answer_id: str) -> None:
        """Pick an answer by clicking its label, as a pointer user does."""
        self.page.click(f'#step label[for="answer-{answer_id}"]')
        assert self.page.is_checked(f'#step input[name=answer][value="{answer_id}"]'), f"{answer_id} is not checked"

    def submit(self) -> None:
        self.page.click(f"{ANSWER_FORM} [type=submit]")

    def play(self, move: Move) -> None:
        """Answer the step on screen (or press Continue on an info step) and submit."""
        if move.answer_id is not None:
            self.choose(move.answer_id)
        self.submit()

    def walk(self, moves: tuple[Move, ...], arrive_at: Node) -> None:
        """Play `moves` from the step on screen, checking that each one leads where the flow says."""
        targets = [move.node for move in moves[1:]] + [arrive_at]
        for move, target in zip(moves, targets):
            self.wait_for_step(move.node)
            self.play(move)
            self.wait_for_step(target)

    def walk_to_outcome(self, kind: str) -> Node:
        """From the home page to the nearest outcome of `kind`; returns the outcome node."""
        moves, outcome = path_to_outcome(self.flow, kind)
        self.open_home()
        self.start()
        self.walk(moves, outcome)
        return outcome

    def walk_to_node(self, node_id: str) -> Node:
        """From the home page to the step `node_id`, answering as the shortest path does."""
        node = self.flow.nodes[node_id]
        self.open_home()
        self.start()
        self.walk(path_to_node(self.flow, node_id), node)
        return node

    def use_tools(self, node_id: str, typed: dict[str, str]) -> None:
        """Walk to a step and fill in its tools form (GET: a normal page load, with or without JavaScript)."""
        self.walk_to_node(node_id)
        for name, value in typed.items():
            field = self.page.locator(f'#tools [name="{name}"]')
            if field.first.get_attribute("type") == "checkbox":
                self.page.check(f'#tools [name="{name}"][value="{value}"]')
            else:
                self.page.fill(f'#tools [name="{name}"]', tool_value(value))
        with self.page.expect_navigation():
            self.page.locator("#tools [type=submit]").first.click()
        self.page.wait_for_selector("#tools")

    def walk_to_first_question(self) -> Node:
        moves, question = first_question(self.flow)
        self.open_home()
        self.start()
        self.walk(moves, question)
        return question

    # Waiting and looking

    def wait_for_step(self, node: Node) -> None:
        """Wait until the address bar shows the step's permalink and #step shows that node."""
        self.page.wait_for_url(self.step_url(node))
        self.page.wait_for_selector(f'#step[data-node="{node.id}"]', state="attached")

    def wait_for_focus(self, selector: str) -> None:
        """Wait (a few seconds at most) for focus to reach `selector`; on a timeout, fail naming what has focus."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        try:
            self.page.wait_for_function(_FOCUSED_JS, arg=selector, timeout=5_000)
        except PlaywrightTimeout:
            pass
        assert self.page.evaluate(_FOCUSED_JS, selector), (
            f"focus should be on {selector}, but it is on {self.describe_focus()}"
        )

    def describe_focus(self) -> str:
        return self.page.evaluate(_DESCRIBE_FOCUS_JS)

    def focus_matches(self, selector: str) -> bool:
        return self.page.evaluate("s => document.activeElement !== null && document.activeElement.matches(s)", selector)

    def open_page_type(self, page_type: str) -> None:
        """Bring the page to one of paths.PAGE_TYPES, the way a visitor would get there."""
        if page_type == "home":
            self.open_home()
        elif page_type == "info":
            self.open_home()
            self.start()
            assert self.flow.nodes[self.flow.start].is_info, "the flow does not start with an info step"
        elif page_type == "question":
            self.walk_to_first_question()
        elif page_type == "question-error":
            self.walk_to_first_question()
            self.submit()
            self.page.wait_for_selector(ERROR_SUMMARY)
        elif page_type in TOOL_PAGES:
            self.use_tools(*TOOL_PAGES[page_type])
        elif page_type.startswith("outcome-"):
            kind = page_type.removeprefix("outcome-")
            self.walk_to_outcome(kind)
            self.page.wait_for_selector(f'[data-outcome="{kind}"]')
        elif page_type == "not-found":
            assert self.open_missing_step().status == 404
        elif page_type == "question-en":
            moves, question = first_question(self.flow)
            self.page.goto(self.url(home_url("en")))
            self.page.click(f'form[action="{start_url(self.flow, "en")}"] [type=submit]')
            for move in moves:
                self.page.wait_for_url(self.url(step_url(self.flow, move.node, "en")))
                self.play(move)
            self.page.wait_for_url(self.url(step_url(self.flow, question, "en")))
            self.page.wait_for_selector(f'#step[data-node="{question.id}"]', state="attached")
        elif page_type == "restart":
            self.walk_to_outcome("appeal")
            self.page.click("#step a[data-restart]")
            self.page.wait_for_selector('#step[data-node="restart"]')
        elif page_type == "article-feedback-reasons":
            self.page.goto(self.url(content_url(page_type)))
            self.page.click('#feedback button[name=helpful][value="no"]')
            self.page.wait_for_selector("#feedback input[name=reason]")
        elif page_type in ("template-check-results", "template-check-error"):
            self.page.goto(self.url(content_url(page_type)))
            if page_type == "template-check-results":
                self.page.fill("textarea[name=text]", TEMPLATE_CHECK_POST["text"])
                self.page.check(f'input[name=category][value="{TEMPLATE_CHECK_POST["category"]}"]')
            self.page.click("form.precheck-form [type=submit]")
            self.page.wait_for_selector("[data-precheck-results]" if page_type == "template-check-results"
                                        else "[data-precheck-errors]")
        else:
            response = self.page.goto(self.url(content_url(page_type)))
            assert response is not None and response.status == 200, f"{page_type}: HTTP {response and response.status}"
