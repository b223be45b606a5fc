"""Issue 8, outcome side: the website check, the date to check again with its .ics, the end date of a dated
restriction and the ready-to-send text, without JavaScript (Django test client, form posts and GET forms)."""

from collections import deque
from datetime import date, datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import icalendar
import pytest
from bs4 import BeautifulSoup
from django.utils import translation
from django.utils.translation import gettext as _

from portal.flows.model import Outcome
from portal.flows.registry import get_flow
from portal.toolkit.workhours import ROME, add_working_hours
from portal.tracking.models import FlowSession, LinkOpen, SessionEvent

from .helpers import node_of, start_url, step_url

pytestmark = pytest.mark.django_db

WEBSITE_PATH = (("start", "continue"), ("product", "platform"), ("review_requested", "no"), ("reason", "website"),
                ("website_duration", "permanent"))
DATED_PATH = (("start", "continue"), ("product", "platform"), ("review_requested", "unchanged"),
              ("unchanged_end_date", "temporary"))


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content, "html.parser")


def walk(client, lang, answers):
    from .helpers import answer_data

    flow = get_flow("blocked-number")
    response = client.post(start_url(lang), follow=True)
    for node_id, answer_id in answers:
        assert node_of(response) == node_id
        response = client.post(response.redirect_chain[-1][0], answer_data(flow.nodes[node_id], answer_id),
                               follow=True)
        assert response.status_code == 200
    return response


def answer_form(response):
    return soup(response).select_one("#step form[method=post]:has([name=answer])")


def post_answer(client, response, answer_id):
    form = answer_form(response)
    data = {field["name"]: field.get("value", "") for field in form.select("input[type=hidden][name]")}
    data["answer"] = answer_id
    return client.post(form["action"], data, follow=True)


def ready_texts(response) -> dict[str, str]:
    page = soup(response)
    return {box["data-ready-text"]: box.select_one("textarea").get_text() for box in page.select("[data-ready-text]")}


def reason_label(lang, answer_id):
    from portal.content.models import StepText

    return StepText.objects.get(flow_id="blocked_number", node_id="reason", locale=lang).answers[answer_id]


# ---------------------------------------------------------------- issue 8's "done when", website branch


@pytest.mark.parametrize("lang", ["it", "en"])
def test_website_branch_done_when(client, lang):
    """Types `example.com`, is told the exact fix, reaches the appeal outcome, sees a concrete date and downloads
    a reminder a calendar accepts; the ready text names the real reason and the fixed website."""
    question = walk(client, lang, WEBSITE_PATH)
    assert node_of(question) == "website_review_button"

    checked = client.get(question.redirect_chain[-1][0], {"website": "example.com"})
    assert checked.status_code == 200
    result = soup(checked).select_one("[data-website-status]")
    assert result["data-website-status"] == "corrected"
    assert result.select_one("[data-website-fixed]").get_text() == "https://example.com"
    # The checked address goes along with the answer.
    assert answer_form(checked).select_one("input[type=hidden][name=website]")["value"] == "https://example.com"

    outcome = post_answer(client, checked, "yes")
    assert node_of(outcome) == "appeal_website"
    assert soup(outcome).select_one("[data-outcome]")["data-outcome"] == "appeal"
    final_url = outcome.redirect_chain[-1][0]
    assert parse_qs(urlsplit(final_url).query) == {"website": ["https://example.com"]}
    page = soup(outcome)
    assert page.select_one("#tool-website")["value"] == "https://example.com"
    assert page.select_one("[data-website-status]")["data-website-status"] == "valid"

    due = datetime.fromisoformat(page.select_one("[data-review-due]")["data-review-due"])
    assert due.utcoffset() in (timedelta(hours=1), timedelta(hours=2))
    assert due - datetime.now(timezone.utc) >= timedelta(hours=48, minutes=-1)  # counted from this minute

    link = page.select_one("[data-review-due] ~ .tool-reminder [data-ics-link]")["href"]
    ics = client.get(link)
    assert ics.status_code == 200 and ics["Content-Type"].startswith("text/calendar")
    assert "attachment" in ics["Content-Disposition"] and ".ics" in ics["Content-Disposition"]
    calendar = icalendar.Calendar.from_ical(ics.content)
    [event] = calendar.walk("VEVENT")
    assert event.decoded("DTSTART") == due
    assert event["DTSTART"].params["TZID"] == "Europe/Rome"
    assert str(event["URL"]).endswith(step_url("appeal_website", lang) + "?" + urlsplit(link).query)

    # The ready text names the reason they chose, and the website fix with the checked address once ticked.
    texts = ready_texts(outcome)
    assert reason_label(lang, "website") in texts[lang]
    ticked = client.get(final_url, {"website": "https://example.com", "fix": ["website", "policies"]})
    text = ready_texts(ticked)[lang]
    assert "https://example.com" in text and reason_label(lang, "website") in text


