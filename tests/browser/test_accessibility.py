"""axe-core finds no violations on any page type of the guide at a phone's viewport."""

import pytest

from .paths import PAGE_TYPES

pytestmark = pytest.mark.browser


def describe(violations):
    return "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["targets"]) for v in violations
    )


@pytest.mark.parametrize("page_type", PAGE_TYPES)
def test_page_type_has_no_axe_violations_on_a_phone(phone_guide, axe, imported, page_type):
    """Each page type, reached as a visitor reaches it (swapped in by htmx where that is how it arrives), passes
    every axe-core rule that runs by default (WCAG A/AA and best practices)."""
    phone_guide.open_page_type(page_type)
    violations = axe(phone_guide.page)
    assert violations == [], f"{page_type} at {phone_guide.page.url}:\n{describe(violations)}"
