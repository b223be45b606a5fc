"""`{% chrome "name" %}…{% endchrome %}`: a piece of the page frame rendered once per process, language and build.

For what depends on nothing but the deploy (templates, translations, static file names: portal.pagecache.build_id),
the operator's settings and the language: the header's site name, the footer, the static links in <head>. Rendering
them cost about half of a step page's render (issue #9), which still runs for every page not served stored. Kept in the
process's memory, not in the shared cache: nothing to invalidate (a deploy restarts the process) and a Redis outage
cannot break a page. Never put a request's data (CSRF token, path, query, walk) inside.
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.urls import get_script_prefix
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

_rendered: dict[tuple, str] = {}
_operator: list = [None, ""]  # the settings.OPERATOR object last seen, and its key
#: More would mean a key varies with the request: stop remembering rather than grow.
MAX_ENTRIES = 256


def _operator_key() -> str:
    operator = settings.OPERATOR
    if _operator[0] is not operator:
        _operator[:] = [operator, repr(sorted(operator.items()))]
    return _operator[1]


class ChromeNode(template.Node):
    def __init__(self, name: str, nodelist):
        self.name, self.nodelist = name, nodelist

    def render(self, context) -> str:
        from portal.pagecache import build_id

        key = (self.name, get_language(), get_script_prefix(), build_id(), _operator_key())
        html = _rendered.get(key)
        if html is None:
            html = self.nodelist.render(context)
            if len(_rendered) < MAX_ENTRIES:
                _rendered[key] = html
        return mark_safe(html)


@register.tag
def chrome(parser, token):
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError('usage: {% chrome "name" %}…{% endchrome %}')
    nodelist = parser.parse(("endchrome",))
    parser.delete_first_token()
    return ChromeNode(bits[1][1:-1], nodelist)
