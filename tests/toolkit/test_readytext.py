"""The ready-to-send text: parts in order, the reason and fixes named, values never read as markers."""

from portal.toolkit.readytext import Fix, ReadyTextWords, build_ready_text

WORDS = ReadyTextWords(
    greeting="Hello,",
    reason="Meta's reason: «{reason}».",
    reason_none="Meta showed no reason.",
    reason_unknown="Meta's reason: {reason}.",
    reason_placeholder="[REASON]",
    fixes_intro="We fixed:",
    fixes={Fix.WEBSITE: "the website", Fix.POLICIES: "the policies", Fix.OPT_IN: "opt-in only",
           Fix.TEMPLATES: "the templates"},
    no_fixes="We checked our account.",
    website="Our website is now {website}",
    request_appeal="Please review.",
    request_contact="Please help.",
    details="Business: {business}\nWABA ID: {waba}\nPhone: {phone}",
    business_placeholder="[BUSINESS NAME]",
    waba_placeholder="[WABA ID]",
    phone_placeholder="[PHONE NUMBER]",
    closing="Thanks.",
)


def test_reason_fixes_and_placeholders_in_order():
    text = build_ready_text(WORDS, reason="Spam", fixes=["templates", "opt_in"])
    assert text == (
        "Hello,\n\nMeta's reason: «Spam».\n\nWe fixed:\n- opt-in only\n- the templates\n\nPlease review.\n\n"
        "Business: [BUSINESS NAME]\nWABA ID: [WABA ID]\nPhone: [PHONE NUMBER]\n\nThanks.\n"
    )


def test_no_reason_in_the_walk_leaves_a_placeholder():
    text = build_ready_text(WORDS, reason=None)
    assert "Meta's reason: [REASON]." in text and "We checked our account." in text and "We fixed" not in text


def test_the_website_goes_with_the_website_fix_only():
    assert "https://x.it" in build_ready_text(WORDS, reason="Sito", fixes=["website"], website="https://x.it")
    assert "https://x.it" not in build_ready_text(WORDS, reason="Sito", fixes=[], website="https://x.it")


def test_values_are_inserted_as_they_are():
    text = build_ready_text(WORDS, reason="{business} <b>&amp;</b> {reason}", fixes=["nonsense", "website"],
                            website="{waba}")
    assert "«{business} <b>&amp;</b> {reason}»" in text  # plain text: the template escapes it
    assert "Our website is now {waba}" in text
    assert text.count("[BUSINESS NAME]") == 1


def test_a_sentence_without_its_marker_still_works():
    words = ReadyTextWords(greeting="Ciao", reason="Motivo", reason_none="-", reason_unknown="?", reason_placeholder="[M]",
                           fixes_intro="Fatto:")
    assert build_ready_text(words, reason="Spam", fixes=["website"]) == "Ciao\n\nMotivo\n"


def test_no_reason_shown_and_the_contact_request():
    text = build_ready_text(WORDS, reason=None, reason_shown=False, outcome="contact-meta")
    assert "Meta showed no reason." in text and "[REASON]" not in text
    assert "Please help." in text and "Please review." not in text
