import functools

from django.conf import settings
from django.urls import get_script_prefix, translate_url
from django.utils.translation import get_language, get_language_info


#: What a visitor typed that the same page in another language keeps: a search, an outcome's tool fields. Not
#: `page`: another language may have fewer pages of a topic.
CARRIED_PARAMETERS = ("q", "website", "requested", "end", "fix")


def site(request):
    """The language switcher (the same page in every other language, with what the visitor typed into it) and who
    runs the site (`operator`)."""
    current = get_language()
    carried = ""
    if request.method == "GET" and request.GET:
        kept = request.GET.copy()
        for name in list(kept):
            if name not in CARRIED_PARAMETERS:
                del kept[name]
        carried = f"?{kept.urlencode()}" if kept else ""
    switch = [
        {
            "code": code,
            "name": get_language_info(code)["name_local"],
            "url": _translated(request.path, current, code, get_script_prefix()) + carried,
        }
        for code, _name in settings.LANGUAGES
        if code != current
    ]
    operator = settings.OPERATOR
    return {"language_switch": switch, "operator": operator, "site_name": operator["site_name"]}


@functools.lru_cache(maxsize=2048)
def _translated(path: str, current: str, code: str, script_prefix: str) -> str:
    """translate_url resolves the path and reverses it again (about a tenth of a step page): once per path. The
    URLconf does not change while the process runs; the active language and script prefix are in the key."""
    return translate_url(path, code)
