"""Italian pages stay plain and short: Gulpease index ≥ 60 on every step and every article (DEVELOPERS.md).

Gulpease = 89 + (300 × sentences − 10 × letters) / words. Each paragraph, list item, heading, hint and answer label
is its own unit (a list item is read as a sentence); inside a unit, sentences end with . ! ? or :.
"""

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings

from portal.content.kb import article_files
from portal.content.markdown import render_markdown
from portal.content.models import Topic
from portal.content.words import flow_words
from portal.flows.registry import all_flows

MINIMUM = 60
BLOCKS = {"p", "li", "h2", "h3", "h4", "td", "th", "blockquote"}


class _Units(HTMLParser):
    def __init__(self):
        super().__init__()
        self.units, self.current = [], []

    def handle_starttag(self, tag, attrs):
        if tag in BLOCKS:
            self.flush()

    def handle_endtag(self, tag):
        if tag in BLOCKS:
            self.flush()

    def handle_data(self, data):
        self.current.append(data)

    def flush(self):
        text = " ".join("".join(self.current).split())
        if re.search(r"\w", text):
            self.units.append(text)
        self.current = []


def gulpease(units: list[str]) -> float:
    words = letters = sentences = 0
    for unit in units:
        tokens = [t for t in unit.split() if re.search(r"[^\W\d_]", t)]
        words += len(tokens)
        letters += sum(1 for ch in unit if ch.isalpha())
        sentences += max(1, len(re.findall(r"[.!?:]+(?:\s|$)", unit)))
    return 89 + (300 * sentences - 10 * letters) / max(words, 1)


def units_of(*texts: str, html: str = "") -> list[str]:
    parser = _Units()
    parser.feed(html)
    parser.flush()
    return [t for t in texts if t] + parser.units


def step_cases():
    for flow in all_flows().values():
        files, problems = flow_words(settings.KB_DIR, flow, ["it"])
        assert not problems
        for node_id, node_words in files[0].nodes.items():
            yield pytest.param(node_id, units_of(node_words.title, node_words.hint, *node_words.answers.values(),
                                                 html=render_markdown(node_words.body)), id=f"step:{node_id}")


def article_cases():
    files, problems = article_files(settings.KB_DIR, ["it"], set(Topic.values))
    assert not problems
    for article in files:
        yield pytest.param(article.slug, units_of(article.title, article.summary, html=render_markdown(article.body)),
                           id=f"article:{article.slug}")


@pytest.mark.parametrize("name,units", [*step_cases(), *article_cases()])
def test_italian_page_reads_easily(name, units):
    score = gulpease(units)
    assert score >= MINIMUM, f"{name}: Gulpease {score:.1f} < {MINIMUM}: shorter sentences, plainer words"


def test_the_index_tells_hard_text_from_plain_text():
    plain = ["Apri la pagina.", "Premi il pulsante.", "Aspetta la risposta."]
    hard = ["L'amministrazione dell'infrastruttura pubblicitaria internazionale, conformemente alle disposizioni "
            "regolamentari sovranazionali precedentemente menzionate, richiede un'autenticazione multifattoriale"]
    assert gulpease(plain) > 80
    assert gulpease(hard) < 40
