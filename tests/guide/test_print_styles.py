"""The print rules exist without a browser too: site.css hides the header, search, feedback and navigation in
print and shows the ready text's printable copy (tests/browser/test_print.py checks the rendered result)."""

import re
from pathlib import Path

from django.conf import settings

CSS = Path(settings.BASE_DIR) / "static" / "css" / "site.css"


def print_blocks(css: str) -> str:
    """The text of every @media print block (one level of nested braces)."""
    blocks = re.findall(r"@media print\s*\{((?:[^{}]*\{[^{}]*\})*[^{}]*)\}", css)
    assert blocks, "site.css has no @media print block"
    return "\n".join(blocks)


def rules(block: str) -> list[tuple[set[str], str]]:
    return [({s.strip() for s in selectors.split(",")}, body) for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", block)]


def test_print_hides_the_chrome_and_shows_the_ready_text():
    css = CSS.read_text(encoding="utf-8")
    parsed = rules(print_blocks(css))
    hidden = set().union(*(selectors for selectors, body in parsed if re.search(r"display:\s*none", body)))
    assert {".site-header", ".site-search", ".site-footer", ".feedback", ".step-back", ".step-restart",
            ".related", ".ready-text__box textarea", ".tools button"} <= hidden
    shown = set().union(*(selectors for selectors, body in parsed if re.search(r"display:\s*block", body)))
    assert ".ready-text__print" in shown
    assert re.search(r"@page\s*\{[^}]*size:\s*A4", css)
    # On screen the printable copy stays out of the way (the text area is what people use).
    assert re.search(r"^\.ready-text__print\s*\{\s*display:\s*none", css, re.M)
