"""The real entry point (portal/wsgi.py under gunicorn, production settings): the issue's bad requests sent as raw
bytes get the site's 4xx page with the security headers, never gunicorn's bare 500; with the database unreachable,
/healthz stays 200 while /readyz and database pages answer 503 with Retry-After."""

import socket

import pytest
from django.db import connection

from tests.live import collect_static, free_port, gunicorn, shared_database_url, sqlite_database


def raw(base: str, request: bytes) -> tuple[int, dict[str, str], bytes]:
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _sep, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _c, value in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def request(method: str, path: bytes, *, headers: dict[str, str] | None = None, body: bytes = b"") -> bytes:
    lines = [f"{method} ".encode() + path + b" HTTP/1.1", b"Host: 127.0.0.1", b"Connection: close"]
    lines += [f"{name}: {value}".encode("latin-1") for name, value in (headers or {}).items()]
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}".encode())
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


@pytest.fixture(scope="module")
def static_files():
    collect_static()


@pytest.fixture
def site(static_files, transactional_db, imported, tmp_path):
    url = shared_database_url() if connection.vendor == "postgresql" else sqlite_database(tmp_path)
    with gunicorn(url, workers=1, threads=4, production=True) as base:
        yield base


def test_the_issues_bad_requests_get_a_4xx_page_with_security_headers(site):
    status, headers, body = raw(site, request("GET", b"/it/"))
    assert status == 200
    assert "set-cookie" not in headers and b"csrfmiddlewaretoken" not in body  # public forms post without a token
    form = b"target=article:appeal&helpful=yes"
    browser = {"Origin": site, "Sec-Fetch-Site": "same-origin"}  # what a browser sends with the home page's form
    cases = [
        request("GET", b"/it/search/?q=%00abc"),
        request("GET", b"/it/", headers={"Cookie": 'sessionid="\\000aaaaaaaaaaaaaaaa"'}),
        request("POST", b"/it/feedback/", body=form, headers={
            **browser, "Content-Type": "application/x-www-form-urlencoded; charset=latin-1"}),
        request("POST", b"/it/feedback/", body=form, headers={
            **browser, "Content-Type": "application/x-www-form-urlencoded; charset*=BOGUS''utf-8"}),
        request("POST", b"/it/feedback/", body=b"--x\r\n", headers={
            "Content-Type": "multipart/form-data; boundary*=BOGUS''x"}),
        request("POST", b"/it/no-such-page/", body=b"--x\r\nnonsense", headers={
            "Content-Type": "multipart/form-data; boundary="}),
        request("GET", b"/it/guide/%00/"),
        request("GET", b"/it/search/?q=%ff%fe"),
    ]
    for case in cases:
        status, headers, body = raw(site, case)
        assert 400 <= status < 500, (case, status, body[:300])
        assert b"data-error-page" in body, case
        for header in ("content-security-policy", "x-content-type-options", "x-frame-options", "referrer-policy"):
            assert header in headers, (case, header)


def test_with_the_database_unreachable_health_is_honest_and_pages_are_503(static_files, db):
    with socket.socket() as held:  # bound, never listening: connecting to it is refused, and no server takes it
        held.bind(("127.0.0.1", free_port()))
        closed = f"postgres://postgres@127.0.0.1:{held.getsockname()[1]}/nowhere"
        check_unreachable_database(closed)


def check_unreachable_database(closed: str) -> None:
    with gunicorn(closed, workers=1, threads=2, production=True, DJANGO_CONN_MAX_AGE="0") as base:
        assert raw(base, request("GET", b"/healthz"))[::2] == (200, b"ok")
        status, headers, body = raw(base, request("GET", b"/readyz"))
        assert (status, body) == (503, b"unavailable: database\n") and int(headers["retry-after"]) > 0
        for path, lang in ((b"/it/", "it"), (b"/en/search/?q=ricorso", "en"), (b"/it/articles/fare-ricorso/", "it")):
            status, headers, body = raw(base, request("GET", path))
            assert status == 503, (path, body[:300])
            assert int(headers["retry-after"]) > 0 and "content-security-policy" in headers
            assert f'<html lang="{lang}">'.encode() in body and b'data-error-page="503"' in body
