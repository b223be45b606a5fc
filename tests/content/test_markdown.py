"""The one markdown function: what editors write never reaches a visitor as script."""

import re
from html.parser import HTMLParser

import pytest

from portal.content.markdown import render_markdown

XSS_VECTORS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<script\x20type='text/javascript'>alert(1)</script>",
    "<<script>alert(1)//<</script>",
    "<img src=x onerror=alert(1)>",
    "<img src=\"javascript:alert(1)\">",
    "<IMG SRC=JaVaScRiPt:alert(1)>",
    "<img src=`javascript:alert(1)`>",
    "<img \"\"\"><script>alert(1)</script>\">",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<svg><a xlink:href=\"javascript:alert(1)\"><text x=20 y=20>x</text></a></svg>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<body onload=alert(1)>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
    "<object data=\"javascript:alert(1)\"></object>",
    "<embed src=\"javascript:alert(1)\">",
    "<a href=\"javascript:alert(1)\">x</a>",
    "<a href=\"JAVASCRIPT:alert(1)\">x</a>",
    "<a href=\" javascript:alert(1)\">x</a>",
    "<a href=\"java\tscript:alert(1)\">x</a>",
    "<a href=\"java&#x09;script:alert(1)\">x</a>",
    "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">x</a>",
    "<a href=\"&#x6A;avascript:alert(1)\">x</a>",
    "<a href=\"vbscript:msgbox(1)\">x</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "<a href=\"https://example.com\" onclick=\"alert(1)\">x</a>",
    "<a href=\"https://example.com\" onmouseover=alert(1)>x</a>",
    "<a href=\"https://example.com\" style=\"background:url(javascript:alert(1))\">x</a>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](javascript&#58;alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](vbscript:msgbox(1))",
    "![x](javascript:alert(1))",
    "![x\" onerror=\"alert(1)](https://example.com/x.png)",
    "[x](https://example.com \"title\" onclick=alert(1))",
    "<div style=\"width: expression(alert(1))\">x</div>",
    "<style>body{background:url(javascript:alert(1))}</style>",
    "<link rel=stylesheet href=\"javascript:alert(1)\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"javascript:alert(1)//\">",
    "<form action=\"javascript:alert(1)\"><button>x</button></form>",
    "<input onfocus=alert(1) autofocus>",
    "<select onfocus=alert(1) autofocus>",
    "<textarea onfocus=alert(1) autofocus>",
    "<video><source onerror=\"alert(1)\"></video>",
    "<audio src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<marquee onstart=alert(1)>",
    "<isindex type=image src=1 onerror=alert(1)>",
    "<table background=\"javascript:alert(1)\"><tr><td>x</td></tr></table>",
    "<td background=\"javascript:alert(1)\">x</td>",
    "<p title=\"</p><script>alert(1)</script>\">x</p>",
    "<!--<script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "%3Cscript%3Ealert(1)%3C/script%3E",
    "\u003cscript\u003ealert(1)\u003c/script\u003e",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<a href=\"https://example.com\">ok</a><script>alert(1)</script>",
    "<template><script>alert(1)</script></template>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
    "<x onclick=alert(1)>click</x>",
    "<a href=\"https://example.com\" target=\"_blank\">x</a>",
    "```\n<script>alert(1)</script>\n```",
    "    <script>alert(1)</script>",
    "<a href='https://example.com' formaction='javascript:alert(1)'>x</a>",
]

ALLOWED_TAGS = {"a", "abbr", "b", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "i", "li", "ol", "p",
                "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul"}
SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.IGNORECASE)


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def dangers(html: str) -> list[str]:
    """What a browser would treat as markup that could run script: real tags and attributes, not escaped text."""
    parser = _Elements()
    parser.feed(html)
    problems = []
    for tag, attrs in parser.found:
        if tag not in ALLOWED_TAGS:
            problems.append(f"tag <{tag}>")
        for name, value in attrs.items():
            if name.startswith("on") or name in {"style", "src", "srcdoc", "formaction", "action", "background"}:
                problems.append(f"attribute {name} on <{tag}>")
            if name == "href":
                # As a browser parses it: tabs and newlines removed, control characters and spaces trimmed.
                url = re.sub(r"[\t\n\r]", "", value or "").strip("".join(map(chr, range(33))))
                scheme = SCHEME.match(url)
                if scheme and scheme[1].lower() not in {"http", "https", "mailto"}:
                    problems.append(f"href {value!r}")
    return problems


def test_there_are_at_least_fifty_vectors():
    assert len(set(XSS_VECTORS)) >= 50


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_vector_does_not_survive(vector):
    html = render_markdown(vector, link_base="/it/articles/")
    assert dangers(html) == [], html


@pytest.mark.parametrize("vector", XSS_VECTORS)
def test_vector_does_not_survive_inside_markdown_structure(vector):
    html = render_markdown(f"## Titolo\n\n1. passo\n2. {vector}\n\n> {vector}\n", link_base="/it/articles/")
    assert dangers(html) == [], html


def test_the_checker_itself_catches_what_it_should():
    assert dangers('<a href="java&#x09;script:alert(1)">x</a>') == [f"href {'java' + chr(9) + 'script:alert(1)'!r}"]
    assert dangers('<a href=" JavaScript:alert(1)">x</a>') == ["href ' JavaScript:alert(1)'"]
    assert dangers('<a href="java   script:alert(1)">x</a>') == []  # not a scheme: a relative link
    assert dangers("<img src=x onerror=alert(1)>") == ["tag <img>", "attribute src on <img>", "attribute onerror on <img>"]
    assert dangers("&lt;script&gt;") == []
    assert dangers('<a href="https://example.com" rel="noopener noreferrer">x</a>') == []


def test_ordinary_markdown_is_kept():
    html = render_markdown("## Passi\n\n1. Apri **Business Support Home**.\n2. Premi «Ricorso».\n\n| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<h2>Passi</h2>" in html
    assert "<ol>" in html and "<li>Apri <strong>Business Support Home</strong>.</li>" in html
    assert "<table>" in html and "<td>1</td>" in html


def test_external_links_get_noopener_noreferrer():
    html = render_markdown("[Meta](https://developers.facebook.com/x)")
    assert html == '<p><a href="https://developers.facebook.com/x" rel="noopener noreferrer">Meta</a></p>'


def test_links_to_articles_by_slug_resolve_in_the_locale():
    assert 'href="/it/articles/fare-ricorso/"' in render_markdown("[r](fare-ricorso)", link_base="/it/articles/")
    assert 'href="/en/articles/appeal-a-block/#steps"' in render_markdown(
        "[r](appeal-a-block#steps)", link_base="/en/articles/"
    )
    internal = render_markdown("[r](fare-ricorso)", link_base="/it/articles/")
    assert "rel=" not in internal  # our own pages are not "external"


def test_mailto_links_are_allowed_but_not_other_schemes():
    assert 'href="mailto:help@example.com"' in render_markdown("[m](mailto:help@example.com)")
    assert "href" not in render_markdown("[f](ftp://example.com/file)")
