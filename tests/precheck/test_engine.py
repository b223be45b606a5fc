"""The template pre-check engine (portal/toolkit/precheck.py) with the site's own rules file."""

import textwrap

import pytest
from django.conf import settings
from hypothesis import given, settings as hypothesis_settings
from hypothesis import strategies as st

from portal.toolkit.precheck import CATEGORIES, RulesError, load_rules, review

RULES = load_rules(settings.PRECHECK_RULES)


def tripped(text, category="utility", website=""):
    return {finding.rule.id: finding.examples for finding in review(text, category, RULES, website=website)}


# Each rule: a template that should trip it, and a close one that should not. (rule, category, trips, passes)
CASES = [
    ("link_shortener", "utility", "Ciao {{1}}, segui il pacco su bit.ly/3xYz.",
     "Ciao {{1}}, segui il pacco su https://www.negozio.it/ordini."),
    ("link_shortener", "utility", "Hi {{1}}, track it at https://tinyurl.com/abc now.",
     "Hi {{1}}, track it at https://shop.example.com/track now."),
    ("link_other_site", "utility", "Ciao {{1}}, ordine su https://www.negozio.it e fattura su https://altro-sito.com.",
     "Ciao {{1}}, ordine su https://www.negozio.it e fattura su https://fatture.negozio.it."),
    ("sensitive_numbers", "utility", "Ciao {{1}}, mandaci il numero della carta per completare l'ordine.",
     "Ciao {{1}}, il pagamento con carta è andato a buon fine."),
    ("sensitive_numbers", "utility", "Hi {{1}}, please reply with your card number and CVV.",
     "Hi {{1}}, your card payment went through."),
    ("marketing_opt_out", "marketing", "Ciao {{1}}, da oggi trovi la nuova collezione in negozio.",
     "Ciao {{1}}, da oggi trovi la nuova collezione in negozio. Rispondi STOP per non ricevere più offerte."),
    ("variable_format", "utility", "Ciao {{ 1 }}, il tuo ordine è pronto.", "Ciao {{1}}, il tuo ordine è pronto."),
    ("variable_format", "utility", "Ciao {{nome}}, il tuo ordine è pronto.", "Ciao {{1}}, il tuo ordine è pronto."),
    ("variable_format", "utility", "Ciao {{1}, il tuo ordine è pronto.", "Ciao {{1}}, il tuo ordine è pronto."),
    ("variable_format", "utility", "Ciao {{1, il tuo ordine {{2}} è pronto.", "Ciao {{1}}, il tuo ordine {{2}} è pronto."),
    ("variable_format", "utility", "Ciao {1}, il tuo ordine è pronto.", "Ciao {{1}}, il tuo ordine è pronto."),
    ("variable_format", "utility", "Ciao {{{1}}}, il tuo ordine è pronto.", "Ciao {{1}}, il tuo ordine è pronto."),
    ("variable_adjacent", "utility", "Ciao {{1}}{{2}}, il tuo ordine è pronto.",
     "Ciao {{1}}, il tuo ordine {{2}} è pronto."),
    ("variable_adjacent", "utility", "Ciao {{1}} {{2}}, il tuo ordine è pronto.",
     "Ciao {{1}} e {{2}}, il vostro ordine è pronto."),
    ("variable_sequence", "utility", "Ciao {{1}}, il tuo ordine {{3}} è pronto.",
     "Ciao {{1}}, il tuo ordine {{2}} è pronto."),
    ("variable_sequence", "utility", "Ciao {{2}}, il tuo ordine è pronto.", "Ciao {{1}}, il tuo ordine è pronto."),
    ("variable_edge", "utility", "{{1}}, il tuo ordine è pronto.", "Ciao {{1}}, il tuo ordine è pronto."),
    ("variable_edge", "marketing", "Nuovi arrivi in negozio. Rispondi STOP per non riceverli. Codice: {{1}}",
     "Nuovi arrivi in negozio, codice {{1}}. Rispondi STOP per non riceverli."),
    ("capitals", "utility", "CIAO {{1}}, IL TUO ORDINE È PRONTO PER IL RITIRO.",
     "Ciao {{1}}, il tuo ordine è pronto per il ritiro."),
    ("capitals", "utility", "Ciao {{1}}, ULTIMO GIORNO PER RITIRARE il pacco in negozio e non perderlo.",
     "Ciao {{1}}, oggi è l'ultimo giorno per ritirare il pacco in negozio (ordine N. {{2}})."),
    ("pressure", "utility", "Ciao {{1}}, rispondi subito o il tuo account sarà sospeso.",
     "Ciao {{1}}, il tuo account è attivo."),
    ("pressure", "marketing", "Last chance, {{1}}! Reply STOP to opt out.", "New arrivals, {{1}}. Reply STOP to opt out."),
    ("excluded_business", "marketing", "Ciao {{1}}, scommesse gratis sul campionato. Rispondi STOP per uscire.",
     "Ciao {{1}}, biglietti per il campionato. Rispondi STOP per uscire."),
    ("category_promotional", "utility", "Ciao {{1}}, il tuo ordine è partito. Usa il codice sconto {{2}} sul prossimo.",
     "Ciao {{1}}, il tuo ordine è partito. Arriva entro {{2}}."),
    ("category_promotional", "authentication", "{{1}} is your code. Shop now for a discount!",
     "{{1}} is your verification code. For your security, do not share it."),
    ("authentication_code", "authentication", "Il tuo codice di accesso arriverà tra poco.",
     "{{1}} è il tuo codice di accesso."),
]


