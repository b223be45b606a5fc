"""The container's health check: GET /readyz on this container's gunicorn, exit 0 only on a 200.

The Host header is the first name in DJANGO_ALLOWED_HOSTS (Django answers 400 to any other), and the request says it
came through HTTPS when the app trusts its proxy for that (DJANGO_BEHIND_PROXY), so it is never redirected.
Usage: python deploy/healthcheck.py [URL]   (default: http://127.0.0.1:<port of GUNICORN_BIND>/readyz)
"""

import os
import sys
import urllib.error
import urllib.request


def main(argv: list[str]) -> int:
    port = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").rsplit(":", 1)[-1]
    url = argv[1] if len(argv) > 1 else f"http://127.0.0.1:{port}/readyz"
    hosts = [h.strip().lstrip(".") for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h.strip()]
    host = next((h for h in hosts if h != "*"), "localhost")
    headers = {"Host": host, "User-Agent": "portal-healthcheck"}
    if os.environ.get("DJANGO_BEHIND_PROXY", "").lower() in ("1", "true", "yes", "on"):
        headers["X-Forwarded-Proto"] = "https"
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=4) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError as error:
        print(f"unhealthy: {url}: {error}", file=sys.stderr)
        return 1
    if status != 200:
        print(f"unhealthy: {url} answered {status}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