def test_requested_moment_gives_the_date_48_working_hours_later(client):
    outcome = walk(client, "it", WEBSITE_PATH + (("website_review_button", "yes"),))
    url = outcome.redirect_chain[-1][0]
    requested = (datetime.now(ROME) - timedelta(days=3)).replace(second=0, microsecond=0, tzinfo=None)
    response = client.get(url, {"requested": requested.strftime("%Y-%m-%dT%H:%M")})
    due = datetime.fromisoformat(soup(response).select_one("[data-review-due]")["data-review-due"])
    assert due == add_working_hours(requested.replace(tzinfo=ROME))
    link = soup(response).select_one("[data-ics-link]")["href"]
    assert parse_qs(urlsplit(link).query) == {"requested": [requested.strftime("%Y-%m-%dT%H:%M")]}


@pytest.mark.parametrize("value", ["2026-13-01T10:00", "yesterday", "2999-01-01T10:00", "1990-01-01T10:00"])
def test_a_wrong_requested_moment_is_a_form_error(client, value):
    walk(client, "it", WEBSITE_PATH + (("website_review_button", "yes"),))
    response = client.get(step_url("appeal_website"), {"requested": value})
    assert response.status_code == 400
    summary = soup(response).select_one("[data-tools-errors]")
    assert summary is not None and summary.select_one('a[href="#tool-requested"]')
    assert soup(response).select_one("[data-review-due]") is None
    assert soup(response).select_one("[data-outcome]")  # the rest of the page is still there


@pytest.mark.parametrize("typed, problem_field", [("example .com", "website"), ("localhost", "website"),
                                                   ("ftp://x.it", "website")])
def test_a_wrong_website_says_what_is_wrong(client, typed, problem_field):
    walk(client, "it", WEBSITE_PATH)
    response = client.get(step_url("website_review_button"), {"website": typed})
    assert response.status_code == 400
    page = soup(response)
    assert page.select_one('[data-tools-errors] a[href="#tool-website"]')
    assert page.select_one("#tool-website-error").get_text(strip=True)
    assert page.select_one("[data-website-status]") is None
    assert page.select_one("#tool-website")["value"] == typed
    assert answer_form(response).select_one("input[name=website]") is None


# ---------------------------------------------------------------- dated restriction


def test_dated_restriction_shows_the_end_date_and_its_reminder(client):
    outcome = walk(client, "it", DATED_PATH)
    assert node_of(outcome) == "wait_restriction_dated"
    page = soup(outcome)
    assert page.select_one("input#tool-end[type=date][name=end]")
    assert page.select_one("[data-end-date]") is None
    end = date.today() + timedelta(days=7)
    response = client.get(outcome.redirect_chain[-1][0], {"end": end.isoformat()})
    assert response.status_code == 200
    shown = soup(response).select_one("[data-end-date]")
    assert shown["data-end-date"] == end.isoformat()
    ics = client.get(soup(response).select_one("[data-ics-link]")["href"])
    [event] = icalendar.Calendar.from_ical(ics.content).walk("VEVENT")
    assert event.decoded("DTSTART") == datetime(end.year, end.month, end.day, 9, 0, tzinfo=ROME)
    assert "ready-text" not in response.content.decode()  # a wait outcome has nothing to send


@pytest.mark.parametrize("value", ["2026-02-30", "domani", "2000-01-01", (date.today() + timedelta(days=800)).isoformat()])
def test_a_wrong_end_date_is_a_form_error(client, value):
    walk(client, "it", DATED_PATH)
    response = client.get(step_url("wait_restriction_dated"), {"end": value})
    assert response.status_code == 400
    assert soup(response).select_one('[data-tools-errors] a[href="#tool-end"]')
    assert soup(response).select_one("#tool-end-error")
    assert soup(response).select_one("[data-end-date]") is None


# ---------------------------------------------------------------- the .ics endpoint


def reminder_url(node_id, lang="it"):
    return step_url(node_id, lang) + "reminder.ics"


@pytest.mark.parametrize("node_id, query", [
    ("appeal_website", {}),
    ("appeal_website", {"requested": "not a date"}),
    ("appeal_website", {"requested": "2999-01-01T10:00"}),
    ("appeal_website", {"end": "2030-01-01"}),  # the parameter of another step
    ("wait_restriction_dated", {"end": "2026-02-30"}),
    ("wait_restriction_dated", {"end": ""}),
])
def test_bad_reminder_parameters_are_a_400_page(client, node_id, query):
    response = client.get(reminder_url(node_id), query)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")


def test_reminders_only_where_a_step_offers_one(client):
    assert client.get(reminder_url("appeal_spam"), {"end": "2030-01-01"}).status_code == 404
    assert client.get(step_url("no_such_step") + "reminder.ics").status_code == 404
    assert client.post(reminder_url("wait_restriction_dated"), {"end": "2030-01-01"}).status_code == 405


