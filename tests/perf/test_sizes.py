"""Sizes are tests (issue #9): what a phone downloads on its first view, compressed as it is served, and nothing
asked of another host. (tests/browser/test_page_security.py watches a whole walk's requests in Chromium.)"""

import re
from html.parser import HTMLParser

import brotli
import pytest
from django.contrib.staticfiles import finders

from portal.staticfiles import served_bytes
from tests.guide.helpers import step_url

pytestmark = pytest.mark.django_db

FIRST_VIEW_BUDGET = 24 * 1024
BROWSER = {"Accept-Encoding": "gzip, deflate, br, zstd"}


class Resources(HTMLParser):
    """Every URL the page makes the browser fetch by itself (not the links a person may follow)."""

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "link" and attrs.get("rel") in ("stylesheet", "icon", "preload", "modulepreload", "manifest"):
            self.urls.append(attrs["href"])
        elif tag in ("script", "img", "iframe", "source", "audio", "video", "embed") and attrs.get("src"):
            self.urls.append(attrs["src"])
        elif tag == "object" and attrs.get("data"):
            self.urls.append(attrs["data"])


def resources(html: str) -> list[str]:
    parser = Resources()
    parser.feed(html)
    return parser.urls


def static_size(url: str) -> int:
    """The size whitenoise serves a static file at: its .br, made at collectstatic with brotli's defaults, of the
    file as collectstatic writes it (our stylesheet minified: portal/staticfiles.py)."""
    name = url.removeprefix("/static/")
    path = finders.find(name)
    assert path, url
    with open(path, "rb") as file:
        return len(brotli.compress(served_bytes(name, file.read())))


# The help centre's front door, an article, search results and a step opened from a link support sent.
# An article's first view used to be over (issue #9): its vote form held a CSRF token, so its HTML was compressed per
# response at Brotli 5. Without the token (portal/crossorigin.py) it is stored at Brotli's best, and fits.


@pytest.mark.parametrize("url", ["/it/", "/en/", "/it/articles/fare-ricorso/", "/it/search/?q=ricorso",
                                 step_url("reason")])
def test_a_first_view_is_at_most_24_kb_compressed(client, imported, url):
    page = client.get(url, headers=BROWSER)
    assert page.status_code == 200 and page["Content-Encoding"] == "br"
    html = brotli.decompress(page.content).decode()
    fetched = [u for u in resources(html) if u.endswith((".css", ".js"))]  # HTML + CSS + JS (not the icon)
    assert any(u.endswith(".css") for u in fetched) and any(u.endswith(".js") for u in fetched)
    total = len(page.content) + sum(static_size(u) for u in fetched)
    assert total <= FIRST_VIEW_BUDGET, f"{url}: {total} bytes ({len(page.content)} of HTML) > {FIRST_VIEW_BUDGET}"


def test_pages_are_sent_gzipped_to_browsers_without_brotli(client, imported):
    import gzip

    page = client.get("/it/", headers={"Accept-Encoding": "gzip"})
    assert page["Content-Encoding"] == "gzip" and "Accept-Encoding" in page["Vary"]
    assert b"<h1" in gzip.decompress(page.content)


@pytest.mark.parametrize("url", ["/it/", "/it/articles/fare-ricorso/", "/it/search/?q=ricorso", step_url("reason")])
def test_no_page_asks_anything_of_another_host(client, imported, url):
    html = client.get(url).content.decode()
    for resource in resources(html):
        assert resource.startswith("/") and not resource.startswith("//"), resource
        if resource.endswith(".css"):
            css = open(finders.find(resource.removeprefix("/static/")), encoding="utf-8").read()
            for found in re.findall(r"url\(\s*['\"]?([^'\")]+)", css) + re.findall(r"@import\s+['\"]([^'\"]+)", css):
                assert found.startswith(("data:", "/", "#")) or "://" not in found, found
