"""Screenshots of the pages people touch, for reviewing a design change by looking: `make screenshots`.

Not collected by `make test` (the file name does not start with test_): run it explicitly. It drives the same
live server and the same walks as the browser tests, and writes docs/screenshots/<page>-<size>[-dark].png.
"""

from pathlib import Path

import pytest

from .conftest import DESKTOP, PHONE

pytestmark = pytest.mark.browser

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PAGES = ("home", "question", "outcome-appeal", "article")
SIZES = {"phone": PHONE, "desktop": DESKTOP}


SHOTS = [(page, size, "light") for page in PAGES for size in SIZES] + [(page, "phone", "dark") for page in PAGES]


@pytest.mark.parametrize(("page_type", "size", "scheme"), SHOTS)
def test_screenshot(new_context, live_server, flow, imported, page_type, size, scheme):
    from .driver import GuideBrowser

    options = {"viewport": SIZES[size], "color_scheme": scheme}
    if size == "phone":
        options.update(is_mobile=True, has_touch=True, device_scale_factor=2)
    guide = GuideBrowser(new_context(**options).new_page(), live_server.url, flow)
    guide.open_page_type(page_type)
    guide.page.evaluate("window.scrollTo(0, 0)")
    guide.page.evaluate("document.activeElement && document.activeElement.blur()")
    OUT.mkdir(parents=True, exist_ok=True)
    name = "outcome" if page_type.startswith("outcome") else page_type
    suffix = "-dark" if scheme == "dark" else ""
    guide.page.screenshot(path=str(OUT / f"{name}-{size}{suffix}.png"), full_page=True)
