"""Stored step pages (issue #9; portal/guide/views.py `_show`, portal/pagecache.py): a step page is stored once per
view state (the answers before the step, the answer checked there, link or walk, stale, has a code, ...) and
shared by every visitor in that state; the walk's reference code is the one per-walk secret, a slot filled in per
response. Nothing of one walk reaches another, and an admin edit shows on the next request."""

import gzip
import re
import zlib

import brotli
import pytest
from django.test import Client

from portal import pagecache
from portal.content.models import StepText
from portal.guide import views
from tests.guide.helpers import answer_data, set_walk_state, start_url, step_url, walk_state

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")([^"]+)"')
CODE = re.compile(r'data-session-ref="([^"]+)"')
#: start (info) -> product: app -> app_review: not yet -> the appeal outcome (it has the ready-text tool).
TO_APPEAL = [("start", "continue"), ("product", "app"), ("app_review", "not_yet")]


def untokened(page: str) -> str:
    """The page with its CSRF tokens (masked afresh in every response, while pages still hold them) made equal."""
    return TOKEN.sub(r'\1TOKEN"', page)


@pytest.fixture
def renders(monkeypatch):
    """How many step pages were rendered (a stored page answers without rendering)."""
    count = []
    real = views.render

    def counting(*args, **kwargs):
        count.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(views, "render", counting)
    return count


def walked(answers, client=None) -> Client:
    """A visitor who pressed Start and gave `answers` (node id, answer id), as a browser without JavaScript."""
    from portal.flows.registry import get_flow

    flow = get_flow("blocked-number")
    client = client or Client()
    assert client.post(start_url()).status_code == 303
    for node_id, answer_id in answers:
        response = client.post(step_url(node_id), answer_data(flow.nodes[node_id], answer_id))
        assert response.status_code == 303, response.content.decode()[:500]
    return client


def code_of(page: str) -> str:
    codes = set(CODE.findall(page))
    assert len(codes) == 1, codes
    return codes.pop()


def test_two_walkers_on_the_same_path_get_one_stored_page_that_differs_only_in_their_codes(renders):
    one, two = walked(TO_APPEAL), walked(TO_APPEAL)
    url = step_url("appeal_app")
    page_one = one.get(url).content.decode()
    page_two = two.get(url).content.decode()
    assert renders == ["guide/step.html"]  # the second is the stored page
    code_one, code_two = code_of(page_one), code_of(page_two)
    assert code_one == walk_state(one)["ref"] and code_two == walk_state(two)["ref"] and code_one != code_two
    assert code_two not in page_one and code_one not in page_two and "\x00" not in page_one + page_two
    assert page_one.count(code_one) == page_two.count(code_two) >= 2  # shown, and on the copy button
    assert untokened(page_one).replace(code_one, "CODE") == untokened(page_two).replace(code_two, "CODE")


@pytest.mark.parametrize("encoding", ["", "gzip", "br", "br, gzip"])
def test_a_walker_never_gets_the_code_of_the_walker_whose_page_was_stored(encoding):
    first, second = walked(TO_APPEAL), walked(TO_APPEAL)
    url = step_url("appeal_app")
    stored = first.get(url, headers={"Accept-Encoding": encoding})  # rendered with A's walk, stored
    response = second.get(url, headers={"Accept-Encoding": encoding})  # B: the stored page
    pages = [_decoded(stored), _decoded(response)]
    assert code_of(pages[0]) == walk_state(first)["ref"]
    assert code_of(pages[1]) == walk_state(second)["ref"] and walk_state(first)["ref"] not in pages[1]
    for answer in (response, stored):
        assert "no-store" in answer["Cache-Control"] and "private" in answer["Cache-Control"]
        assert "ETag" not in answer and "Cookie" in answer["Vary"]


