"""Who runs the site: its name, the operator's name and the support channel, read from the environment.

Imported by settings (so nothing here may need configured settings): `settings.OPERATOR` is the dict that
`operator_from_env` returns, and templates get it as `operator` (see context_processors.site).
"""

from __future__ import annotations

from typing import Mapping
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.translation import gettext_lazy as _

#: A neutral name: the site is not Meta's or WhatsApp's, and must not look like it.
DEFAULT_SITE_NAME = _("Help for blocked business numbers")


def operator_from_env(environ: Mapping[str, str]) -> dict:
    """PORTAL_SITE_NAME, PORTAL_OPERATOR_NAME, PORTAL_SUPPORT_URL (a web address or an e-mail address) and
    PORTAL_SUPPORT_HOURS as the `operator` templates use. Raises ImproperlyConfigured for a support address that
    is neither."""
    support_href, support_label = support_channel(environ.get("PORTAL_SUPPORT_URL", "").strip())
    return {
        "site_name": environ.get("PORTAL_SITE_NAME", "").strip() or DEFAULT_SITE_NAME,
        "name": environ.get("PORTAL_OPERATOR_NAME", "").strip(),
        "support_href": support_href,
        "support_label": support_label,
        "support_hours": environ.get("PORTAL_SUPPORT_HOURS", "").strip() if support_href else "",
    }


def support_channel(value: str) -> tuple[str, str]:
    """(href, label) for a support address: `mailto:` for an e-mail, the URL itself for a web page."""
    if not value:
        return "", ""
    address = value.removeprefix("mailto:")
    if "://" not in address:
        try:
            EmailValidator()(address)
        except ValidationError:
            raise ImproperlyConfigured(
                f"PORTAL_SUPPORT_URL={value!r} is neither an e-mail address nor an https:// address"
            ) from None
        return f"mailto:{address}", address
    try:
        URLValidator(schemes=["https", "http"])(value)
    except ValidationError:
        raise ImproperlyConfigured(
            f"PORTAL_SUPPORT_URL={value!r} is neither an e-mail address nor an https:// address"
        ) from None
    parts = urlsplit(value)
    label = parts.netloc + (parts.path.rstrip("/") if parts.path not in ("", "/") else "")
    return value, label
