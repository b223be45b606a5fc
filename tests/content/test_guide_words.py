"""Issue 7, the guide's words as shipped in kb/: right advice, sourced, in Meta's own words, glossary on first use.

These read the kb/ files themselves (the format the content layer imports), so they check what we ship whatever
loads it at run time. They assert on links, markers and structure, not on whole sentences.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from django.conf import settings

from portal.flows.model import CONTINUE
from portal.flows.resolver import every_path

KB = Path(settings.KB_DIR)
LOCALES = ("it", "en")
GLOSSARY = {"it": "glossario", "en": "glossary"}
CONTACT_FORM = "https://www.facebook.com/business-support-home/contact-support"
DIRECT_SUPPORT = "https://business.facebook.com/direct-support/"
BMP = "https://www.whatsapp.com/legal/business-policy"
COMMERCE_FAQ = "https://faq.whatsapp.com/933578044281252"

#: Glossary terms, as written in each language.
TERMS = {
    "it": ("WABA ID", "BSP", "Meta Business Suite", "Business Manager", "WhatsApp Manager", "Business Support Home",
           "valutazione della qualità", "limite di messaggi"),
    "en": ("WABA ID", "BSP", "Meta Business Suite", "Business Manager", "WhatsApp Manager", "Business Support Home",
           "quality rating", "messaging limit"),
}

#: Labels of Meta's screens whose Italian wording we do not know (or that Meta leaves in English).
ENGLISH_LABELS = (
    "Request review", "Request a review", "Submit", "Edit", "All tools", "In Review", "Unchanged", "Reversed",
    "View my accounts", "Assets restricted", "Account issues", "Account disabled", "Activity issues",
    "Available for review", "See details", "Account tools", "Phone numbers", "Rejected message templates",
    "Connected", "Pending", "Deferred", "account locked", "Restricted", "Flagged", "Account Quality",
)


def words(locale: str) -> dict:
    with open(KB / locale / "flows" / "blocked_number.toml", "rb") as f:
        return tomllib.load(f)["nodes"]


def structure() -> dict:
    with open(KB / "flows" / "blocked_number.toml", "rb") as f:
        return tomllib.load(f)


def text_of(node_words: dict) -> str:
    return "\n".join([node_words.get("title", ""), node_words.get("hint", ""), node_words.get("body", ""),
                      *node_words.get("answers", {}).values()])


def italian_articles() -> list[Path]:
    return sorted((KB / "it" / "articles").glob("*.md"))


def article_slugs(locale: str) -> set[str]:
    return {p.stem for p in (KB / locale / "articles").glob("*.md")}


def contact_outcomes(flow) -> list[str]:
    return [n.id for n in flow.outcome_nodes() if n.outcome.value == "contact-meta" and n.id != "contact_app"]


# ---------------------------------------------------------------- errors found in review


@pytest.mark.parametrize("locale", LOCALES)
def test_contact_outcomes_put_better_channels_before_the_form_and_carry_its_caveat(flow, locale):
    caveat = {"it": "accesso da amministratore", "en": "admin-access"}[locale]
    for node_id in contact_outcomes(flow):
        body = words(locale)[node_id]["body"]
        assert CONTACT_FORM in body, node_id
        form_line = next(line for line in body.splitlines() if CONTACT_FORM in line)
        assert caveat in form_line, f"{node_id}: the form's line must say Meta lists it for admin access"
        before = body[: body.index(CONTACT_FORM)]
        assert DIRECT_SUPPORT in before, f"{node_id}: Direct Support comes before the form"
        assert "BSP" in before, f"{node_id}: the provider comes before the form"
        assert "Business Support Home" in before, f"{node_id}: Business Support Home's options come before the form"


@pytest.mark.parametrize("locale", LOCALES)
def test_contact_spam_does_not_tell_people_without_an_end_date_to_wait(locale):
    body = words(locale)["contact_spam"]["body"].lower()
    assert not re.search(r"data di fine, forse|solo aspettare|end date, you may|only need to wait", body)


@pytest.mark.parametrize("locale", LOCALES)
def test_industry_step_keeps_the_two_policies_apart_and_sources_each(locale):
    body = words(locale)["industry_checklist"]["body"]  # issue 8: the industry reason asks which list first
    items = [line for line in body.splitlines() if line.startswith("- ")]
    messaging = [i for i in items if BMP in i]
    commerce = [i for i in items if COMMERCE_FAQ in i]
    assert len(messaging) == 1 and len(commerce) == 1 and messaging != commerce
    assert "Business Messaging Policy" in messaging[0] and "Commerce Policy" in commerce[0]
    assert re.search(r"catalog|catalogo", commerce[0]), "the Commerce Policy is about selling with catalogue/payments"
    assert re.search(r"palestra|gym", body), "a gym reads that it is not banned from messaging"


@pytest.mark.parametrize("locale", LOCALES)
def test_no_page_tells_an_industry_reader_the_block_is_probably_permanent(locale):
    """Except the step reached only by ticking a business type the Business Messaging Policy excludes (issue 8): that
    reader is told a permanent block is likely; a Commerce-Policy seller never reaches it."""
    from portal.flows.registry import get_flow

    flow = get_flow("blocked-number")
    into = [(node.id, answer.id) for node in flow.nodes.values() for answer in node.answers
            if answer.next == "industry_appeal_button"]
    assert into == [("industry_checklist", "excluded")]
    pages = [text_of(w) for node_id, w in words(locale).items() if node_id != "industry_appeal_button"]
    pages += [p.read_text() for p in (KB / locale / "articles").glob("*.md")]
    for page in pages:
        assert not re.search(r"probabilmente definitivo|probably permanent|spesso definitivo|often permanent",
                             page, re.I)


@pytest.mark.parametrize("locale", LOCALES)
def test_the_words_leave_the_reference_code_sentence_to_the_template(locale):
    for node_id, node_words in words(locale).items():
        assert not re.search(r"codice di riferimento|reference code|questo codice", text_of(node_words), re.I), node_id


def test_a_renamed_step_leaves_a_redirect_to_a_real_step():
    data = structure()
    ids = {node["id"] for node in data["nodes"]}
    assert data["moved"] == {"wait_website_review": "appeal_website"}
    for old, new in data["moved"].items():
        assert old not in ids and new in ids


# ---------------------------------------------------------------- glossary, Meta's words, links


@pytest.mark.parametrize("locale", LOCALES)
def test_glossary_link_on_the_first_step_of_every_path_that_uses_a_term(flow, locale):
    all_words = words(locale)
    link = re.compile(r"\[([^\]]*)\]\(" + GLOSSARY[locale] + r"\)")
    for path in every_path(flow):
        node_ids = [node_id for node_id, _ in path] + [resolve_last(flow, path)]
        seen: set[str] = set()
        for node_id in node_ids:
            node_words = all_words[node_id]
            linked = " ".join(link.findall(node_words.get("body", "")))
            for term in TERMS[locale]:
                if term in seen or term not in text_of(node_words):
                    continue
                assert term in linked, f"{locale}:{node_id}: first use of '{term}' on this path needs a glossary link"
                seen.add(term)


def resolve_last(flow, path) -> str:
    node_id, answer_id = path[-1]
    return flow.nodes[node_id].target(answer_id)


@pytest.mark.parametrize("locale", LOCALES)
def test_glossary_article_explains_every_term(locale):
    text = (KB / locale / "articles" / f"{GLOSSARY[locale]}.md").read_text()
    headings = "\n".join(line for line in text.splitlines() if line.startswith("## "))
    for term in ("WABA ID", "BSP", "Business Manager", "Meta Business Suite", "WhatsApp Manager",
                 "Business Support Home"):
        assert term in headings, term
    assert re.search(r"qualità|Quality rating", headings) and re.search(r"[Ll]imit", headings)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_article_link_in_the_guide_points_at_an_article_of_its_language(locale):
    slugs = article_slugs(locale)
    for node_id, node_words in words(locale).items():
        for target in re.findall(r"\]\(([a-z0-9-]+)(?:#[\w-]*)?\)", node_words.get("body", "")):
            assert target in slugs, f"{locale}:{node_id} links a missing article '{target}'"


def _italian_pages():
    for node_id, node_words in words("it").items():
        yield f"step:{node_id}", text_of(node_words)
    for path in italian_articles():
        yield f"article:{path.stem}", path.read_text().split("+++", 2)[2]


@pytest.mark.parametrize("name,text", list(_italian_pages()))
def test_italian_pages_never_leave_a_bare_english_screen_label(name, text):
    """«Richiedi revisione» (Request review): Italian first, English in brackets; a label we only know in English is
    quoted «…» on a page that says the screen may be in English."""
    text = re.sub(r"\]\([^)]*\)|`[^`]*`", "", text)  # link targets and code are not prose
    for label in ENGLISH_LABELS:
        for match in re.finditer(r"(?<![\w])" + re.escape(label) + r"(?![\w])", text):
            before, after = text[max(0, match.start() - 1): match.start()], text[match.end(): match.end() + 1]
            in_brackets = before == "(" and after == ")"
            quoted = before == "«" and after == "»"
            assert in_brackets or quoted, f"{name}: bare English label '{label}'"
            if quoted and not re.search(r"» \(", text[match.end(): match.end() + 3]):
                assert "inglese" in text, f"{name}: «{label}» needs the note that the screen may be in English"


@pytest.mark.parametrize("locale", LOCALES)
def test_one_word_for_templates(locale):
    for node_id, node_words in words(locale).items():
        text = text_of(node_words)
        if locale == "it":
            assert not re.search(r"messaggi modello|\btemplate\b", re.sub(r"\((?:https?:|/)[^)]*\)", "", text)), node_id
        else:
            assert "template message" not in text.lower(), node_id


@pytest.mark.parametrize("path", italian_articles(), ids=lambda p: p.stem)
def test_italian_articles_say_modelli_di_messaggio_too(path):
    prose = re.sub(r"\([^)]*\)|«[^»]*»|`[^`]*`", "", path.read_text().split("+++", 2)[2])
    assert not re.search(r"messaggi modello|\btemplates?\b", prose, re.I), path.stem


# ---------------------------------------------------------------- shape of the walk


def test_the_first_question_is_which_product(flow):
    first_question = flow.nodes[flow.nodes[flow.start].next]
    assert first_question.id == "product"
    assert {a.id for a in first_question.answers} == {"app", "platform"}


def test_every_reason_asks_for_an_end_date_and_a_dated_block_is_a_wait(flow):
    """The industry reason asks which list first (issue 8's checklist): nothing ticked asks for the end date; the other
    two answers reach a step that tells, in every language, that a block with an end date ends by itself."""
    reason = flow.nodes["reason"]
    for answer in reason.answers:
        if answer.id == "unknown":
            continue
        durations = [flow.nodes[answer.next]]
        checklist = durations[0] if durations[0].is_checklist else None
        if checklist:
            durations = [flow.nodes[checklist.target("none")]]
            for other in checklist.answers:
                if other.id != "none":
                    for locale in LOCALES:
                        assert re.search(r"data di fine|end date", text_of(words(locale)[other.next])), other.next
        for duration in durations:
            assert {a.id for a in duration.answers} == {"temporary", "permanent"}, duration.id
            assert flow.nodes[duration.target("temporary")].outcome.value == "wait", duration.id


def test_what_only_looks_like_a_block_never_leads_to_meta_support(flow):
    not_sure = flow.nodes["not_sure"]
    for answer in not_sure.answers:
        target = flow.nodes[answer.next]
        if answer.id == "other":
            assert target.id == "no_reason_appeal_button"
            continue
        assert target.is_outcome and target.outcome.value != "contact-meta", answer.id
        for locale in LOCALES:
            assert CONTACT_FORM not in words(locale)[target.id]["body"], (locale, target.id)


def test_app_outcomes_send_nobody_to_business_support_home(flow):
    app_outcomes = {flow.nodes[a.next].id for a in flow.nodes["app_review"].answers}
    assert {flow.nodes[n].outcome.value for n in app_outcomes} == {"appeal", "wait", "contact-meta"}
    for locale in LOCALES:
        for node_id in app_outcomes:
            body = words(locale)[node_id]["body"]
            assert "business.facebook.com" not in body and CONTACT_FORM not in body, (locale, node_id)


def test_every_walk_counts_start_as_one_answer(flow):
    assert all(path[0] == ("start", CONTINUE) for path in every_path(flow))
