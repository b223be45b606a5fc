"""The one way markdown becomes HTML on this site: a fixed set of extensions, then nh3 sanitizing."""

import markdown as python_markdown
import nh3

EXTENSIONS = ("sane_lists", "tables", "smarty")

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "i", "li", "ol", "p", "pre",
    "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "ol": {"start"}, "td": {"align"}, "th": {"align"}}
URL_SCHEMES = {"http", "https", "mailto"}


def render_markdown(text: str) -> str:
    """Markdown written by editors → HTML that is safe to mark safe. Links get rel="noopener noreferrer"."""
    html = python_markdown.markdown(text or "", extensions=list(EXTENSIONS), output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