@pytest.mark.parametrize("rule,category,trips,passes", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_rule_trips_on_its_case_and_not_on_the_close_one(rule, category, trips, passes):
    website = "www.negozio.it" if rule == "link_other_site" else ""
    assert rule in tripped(trips, category, website), trips
    assert rule not in tripped(passes, category, website), passes


def test_every_rule_has_a_case():
    assert {rule.id for rule in RULES.rules} <= {case[0] for case in CASES}


#: Real-world-style templates that must pass untouched (each with its category).
CLEAN = [
    ("utility", "Ciao {{1}}, grazie per il tuo ordine n. {{2}}. Lo prepariamo oggi e ti scriviamo quando parte."),
    ("utility", "Ciao {{1}}, ti ricordiamo l'appuntamento di {{2}} alle {{3}} presso il nostro studio. "
                "Per spostarlo rispondi a questo messaggio."),
    ("utility", "Buongiorno {{1}}, il tuo pacco è partito. Puoi seguirlo qui: https://www.negozio.it/ordini/{{2}} "
                "Grazie!"),
    ("utility", "Hi {{1}}, your order {{2}} has shipped and should arrive on {{3}}. Thank you for shopping with us."),
    ("utility", "Hello {{1}}, this is a reminder of your appointment on {{2}} at {{3}}. Reply to this message if you "
                "need to change it."),
    ("utility", "Ciao {{1}}, la tua fattura di {{2}} è disponibile nell'area clienti. Per domande siamo qui."),
    ("authentication", "{{1}} è il tuo codice di verifica. Per la tua sicurezza, non condividerlo."),
    ("authentication", "{{1}} is your verification code. For your security, do not share this code."),
    ("marketing", "Ciao {{1}}, da lunedì trovi la nuova collezione autunno in negozio e su https://www.negozio.it. "
                  "Rispondi STOP per non ricevere più queste notizie."),
    ("marketing", "Hi {{1}}, our spring menu starts on {{2}}. Book a table at https://www.trattoria.example/book. "
                  "Reply STOP to unsubscribe."),
    ("utility", "Gentile {{1}}, il ritiro del reso {{2}} è fissato per domani tra le 9 e le 13. Tieni pronto il "
                "pacco, grazie."),
    ("marketing", "Ciao {{1}}, per il tuo compleanno hai uno sconto del 10% fino al {{2}}. Se non vuoi più ricevere "
                  "questi messaggi, rispondi STOP."),
]


@pytest.mark.parametrize("category,text", CLEAN)
def test_clean_real_world_templates_pass_untouched(category, text):
    assert review(text, category, RULES, website="www.negozio.it" if "negozio" in text else "") == []


def test_a_shortened_link_and_adjacent_variables_are_both_named():
    """The issue's done-when: both problems, each with a reason, a fix and a source."""
    findings = review("Ciao {{1}}{{2}}, il tuo ordine è qui: bit.ly/abc123 grazie", "utility", RULES)
    by_id = {finding.rule.id: finding for finding in findings}
    assert set(by_id) == {"link_shortener", "variable_adjacent"}
    assert by_id["link_shortener"].examples == ("bit.ly/abc123",)
    assert by_id["variable_adjacent"].examples == ("{{1}}{{2}}",)
    for finding in findings:
        for locale in ("it", "en"):
            words = finding.rule.words(locale)
            assert words.title and words.why and words.fix
        assert finding.rule.source.url.startswith("https://developers.facebook.com/")


def test_problems_come_before_warnings():
    findings = review("ULTIMA POSSIBILITÀ PER TE {{1}}{{2}} oggi", "utility", RULES)
    levels = [finding.rule.level for finding in findings]
    assert levels == sorted(levels, key=lambda level: level != "problem")
    assert "problem" in levels and "warning" in levels


def test_every_source_is_one_domain_facts_cites():
    facts = (settings.BASE_DIR.parent.parent / "shared" / "domain-facts.md")
    text = facts.read_text() if facts.exists() else None
    for rule in RULES.rules:
        assert rule.source.url.startswith("https://")
        if text is not None:
            assert rule.source.url in text, rule.source.url


@hypothesis_settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=600), category=st.sampled_from(CATEGORIES), website=st.text(max_size=40))
def test_any_text_is_reviewed_without_raising(text, category, website):
    findings = review(text, category, RULES, website=website)
    assert all(finding.rule.id for finding in findings)