def _decoded(response) -> str:
    encoding = response.get("Content-Encoding", "")
    if encoding == "br":
        return brotli.decompress(response.content).decode()
    if encoding == "gzip":
        body = gzip.decompress(response.content)  # checks the CRC and length in the trailer
        assert zlib.decompressobj(-15).decompress(response.content[10:-8]) == body  # one deflate stream
        return body.decode()
    assert not encoding
    return response.content.decode()


def test_a_gzipped_stored_page_with_a_code_decompresses_to_exactly_the_rendered_page():
    walker = walked(TO_APPEAL)
    url = step_url("appeal_app")
    walker.get(url)  # stored
    gzipped = walker.get(url, headers={"Accept-Encoding": "gzip"})
    plain = walker.get(url, headers={"Accept-Encoding": ""})
    assert gzipped["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain
    # The code sits in a stored deflate block, never compressed with the rest of the page: BREACH, README "Caching and what makes a page cost one query".
    code = walk_state(walker)["ref"].encode()
    assert b"\x00" + len(code).to_bytes(2, "little") + (0xFFFF ^ len(code)).to_bytes(2, "little") + code \
        in gzipped.content
    assert untokened(_decoded(gzipped)) == untokened(plain.content.decode())


def test_a_page_with_a_code_goes_to_a_browser_as_the_stored_gzip_segments_without_compressing_it(monkeypatch):
    """Never a first view (a walk reached it): no Brotli for every response (nor ever with a code: a client that
    takes no gzip gets it uncompressed)."""
    walker = walked(TO_APPEAL)
    url = step_url("appeal_app")
    walker.get(url)  # stored
    compressed = []
    monkeypatch.setattr(brotli, "compress", lambda *args, **kwargs: compressed.append(args) or b"")
    browser = walker.get(url, headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert browser["Content-Encoding"] == "gzip" and compressed == []
    assert code_of(_decoded(browser)) == walk_state(walker)["ref"]


def test_a_visitor_without_a_walk_gets_the_stored_page_of_a_step_opened_from_a_link_without_a_code(renders):
    walker = walked(TO_APPEAL)
    url = step_url("appeal_app")
    mine = walker.get(url).content.decode()
    cold = Client().get(url).content.decode()  # not on a walk: another page (a form to ask for a code)
    again = Client().get(url)
    assert "data-session-ref" not in cold and "data-code-request" in cold and walk_state(walker)["ref"] not in cold
    assert code_of(mine) == walk_state(walker)["ref"]
    assert len(renders) == 2 and untokened(again.content.decode()) == untokened(cold)
    assert "no-store" not in again["Cache-Control"] and again["ETag"].startswith('W/"')


def test_an_admin_edit_of_a_step_text_shows_on_the_next_request_of_a_stored_page(admin_client):
    walker = walked(TO_APPEAL[:2])
    url = step_url("app_review")
    before = walker.get(url).content.decode()
    assert untokened(walker.get(url).content.decode()) == untokened(before)  # stored
    row = StepText.objects.get(node_id="app_review", locale="it")
    data = {"title": "Hai già chiesto il controllo, modificato dall'admin?", "hint": row.hint, "body": row.body,
            **{f"answer_{k}": v for k, v in row.answers.items()}}
    response = admin_client.post(f"/admin/content/steptext/{row.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert "modificato dall&#x27;admin" in walker.get(url).content.decode()
    assert "modificato dall&#x27;admin" in Client().get(url).content.decode()


def test_staff_see_the_copy_link_bar_on_a_stored_step_and_nobody_else_does(admin_client, renders):
    url = step_url("reason")
    assert "data-staff-copy-link" not in Client().get(url).content.decode()  # stored for everyone
    staff_page = admin_client.get(url)
    assert "data-staff-copy-link" in staff_page.content.decode() and "no-store" in staff_page["Cache-Control"]
    assert "data-staff-copy-link" not in Client().get(url).content.decode()
    walker = walked([("start", "continue"), ("product", "platform"), ("review_requested", "no")])
    assert "data-staff-copy-link" not in walker.get(url).content.decode()
    assert renders.count("guide/step.html") == 3  # the visitor, staff (never stored), the walker (another state)


def test_each_state_of_a_walk_has_its_own_page(renders):
    """The answers before a step, the answer checked at it, link or walk, stale: each its own stored page."""
    walker = walked([("start", "continue"), ("product", "platform"), ("review_requested", "no")])
    url = step_url("review_requested")
    on_walk = walker.get(url).content.decode()  # on the walk, "no" checked, two answers before
    assert re.search(r'value="no" checked', on_walk) and 'name="from_link"' not in on_walk
    other = walked([("start", "continue"), ("product", "platform"), ("review_requested", "in_review")])
    theirs = other.get(url).content.decode()
    assert re.search(r'value="in_review" checked', theirs) and not re.search(r'value="no" checked', theirs)
    cold = Client().get(url).content.decode()
    assert "checked" not in cold and 'name="from_link"' in cold and "data-entered-by-link" in cold
    stale = walker.get(url + "?stale=1").content.decode()
    assert "data-stale-tab" in stale and "data-stale-tab" not in walker.get(url).content.decode()
    assert len(renders) == 4


def test_a_step_away_from_the_walk_offers_the_way_back_to_that_walk_and_only_to_it():
    url = step_url("spam_duration")
    assert "data-resume-walk" not in Client().get(url).content.decode()  # stored: no walk to go back to
    walker = walked(TO_APPEAL[:2])
    page = walker.get(url).content.decode()
    assert f'href="{step_url("app_review")}" data-resume-walk' in page and 'name="from_link"' in page
    other = walked(TO_APPEAL[:1])
    assert f'href="{step_url("product")}" data-resume-walk' in other.get(url).content.decode()
    assert "data-resume-walk" not in Client().get(url).content.decode()


def test_a_stale_tab_answer_brings_the_walker_back_to_their_own_step_with_the_notice():
    walker = walked(TO_APPEAL[:2])
    Client().get(step_url("app_review"))  # someone's page of that step is stored
    walker.get(step_url("product"))
    set_walk_state(walker, {**walk_state(walker), "answers": [["start", "continue"], ["product", "platform"]]})
    response = walker.post(step_url("app_review"), {"answer": "not_yet"})  # the old tab: not on the walk any more
    assert response.status_code == 303 and response["Location"].endswith(step_url("review_requested") + "?stale=1")
    page = walker.get(response["Location"]).content.decode()
    assert "data-stale-tab" in page and 'name="from_link"' not in page


def test_the_resume_box_gives_the_walk_back_with_its_own_code(renders):
    first = walked(TO_APPEAL)
    code = walk_state(first)["ref"]
    assert code_of(first.get(step_url("appeal_app")).content.decode()) == code  # stored
    other = walked(TO_APPEAL)
    returning = Client()
    response = returning.get("/it/resume/", {"code": code})
    assert response.status_code == 302 and response["Location"].endswith(step_url("appeal_app"))
    assert code_of(returning.get(response["Location"]).content.decode()) == code
    assert code_of(other.get(step_url("appeal_app")).content.decode()) == walk_state(other)["ref"] != code
    assert renders.count("guide/step.html") == 1


def test_htmx_partials_and_history_restores_are_stored_apart_from_full_pages():
    walker = walked(TO_APPEAL[:2])
    url = step_url("app_review")
    partial = walker.get(url, headers={"HX-Request": "true"}).content.decode()
    full = walker.get(url).content.decode()
    restore = walker.get(url, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}).content.decode()
    again = walker.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial and partial.lstrip().startswith('<div id="step"') and 'hx-swap-oob' in partial
    assert "<html" in full and "<html" in restore and "hx-swap-oob" not in restore
    assert untokened(again) == untokened(partial)


def test_a_vote_on_an_outcome_shows_in_the_voters_page_only():
    voter, other = walked(TO_APPEAL), walked(TO_APPEAL)
    url = step_url("appeal_app")
    voter.get(url)  # stored without a vote
    response = voter.post("/it/feedback/", {"target": "outcome:blocked_number:appeal_app", "helpful": "yes",
                                             "next": url})
    assert response.status_code == 303, response.content.decode()[:1000]
    mine = voter.get(url).content.decode()
    assert "feedback__thanks" in mine and code_of(mine) == walk_state(voter)["ref"]
    assert "feedback__thanks" not in other.get(url).content.decode()


def test_pages_with_a_tool_input_a_date_from_now_form_errors_or_a_made_up_query_are_never_stored(monkeypatch):
    stored = []
    real = pagecache._cache_set
    monkeypatch.setattr(pagecache, "_cache_set", lambda key, entry, timeout: (stored.append(entry),
                                                                               real(key, entry, timeout)))
    walker = walked([("start", "continue"), ("product", "platform"), ("review_requested", "no"),
                     ("reason", "website"), ("website_duration", "permanent"), ("website_review_button", "yes")])
    assert walker.get(step_url("appeal_website")).status_code == 200  # the review date counts from now
    assert Client().get(step_url("appeal_website")).status_code == 200
    assert walker.get(step_url("appeal_app"), {"fix": "policies"}).status_code == 200  # a tool's input
    assert walker.post(step_url("product"), {"answer": "nonsense"}).status_code == 400  # the form's errors
    made_up = walker.get(step_url("product"), {"utm_source": "whatsapp"})  # any other query: rendered, as it was
    assert made_up.status_code == 200 and "utm_source=whatsapp" in made_up.content.decode()  # og:url
    assert stored == []
    page = walker.get(step_url("product")).content.decode()
    assert "error-summary" not in page and len(stored) == 1


def test_a_stored_step_still_counts_its_link_opens_and_writes_nothing_else(settings):
    from portal.tracking import services
    from portal.tracking.models import FlowSession, LinkOpen

    settings.PORTAL_COUNT_FLUSH_SECONDS = 3600
    for _ in range(3):
        assert Client().get(step_url("spam_duration")).status_code == 200
    services.link_opens.flush()
    assert LinkOpen.objects.get(node_id="spam_duration").count == 3 and not FlowSession.objects.exists()


def test_every_field_of_a_step_page_is_in_its_view_state_or_given_by_the_key():
    """A field added to StepPage is in the stored page's key unless it is named as words (node, language and
    revision give them); the code only as "has one"."""
    from dataclasses import fields

    from portal.guide.walks import Position, Walk
    from portal.content.steps import step_texts
    from portal.flows.registry import get_flow
    from portal.flows.resolver import resolve_node

    flow = get_flow("blocked-number")
    node = flow.nodes["appeal_app"]
    walk = Walk(session_id="1", ref_code="ABCD-2345", entry=flow.start,
                answers=[("start", "continue"), ("product", "app"), ("app_review", "not_yet")])
    position = Position(walk=walk, resolution=resolve_node(flow, walk.answers, walk.entry), on_walk=True)
    page = views.StepPage.build(flow, node, step_texts(flow, "it"), position, "it")
    state = dict(page.view_state())
    assert set(state) | set(views._WORDS_FIELDS) == {field.name for field in fields(page)}
    assert state["ref_code"] is True and "ABCD-2345" not in repr(state)


def test_the_codes_slot_is_primed_for_the_length_of_a_real_code():
    from portal.tracking.refcodes import new_ref_code

    assert {len(new_ref_code()) for _ in range(20)} == {views.REF_CODE_LENGTH}


def test_a_walk_without_a_tracked_session_gets_its_own_page_without_a_code(renders):
    """A walk the database could not track (started while it was down) has no code: the outcome offers one."""
    tracked = walked(TO_APPEAL)
    untracked = Client()
    set_walk_state(untracked, {"sid": None, "ref": "", "entry": "start", "answers": [list(a) for a in TO_APPEAL]})
    url = step_url("appeal_app")
    assert code_of(tracked.get(url).content.decode()) == walk_state(tracked)["ref"]
    page = untracked.get(url).content.decode()
    assert "data-session-ref" not in page and "data-code-request" in page and 'name="from_link"' not in page
    assert walk_state(tracked)["ref"] not in page and len(renders) == 2


@pytest.mark.parametrize("headers, full", [
    ({"HX-Request": "1"}, True),  # django-htmx counts only "true": a full page, never stored as the partial
    ({"HX-Request": "true", "HX-History-Restore-Request": "1"}, False),  # a partial, never stored as a restore
])
def test_htmx_headers_that_are_not_true_never_store_the_wrong_page_for_real_htmx_requests(headers, full):
    other, victim = walked(TO_APPEAL), walked(TO_APPEAL)
    url = step_url("appeal_app")
    odd = other.get(url, headers=headers).content.decode()
    assert ("<html" in odd) is full
    partial = victim.get(url, headers={"HX-Request": "true"}).content.decode()
    restore = victim.get(url, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}).content.decode()
    assert "<html" not in partial and partial.lstrip().startswith('<div id="step"')
    assert "<html" in restore and "hx-swap-oob" not in restore
    assert code_of(partial) == code_of(restore) == walk_state(victim)["ref"]


@pytest.mark.parametrize("query", ["?junk=1", "?stale=2", "?stale=1&stale=1", "?stale=1&", "?&", "?stale=%31"])
def test_a_step_with_any_query_but_exactly_stale_1_is_rendered_and_not_stored(monkeypatch, query):
    stored = []
    monkeypatch.setattr(pagecache, "_cache_set", lambda key, entry, timeout: stored.append(key))
    assert Client().get(step_url("product") + query).status_code == 200
    assert stored == []
    Client().get(step_url("product") + "?stale=1")
    Client().get(step_url("product"))
    assert len(stored) == 2


def _code_in_stored_blocks(response, code: str) -> bool:
    """Every time the page shows the code, its bytes sit in a stored deflate block (RFC 1951 3.2.4) of the gzip
    member: the block's header, then the code as it is."""
    data, value = response.content, code.encode()
    header = b"\x00" + len(value).to_bytes(2, "little") + (0xFFFF ^ len(value)).to_bytes(2, "little")
    return data.count(header + value) == data.count(value) == gzip.decompress(data).count(value) > 0


@pytest.mark.parametrize("accept", ["br", "gzip", "gzip, deflate, br, zstd", ""])
@pytest.mark.parametrize("case", ["stored", "tool query", "reflected query", "messages"])
def test_a_walks_code_is_never_compressed_together_with_anything_else(monkeypatch, accept, case):
    """BREACH: the code goes in a stored deflate block of a gzip response, or uncompressed; never in a Brotli (or
    wholly compressed) stream with text an attacker can make the page reflect (the query: og:url, tool input)."""
    walker = walked(TO_APPEAL)
    url = step_url("appeal_app")
    query = {"stored": {}, "tool query": {"website": "GUESS"}, "reflected query": {"x": "GUESS"}}.get(case, {})
    if case == "messages":
        walker.cookies["messages"] = "x"  # a message waiting: the page is the visitor's own, not stored
    walker.get(url, query)  # stored, where it may be
    response = walker.get(url, query, headers={"Accept-Encoding": accept})
    code = walk_state(walker)["ref"]
    page = _decoded(response)
    assert code_of(page) == code
    if query:
        assert "GUESS" in page
    encoding = response.get("Content-Encoding", "")
    assert encoding in ("gzip", "")
    if encoding == "gzip":
        assert _code_in_stored_blocks(response, code)
    assert encoding == ("gzip" if "gzip" in accept else "")


def test_a_page_without_a_code_is_still_compressed_by_the_middleware():
    response = Client().get(step_url("product"), {"x": "1"}, headers={"Accept-Encoding": "br"})
    assert response["Content-Encoding"] == "br" and "<html" in brotli.decompress(response.content).decode()
