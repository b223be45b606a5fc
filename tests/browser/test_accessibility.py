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


@pytest.fixture
def dark_phone_guide(new_context, live_server, flow):
    from .conftest import PHONE
    from .driver import GuideBrowser

    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True, color_scheme="dark")
    return GuideBrowser(context.new_page(), live_server.url, flow)


@pytest.mark.parametrize("page_type", PAGE_TYPES)
def test_page_type_has_no_axe_violations_in_dark_mode(dark_phone_guide, axe, imported, page_type):
    """The same in dark mode (prefers-color-scheme: dark): contrast is checked against the dark colours."""
    dark_phone_guide.open_page_type(page_type)
    assert dark_phone_guide.page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    violations = axe(dark_phone_guide.page)
    assert violations == [], f"{page_type} (dark) at {dark_phone_guide.page.url}:\n{describe(violations)}"