@hypothesis_settings(max_examples=200, deadline=None)
@given(text=st.text(alphabet="{} 12a\n.bit.ly/", max_size=80), category=st.sampled_from(CATEGORIES))
def test_brace_soup_never_raises(text, category):
    review(text, category, RULES)


def write(tmp_path, body):
    path = tmp_path / "rules.toml"
    path.write_text(textwrap.dedent(body))
    return path


SOURCE = """
[sources.meta]
url = "https://developers.facebook.com/x"
it = "Meta"
en = "Meta"
"""
WORDS = """
[rules.it]
title = "t"
why = "w"
fix = "f"
[rules.en]
title = "t"
why = "w"
fix = "f"
"""


def test_a_valid_minimal_file_loads(tmp_path):
    rules = load_rules(write(tmp_path, SOURCE + '[[rules]]\nid = "a"\ncheck = "no_variable"\nlevel = "problem"\n'
                                                'source = "meta"\n' + WORDS))
    assert [rule.id for rule in rules.rules] == ["a"]


@pytest.mark.parametrize("rule,message", [
    ('id = "a"\ncheck = "nope"\nlevel = "problem"\nsource = "meta"\n', "unknown check"),
    ('id = "a"\ncheck = "no_variable"\nlevel = "loud"\nsource = "meta"\n', "'level'"),
    ('id = "a"\ncheck = "no_variable"\nlevel = "problem"\nsource = "elsewhere"\n', "'source'"),
    ('id = "a"\ncheck = "phrases"\nlevel = "problem"\nsource = "meta"\n', "'phrases'"),
    ('id = "a"\ncheck = "capitals"\nlevel = "problem"\nsource = "meta"\nmin_letters = 5\nrun = 3\n', "'max_share'"),
    ('id = "a"\ncheck = "no_variable"\nlevel = "problem"\nsource = "meta"\ncategories = ["promo"]\n', "categories"),
])
def test_a_broken_rule_is_named(tmp_path, rule, message):
    with pytest.raises(RulesError) as error:
        load_rules(write(tmp_path, SOURCE + "[[rules]]\n" + rule + WORDS))
    assert "rule 'a'" in str(error.value) and message in str(error.value)


def test_missing_words_in_english_are_named(tmp_path):
    body = SOURCE + '[[rules]]\nid = "a"\ncheck = "no_variable"\nlevel = "problem"\nsource = "meta"\n' + \
        '[rules.it]\ntitle = "t"\nwhy = "w"\nfix = "f"\n'
    with pytest.raises(RulesError, match=r"\[rules.en\]"):
        load_rules(write(tmp_path, body))


def test_not_toml_is_a_rules_error(tmp_path):
    with pytest.raises(RulesError, match="cannot read"):
        load_rules(write(tmp_path, "[[rules]\n"))


def test_the_system_check_reports_a_broken_file(tmp_path, settings):
    from portal.precheck.checks import check_rules

    settings.PRECHECK_RULES = write(tmp_path, SOURCE)
    errors = check_rules()
    assert errors and errors[0].id == "precheck.E001"
