from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext as _


def site(request):
    """The language switcher: the same page in every other language."""
    current = get_language()
    switch = [
        {
            "code": code,
            "name": get_language_info(code)["name_local"],
            "url": translate_url(request.path, code),
        }
        for code, _ in settings.LANGUAGES
        if code != current
    ]
    operator = getattr(settings, "OPERATOR", None) or {}
    site_name = operator.get("site_name") if isinstance(operator, dict) else getattr(operator, "site_name", "")
    return {"language_switch": switch, "site_name": site_name or _("Help for blocked business numbers")}