def test_a_reminder_writes_nothing_and_works_without_a_walk(client):
    end = (date.today() + timedelta(days=3)).isoformat()
    before = (FlowSession.objects.count(), SessionEvent.objects.count(), LinkOpen.objects.count())
    response = client.get(reminder_url("wait_restriction_dated", "en"), {"end": end})
    assert response.status_code == 200
    [event] = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert "/en/" in str(event["URL"])
    assert (FlowSession.objects.count(), SessionEvent.objects.count(), LinkOpen.objects.count()) == before
    assert not client.cookies.get("walk")


# ---------------------------------------------------------------- the ready text at every appeal and contact outcome


def path_to(flow, target):
    """The shortest list of (node, answer) from the start to `target`."""
    queue, seen = deque([(flow.start, ())]), {flow.start}
    while queue:
        node_id, moves = queue.popleft()
        if node_id == target:
            return moves
        node = flow.nodes[node_id]
        choices = [("continue", node.next)] if node.is_info else [(a.id, a.next) for a in node.answers]
        for answer_id, nxt in choices:
            if nxt and nxt not in seen:
                seen.add(nxt)
                queue.append((nxt, moves + ((node_id, answer_id),)))
    raise LookupError(target)


SENDING_OUTCOMES = sorted(n.id for n in get_flow("blocked-number").outcome_nodes()
                          if n.outcome in (Outcome.APPEAL, Outcome.CONTACT_META))


@pytest.mark.parametrize("outcome_id", SENDING_OUTCOMES)
def test_every_appeal_and_contact_outcome_has_a_ready_text_naming_the_reason(client, outcome_id):
    from portal.content.models import StepText

    flow = get_flow("blocked-number")
    moves = path_to(flow, outcome_id)
    response = walk(client, "it", moves)
    assert node_of(response) == outcome_id
    texts = ready_texts(response)
    assert set(texts) == {"it", "en"}  # the page's language, and English behind a switch
    assert soup(response).select_one('[data-ready-text-switch="en"]')
    reasons = [(node_id, answer_id) for node_id, answer_id in moves if flow.nodes[node_id].names_reason]
    for lang, text in texts.items():
        assert "[" in text and "]" in text  # placeholders for what only the customer knows
        if reasons:
            node_id, answer_id = reasons[-1]
            answer = next(a for a in flow.nodes[node_id].answers if a.id == answer_id)
            if not answer.no_reason:
                label = StepText.objects.get(flow_id=flow.id, node_id=node_id, locale=lang).answers[answer_id]
                assert label in text, (lang, label)
    # Selectable without JavaScript; the copy button appears with it.
    box = soup(response).select_one('[data-ready-text="it"]')
    assert box.select_one("textarea").get("name") is None  # never sent with the form
    assert box.select_one("button[data-copy-from]").has_attr("hidden")


def test_the_ready_text_follows_the_page_language(client):
    response = walk(client, "en", path_to(get_flow("blocked-number"), "appeal_spam"))
    texts = ready_texts(response)
    assert set(texts) == {"en"}
    assert reason_label("en", "spam") in texts["en"]
    with translation.override("en"):
        assert "[BUSINESS NAME]" in texts["en"]
    italian = ready_texts(walk(client, "it", path_to(get_flow("blocked-number"), "appeal_scam")))
    assert reason_label("it", "scam") in italian["it"] and reason_label("en", "scam") in italian["en"]
    assert italian["it"] != italian["en"]


def test_ticked_fixes_are_named_and_unknown_ones_refused(client):
    response = walk(client, "it", path_to(get_flow("blocked-number"), "appeal_spam"))
    url = response.redirect_chain[-1][0]
    plain = ready_texts(response)["it"]
    ticked = client.get(url, {"fix": ["opt_in", "templates"]})
    text = ready_texts(ticked)["it"]
    assert text != plain and len(text) > len(plain)
    page = soup(ticked)
    assert page.select_one("#tool-fix-opt_in").has_attr("checked")
    assert not page.select_one("#tool-fix-website").has_attr("checked")
    tampered = client.get(url, {"fix": "<script>"})
    assert tampered.status_code == 400 and soup(tampered).select_one("[data-tools-errors]")


