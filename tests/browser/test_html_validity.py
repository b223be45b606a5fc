"""Every page type is valid HTML according to the Nu Html Checker (vnu)."""

import pytest
from bs4 import BeautifulSoup

from .paths import (
    PAGE_TYPES,
    TOOL_PAGES,
    TEMPLATE_CHECK_POST,
    content_url,
    first_question,
    home_url,
    missing_step_url,
    path_to_node,
    path_to_outcome,
    restart_url,
    start_url,
    step_url,
    tool_value,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


class ClientVisitor:
    """The Django test client used like a browser without JavaScript: it submits the forms the pages show."""

    def __init__(self, client, flow):
        self.client = client
        self.flow = flow

    def start(self):
        return self.client.post(start_url(self.flow), follow=True)

    def play(self, response, answer_id):
        """Submit the step's answer form with its hidden fields, plus the chosen radio if any."""
        form = BeautifulSoup(response.content, "html.parser").select_one("#step form:has([name=answer])")
        assert form is not None, f"no answer form at {response.request['PATH_INFO']}"
        data = {field["name"]: field.get("value", "") for field in form.select("input[type=hidden][name]")}
        if answer_id is not None:
            data["answer"] = answer_id
        return self.client.post(form["action"], data, follow=True)

    def walk(self, moves):
        response = self.start()
        for move in moves:
            assert response.status_code == 200
            response = self.play(response, move.answer_id)
        return response

    def fetch(self, page_type):
        """The response a visitor without JavaScript gets for one of paths.PAGE_TYPES."""
        if page_type == "home":
            return self.client.get(home_url())
        if page_type == "info":
            return self.start()
        if page_type in ("question", "question-error"):
            moves, _ = first_question(self.flow)
            response = self.walk(moves)
            return self.play(response, None) if page_type == "question-error" else response
        if page_type in TOOL_PAGES:
            node_id, typed = TOOL_PAGES[page_type]
            self.walk(path_to_node(self.flow, node_id))
            query = {name: tool_value(value) for name, value in typed.items()}
            return self.client.get(step_url(self.flow, self.flow.nodes[node_id]), query)
        if page_type.startswith("outcome-"):
            moves, _ = path_to_outcome(self.flow, page_type.removeprefix("outcome-"))
            return self.walk(moves)
        if page_type == "not-found":
            return self.client.get(missing_step_url(self.flow))
        if page_type == "question-en":
            moves, _ = first_question(self.flow)
            response = self.client.post(start_url(self.flow, "en"), follow=True)
            for move in moves:
                response = self.play(response, move.answer_id)
            return response
        if page_type == "restart":
            moves, _ = path_to_outcome(self.flow, "appeal")
            self.walk(moves)
            return self.client.get(restart_url(self.flow))
        if page_type == "article-feedback-reasons":
            url = content_url(page_type)
            self.client.post("/it/feedback/", {"target": "article:appeal", "helpful": "no", "next": url})
            return self.client.get(url)
        if page_type == "template-check-results":
            return self.client.post(content_url(page_type), TEMPLATE_CHECK_POST)
        if page_type == "template-check-error":
            return self.client.post(content_url(page_type), {"text": "", "category": ""})
        return self.client.get(content_url(page_type))


EXPECTED_STATUS = {"question-error": 400, "not-found": 404, "outcome-tools-error": 400, "template-check-error": 400}


@pytest.mark.parametrize("page_type", PAGE_TYPES)
def test_page_type_is_valid_html(client, flow, vnu, imported, page_type):
    """The full HTML of each page type has no vnu errors (warnings are not counted)."""
    response = ClientVisitor(client, flow).fetch(page_type)
    assert response.status_code == EXPECTED_STATUS.get(page_type, 200)
    assert response["Content-Type"].startswith("text/html")
    errors = vnu(response.content)
    assert errors == [], f"{page_type}:\n" + "\n".join(
        f"- line {e.get('lastLine')}: {e['message']}\n    {e.get('extract', '').strip()!r}" for e in errors
    )


def test_vnu_reports_invalid_html(vnu):
    """The checker used above does report errors (so an empty list means something)."""
    errors = vnu(b"<!doctype html><html lang=en><head><title>x</title></head><body><p><div></p></body></html>")
    assert errors, "vnu found nothing wrong with invalid HTML"
