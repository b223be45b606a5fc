"""The website address check: corrections, refusals, and properties over any string (hypothesis)."""

import os

import pytest
from hypothesis import given, settings, strategies as st

from portal.toolkit.website import Fix, Problem, Status, ascii_form, check_website

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "300"))


@pytest.mark.parametrize("typed, fixed, fixes", [
    ("example.com", "https://example.com", {Fix.ADDED_SCHEME}),
    ("  example.com  ", "https://example.com", {Fix.ADDED_SCHEME}),
    ("www.example.com/chi-siamo", "https://www.example.com/chi-siamo", {Fix.ADDED_SCHEME}),
    ("http://x.it", "https://x.it", {Fix.HTTPS}),
    ("HTTP://Negozio.IT/", "https://negozio.it/", {Fix.HTTPS, Fix.LOWERCASE}),
    ("https://Example.com", "https://example.com", {Fix.LOWERCASE}),
    ("www.example.com.", "https://www.example.com", {Fix.ADDED_SCHEME, Fix.TRAILING_DOT}),
    ("//example.com", "https://example.com", {Fix.ADDED_SCHEME}),
    ("example.com:8443/shop", "https://example.com:8443/shop", {Fix.ADDED_SCHEME}),
    ("caffè.it", "https://caffè.it", {Fix.ADDED_SCHEME}),
])
def test_corrections(typed, fixed, fixes):
    result = check_website(typed)
    assert result.status is Status.CORRECTED
    assert result.url == fixed and set(result.fixes) == fixes
    assert check_website(result.url).status is Status.VALID


@pytest.mark.parametrize("typed", [
    "https://example.com", "https://www.negozio-roma.it/prodotti?x=1#top", "https://caffè.it/menù",
    "https://xn--caff-8oa.it", "https://bücher.de", "https://例え.jp", "https://example.com:8080",
])
def test_valid_addresses(typed):
    result = check_website(typed)
    assert result.status is Status.VALID and result.url == typed and not result.problems


@pytest.mark.parametrize("typed, problem", [
    ("", Problem.EMPTY), ("   ", Problem.EMPTY),
    ("https://example .com", Problem.SPACES), ("www.mio sito.it", Problem.SPACES), ("a.it\u200b", Problem.SPACES),
    ("ftp://example.com", Problem.SCHEME), ("mailto:info@example.com", Problem.SCHEME),
    ("javascript:alert(1)", Problem.SCHEME), ("https:/example.com", Problem.SCHEME),
    ("https://user:pw@example.com", Problem.CREDENTIALS),
    ("https://", Problem.NO_HOST), ("https:///path", Problem.NO_HOST),
    ("localhost", Problem.NO_DOT), ("https://mionegozio", Problem.NO_DOT),
    ("192.168.1.10", Problem.IP_ADDRESS), ("https://[::1]/", Problem.IP_ADDRESS),
    ("https://ex_ample.com", Problem.BAD_HOST), ("https://-shop.it", Problem.BAD_HOST),
    ("https://shop..it", Problem.BAD_HOST), ("https://shop.123", Problem.BAD_HOST),
    ("https://x.it\\evil.com", Problem.BAD_HOST), ("<script>.it", Problem.BAD_HOST),
    ("https://example.com:0", Problem.BAD_PORT), ("https://example.com:http", Problem.BAD_PORT),
    ("x" * 3000 + ".it", Problem.TOO_LONG),
])
def test_refusals_say_why(typed, problem):
    result = check_website(typed)
    assert result.status is Status.INVALID and result.problems == (problem,) and result.url == ""


def test_ascii_form_of_an_international_name():
    assert ascii_form("https://caffè.it/menu") == "https://xn--caff-8oa.it/menu"


def _check_property(text):
    result = check_website(text)
    if result.status is Status.VALID:
        assert result.url == text.strip()
        assert result.url.startswith("https://") and not result.problems
    elif result.status is Status.CORRECTED:
        again = check_website(result.url)
        assert again.status is Status.VALID and again.url == result.url, (text, result, again)
        assert result.fixes and not result.problems
    else:
        assert result.problems and result.url == ""


@settings(max_examples=EXAMPLES, deadline=None)
@given(st.text())
def test_any_text_never_raises_and_corrections_are_valid(text):
    _check_property(text)


URLISH = st.builds(
    lambda scheme, host, tld, port, path: f"{scheme}{host}.{tld}{port}{path}",
    st.sampled_from(["", "http://", "https://", "HTTPS://", "//", "ftp://", "Http:"]),
    st.text(alphabet=st.characters(codec="utf-8", categories=("L", "N", "Pd")), min_size=0, max_size=20),
    st.sampled_from(["it", "com", "IT", "xn--p1ai", "1", "", "."]),
    st.sampled_from(["", ":443", ":0", ":99999", ":x"]),
    st.text(max_size=20),
)


@settings(max_examples=EXAMPLES, deadline=None)
@given(URLISH)
def test_address_like_text_never_raises_and_corrections_are_valid(text):
    _check_property(text)
