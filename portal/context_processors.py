from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext as _


def site(request):
    """The language switcher (the same page in every other language) and who runs the site (`operator`)."""
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
    operator = settings.OPERATOR
    return {"language_switch": switch, "operator": operator, "site_name": operator["site_name"]}
