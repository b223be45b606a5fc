"""Fixtures for the tests that drive Chromium (Playwright), run axe-core in it, or check pages with the Nu Html Checker.

What they need and where it comes from: Chromium at /usr/bin/chromium (apt), the `playwright` package
(requirements-dev.txt), axe-core and vnu-jar in node_modules/ (`npm ci`) and Java for vnu. Where something is
missing the tests skip, naming it; with REQUIRE_BROWSER=1 (CI) they fail instead, so they cannot skip silently.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from .driver import GuideBrowser

# Playwright's sync API keeps an asyncio loop running in this thread, which makes Django refuse ORM calls here
# (the live server's database flush between tests among them).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

ROOT = Path(settings.BASE_DIR)
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def browser_required() -> bool:
    return os.environ.get("REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes", "on"}


def require(what: str, missing: list[str]) -> None:
    """Skip (or, with REQUIRE_BROWSER=1, fail) when a prerequisite is missing, saying which."""
    if not missing:
        return
    reason = f"{what} need {', '.join(missing)}"
    if browser_required():
        pytest.fail(f"{reason} (REQUIRE_BROWSER=1: these tests may not skip)", pytrace=False)
    pytest.skip(reason)


def missing_for_browser() -> list[str]:
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    if importlib.util.find_spec("playwright") is None:
        missing.append("the playwright package (pip install -r requirements-dev.txt)")
    if not AXE_JS.exists():
        missing.append(f"{AXE_JS.relative_to(ROOT)} (npm ci)")
    return missing


def missing_for_vnu() -> list[str]:
    missing = []
    if shutil.which("java") is None:
        missing.append("java (apt-get install default-jre-headless)")
    if not VNU_JAR.exists():
        missing.append(f"{VNU_JAR.relative_to(ROOT)} (npm ci)")
    return missing


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the whole run; each test gets its own context (cookies, storage)."""
    require("browser tests", missing_for_browser())
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_context(chromium, live_server, imported):
    """Make browser contexts (Playwright's new_context options), closed when the test ends. The live server's
    database holds kb/ imported, as after `make run`: step pages read their words from it."""
    contexts = []

    def make(**options):
        options.setdefault("viewport", DESKTOP)
        options.setdefault("locale", "it-IT")
        context = chromium.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    """A page with JavaScript, at a desktop size."""
    return new_context().new_page()


@pytest.fixture
def guide(page, live_server, flow) -> GuideBrowser:
    return GuideBrowser(page, live_server.url, flow)


@pytest.fixture
def nojs_guide(new_context, live_server, flow) -> GuideBrowser:
    """The guide in a browser with JavaScript turned off."""
    return GuideBrowser(new_context(java_script_enabled=False).new_page(), live_server.url, flow)


@pytest.fixture
def phone_guide(new_context, live_server, flow) -> GuideBrowser:
    """The guide at a phone's viewport, with touch."""
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    return GuideBrowser(context.new_page(), live_server.url, flow)


@pytest.fixture(scope="session")
def axe_source() -> str:
    require("accessibility tests", missing_for_browser())
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture
def axe(axe_source):
    """Run axe-core on a page; returns its violations (injected with evaluate, which the page's CSP allows)."""

    def run(page) -> list[dict]:
        page.evaluate(axe_source)
        return page.evaluate(
            """async () => {
              const results = await axe.run(document);
              return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map(n => n.target.join(" ")),
              }));
            }"""
        )

    return run


@pytest.fixture(scope="session")
def vnu():
    """Check one HTML document with the Nu Html Checker; returns its error messages (type "error" or worse)."""
    require("HTML validity tests", missing_for_vnu())

    def check(html: bytes) -> list[dict]:
        result = subprocess.run(
            ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "-"],
            input=html,
            capture_output=True,
            timeout=120,
        )
        report = result.stderr.decode() or result.stdout.decode()
        try:
            messages = json.loads(report)["messages"]
        except (ValueError, KeyError):
            raise AssertionError(f"vnu did not answer with JSON (exit {result.returncode}): {report[:500]}")
        if result.returncode != 0 and not messages:
            raise AssertionError(f"vnu exited {result.returncode} without messages: {report[:500]}")
        return [message for message in messages if message.get("type") != "info"]

    return check
