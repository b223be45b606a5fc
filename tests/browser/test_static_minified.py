"""The stylesheet production serves (minified at collectstatic, portal/staticfiles.py) is the source's rules, to the
letter: Chromium parses both and its own serialization of every rule (CSSOM cssText, which drops comments and
normalizes whitespace) must be the same, in the same order."""

import json
from pathlib import Path

import pytest
from django.conf import settings

from portal.staticfiles import MINIFIED, served_bytes

pytestmark = pytest.mark.browser

SHEETS = sorted(MINIFIED)

# Every rule of the sheet, nested rules (@media, @supports, @layer) flattened in order, as Chromium writes them.
RULES_JS = """css => {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(css);
  const out = [];
  const walk = rules => { for (const rule of rules) { out.push(rule.cssText); if (rule.cssRules) walk(rule.cssRules); } };
  walk(sheet.cssRules);
  return out;
}"""


@pytest.fixture
def blank(chromium):
    context = chromium.new_context()
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("name", SHEETS)
def test_the_minified_sheet_has_the_source_rules(blank, name):
    source = (Path(settings.BASE_DIR) / "static" / name).read_bytes()
    minified = served_bytes(name, source)
    assert len(minified) < len(source)  # it did minify (comments and indentation go)
    before = blank.evaluate(RULES_JS, source.decode())
    after = blank.evaluate(RULES_JS, minified.decode())
    assert before, name
    assert after == before, json.dumps([(b, a) for b, a in zip(before, after) if a != b][:3], indent=1)


def test_a_changed_rule_is_seen(blank):
    """The check above can fail: one value changed by the minifier would show."""
    source = ".a { color: red; }\n@media (min-width: 40em) { .b { margin: 0 auto; } }"
    broken = ".a{color:red}@media (min-width:40em){.b{margin:0auto}}"
    assert blank.evaluate(RULES_JS, broken) != blank.evaluate(RULES_JS, source)
    assert blank.evaluate(RULES_JS, served_bytes("css/site.css", source.encode()).decode()) == \
        blank.evaluate(RULES_JS, source)
