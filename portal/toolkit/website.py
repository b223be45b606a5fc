"""The format of a website address, as Meta's business portfolio wants it. The address is never fetched.

Valid: `https://` then a host name with at least one dot (international names accepted: `https://caffè.it`), an
optional port, then any path without spaces. What can be fixed without guessing is fixed, and the fixed form is
returned: a missing scheme (`example.com` → `https://example.com`), `http://` (→ `https://`), capitals in the scheme
or host, a dot at the end of the host. Anything else is refused with the reasons, as codes the caller puts in words.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

import idna

MAX_LENGTH = 2000


class Status(enum.StrEnum):
    VALID = "valid"  # exactly right as typed
    CORRECTED = "corrected"  # `url` is the fixed form, itself valid
    INVALID = "invalid"  # `problems` say why; `url` is empty


class Problem(enum.StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    SPACES = "spaces"  # a space (or any blank or control character) inside the address
    SCHEME = "scheme"  # another protocol than http(s), e.g. ftp:// or mailto:
    CREDENTIALS = "credentials"  # user:password@ in the address
    NO_HOST = "no_host"
    NO_DOT = "no_dot"  # a host like `localhost` or `mysite`
    IP_ADDRESS = "ip_address"  # a number instead of a name
    BAD_HOST = "bad_host"  # characters a domain name cannot have
    BAD_PORT = "bad_port"


class Fix(enum.StrEnum):
    ADDED_SCHEME = "added_scheme"
    HTTPS = "https"
    LOWERCASE = "lowercase"
    TRAILING_DOT = "trailing_dot"


@dataclass(frozen=True)
class WebsiteCheck:
    status: Status
    url: str = ""  # the address to use: as typed (valid) or fixed (corrected)
    fixes: tuple[Fix, ...] = ()
    problems: tuple[Problem, ...] = ()

    @property
    def is_valid(self) -> bool:
        return self.status is Status.VALID


_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_PORT = re.compile(r"^[0-9]{1,5}$")


def check_website(text: str) -> WebsiteCheck:
    """Check `text` (surrounding blanks ignored). Never raises, whatever the string."""
    if not isinstance(text, str):
        return WebsiteCheck(Status.INVALID, problems=(Problem.EMPTY,))
    address = text.strip()
    if not address:
        return WebsiteCheck(Status.INVALID, problems=(Problem.EMPTY,))
    if len(address) > MAX_LENGTH:
        return WebsiteCheck(Status.INVALID, problems=(Problem.TOO_LONG,))
    if any(_is_blank_or_control(char) for char in address):
        return WebsiteCheck(Status.INVALID, problems=(Problem.SPACES,))

    fixes: list[Fix] = []
    scheme_match = _SCHEME.match(address)
    if address.startswith("//"):
        address, scheme = "https:" + address, "https"
        fixes.append(Fix.ADDED_SCHEME)
    elif scheme_match and address[scheme_match.end():].startswith("//"):
        scheme = scheme_match.group(1)
        if scheme.lower() not in ("http", "https"):
            return WebsiteCheck(Status.INVALID, problems=(Problem.SCHEME,))
        if scheme.lower() == "http":
            fixes.append(Fix.HTTPS)
        elif scheme != "https":
            fixes.append(Fix.LOWERCASE)
        address = "https" + address[scheme_match.end() - 1:]
    elif scheme_match and scheme_match.group(1).lower() in ("mailto", "tel", "ftp", "file", "javascript", "data",
                                                            "whatsapp", "sms", "http", "https"):
        return WebsiteCheck(Status.INVALID, problems=(Problem.SCHEME,))
    else:
        address = "https://" + address
        fixes.append(Fix.ADDED_SCHEME)

    rest = address[len("https://"):]
    # The authority ends at the first /, ? or #; "\" is refused as a host character below.
    end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    authority, tail = rest[:end], rest[end:]
    if "@" in authority:
        return WebsiteCheck(Status.INVALID, problems=(Problem.CREDENTIALS,))
    host, port = authority, ""
    if authority.count(":") == 1:
        host, port = authority.split(":")
        if not _PORT.match(port) or not 0 < int(port) < 65536:
            return WebsiteCheck(Status.INVALID, problems=(Problem.BAD_PORT,))
    elif ":" in authority:
        return WebsiteCheck(Status.INVALID, problems=(Problem.IP_ADDRESS if authority.startswith("[")
                                                      else Problem.BAD_HOST,))
    if not host:
        return WebsiteCheck(Status.INVALID, problems=(Problem.NO_HOST,))
    if host.endswith(".") and not host.endswith(".."):
        host = host[:-1]
        fixes.append(Fix.TRAILING_DOT)
    problem = _host_problem(host)
    if problem:
        return WebsiteCheck(Status.INVALID, problems=(problem,))
    lower = host.lower()
    if lower != host:
        fixes.append(Fix.LOWERCASE)
    fixed = f"https://{lower}{':' + port if port else ''}{tail}"
    if not fixes:
        return WebsiteCheck(Status.VALID, url=fixed)
    return WebsiteCheck(Status.CORRECTED, url=fixed, fixes=tuple(dict.fromkeys(fixes)))


def _is_blank_or_control(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Zs", "Zl", "Zp", "Cs", "Co", "Cn")


def _host_problem(host: str) -> Problem | None:
    if re.fullmatch(r"[0-9.]+", host):
        return Problem.IP_ADDRESS
    if "." not in host:
        return Problem.NO_DOT
    labels = host.split(".")
    if any(not label for label in labels):
        return Problem.BAD_HOST
    try:
        ascii_host = idna.encode(host, uts46=True).decode("ascii")
        # The corrected form is lowercase: it must name the same host.
        if idna.encode(host.lower(), uts46=True).decode("ascii") != ascii_host:
            return Problem.BAD_HOST
    except (idna.IDNAError, UnicodeError, ValueError):
        return Problem.BAD_HOST
    top = ascii_host.rsplit(".", 1)[-1]
    if not (top.isalpha() or top.startswith("xn--")):
        return Problem.BAD_HOST
    return None


def ascii_form(url: str) -> str:
    """A checked address with its host in punycode (`https://xn--caff-8oa.it`), for tools that need ASCII."""
    rest = url[len("https://"):]
    end = min((i for i in (rest.find(c) for c in "/?#:") if i >= 0), default=len(rest))
    return "https://" + idna.encode(rest[:end], uts46=True).decode("ascii") + rest[end:]