@pytest.mark.parametrize("lang", ["it", "en"])
def test_the_phone_app_outcomes_have_the_app_s_ready_text_and_fixes(client, lang):
    """The app has no business portfolio, templates or WABA ID, and its contact outcome comes after a review the
    app refused: the ready text and the fixes offered say so; the platform's keep theirs."""
    flow = get_flow("blocked-number")
    appeal = walk(client, lang, path_to(flow, "appeal_app"))
    contact = walk(client, lang, path_to(flow, "contact_app"))
    assert client.get(contact.redirect_chain[-1][0], {"fix": "templates"}).status_code == 400  # the app has none
    platform = walk(client, lang, path_to(flow, "contact_no_reason"))
    with translation.override(lang):
        waba, app_says = _("[WABA ID]"), _("[WHAT THE APP SAYS]")
        refused = _("We asked for a review in the app and the ban was confirmed. Please check the account again, "
                    "or tell us how to restore it.")
        cannot_find = _("We cannot find a way to request a review. Please review the restriction or tell us how to "
                        "restore the account.")
    for response in (appeal, contact):
        text = ready_texts(response)[lang]
        assert waba not in text and app_says in text
        assert [box["value"] for box in soup(response).select('input[name="fix"]')] == ["policies", "opt_in"]
    assert refused in ready_texts(contact)[lang] and cannot_find not in ready_texts(contact)[lang]
    assert refused not in ready_texts(appeal)[lang]
    platform_text = ready_texts(platform)[lang]
    assert waba in platform_text and cannot_find in platform_text and refused not in platform_text
    assert len(soup(platform).select('input[name="fix"]')) == 4


def test_html_in_an_answer_label_cannot_get_out_of_the_text_area(client):
    from portal.content.models import StepText, TextRevision

    row = StepText.objects.get(flow_id="blocked_number", node_id="reason", locale="it")
    row.answers = {**row.answers, "spam": '</textarea><script>alert(1)</script><b>Spam</b>'}
    row.save()
    TextRevision.bump()
    response = walk(client, "it", path_to(get_flow("blocked-number"), "appeal_spam"))
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '</textarea><script>alert(1)</script><b>Spam</b>' in ready_texts(response)["it"]


def test_a_typed_website_cannot_inject_either(client):
    walk(client, "it", WEBSITE_PATH + (("website_review_button", "yes"),))
    response = client.get(step_url("appeal_website"), {"website": '"><script>alert(1)</script>', "fix": "website"})
    assert "<script>alert(1)</script>" not in response.content.decode()


# ---------------------------------------------------------------- a GET writes nothing, and nothing is cached


def test_tool_pages_write_nothing_and_are_not_stored_by_caches(client):
    walk(client, "it", WEBSITE_PATH + (("website_review_button", "yes"),))
    before = (FlowSession.objects.count(), SessionEvent.objects.count(), LinkOpen.objects.count())
    response = client.get(step_url("appeal_website"), {"website": "example.com", "fix": "website"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert (FlowSession.objects.count(), SessionEvent.objects.count(), LinkOpen.objects.count()) == before


def test_a_page_opened_from_a_link_counts_one_open_and_its_tools_add_none(client):
    client.get(step_url("appeal_website"))
    assert sum(LinkOpen.objects.values_list("count", flat=True)) == 1
    response = client.get(step_url("appeal_website"), {"website": "example.com"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert sum(LinkOpen.objects.values_list("count", flat=True)) == 1
    assert not FlowSession.objects.exists()


def test_a_date_counted_from_now_is_never_cached(client):
    response = client.get(step_url("appeal_website"))  # opened from a link: no walk, no query
    assert soup(response).select_one("[data-review-due]")
    assert "no-store" in response["Cache-Control"]
    plain = client.get(step_url("appeal_spam"))  # the same for everyone: caches may keep it
    assert "no-store" not in plain.get("Cache-Control", "")


def test_htmx_swaps_carry_the_tools_too(client):
    walk(client, "it", WEBSITE_PATH + (("website_review_button", "yes"),))
    response = client.get(step_url("appeal_website"), {"website": "example.com"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert soup(response).select_one('#step [data-website-status="corrected"]')


def test_steps_without_tools_have_no_tool_form(client):
    response = walk(client, "it", DATED_PATH[:2])
    assert soup(response).select_one("[data-tools]") is None


@pytest.mark.parametrize("node_id, query", [
    ("appeal_website", {"website": "example.com", "fix": ["website", "policies"]}),
    ("wait_restriction_dated", {"end": (date.today() + timedelta(days=3)).isoformat()}),
    ("contact_spam", {"fix": ["opt_in", "templates"]}),
])
def test_the_italian_tools_read_easily(client, node_id, query):
    """The tools' Italian (labels, hints, results and the ready text) is plain and short: Gulpease ≥ 60."""
    from tests.content.test_readability import MINIMUM, gulpease, units_of

    walk(client, "it", path_to(get_flow("blocked-number"), node_id))
    tools = soup(client.get(step_url(node_id), query)).select_one("#tools")
    texts = [area.get_text() for area in tools.select("textarea")[:1]]
    for area in tools.select("textarea, .ready-text__other, .ready-text__print"):
        area.decompose()
    score = gulpease(units_of(*texts, html=str(tools)))
    assert score >= MINIMUM, score
