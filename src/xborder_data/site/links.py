"""What the site's pages may link to and load, decided on the values before they are rendered.

Every value reaches a page through a jinja2 template that escapes it (autoescape),
so no value can open a tag or an attribute. A URL from the data goes through the
``safe_url`` filter; the datasheet's Markdown keeps only safe links and local
images. The charts are SVG of our own specs, with the data only in text. No
finished page is rewritten.
"""

from __future__ import annotations

from typing import Any

from xborder_data.site._deps import require
from xborder_data.urls import is_local_url, is_safe_url, safe_url

# The Content-Security-Policy every page carries: nothing is loaded from another host.
CSP = (
    "default-src 'self' 'unsafe-inline' data:; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; font-src 'self' data:; connect-src 'none'; media-src 'none'; "
    "object-src 'none'; frame-src 'none'; base-uri 'none'; form-action 'none'"
)
# Template filters. safe_url: a URL from the data when it is http(s), mailto or relative,
# else "" (a template then shows the text without a link).
FILTERS = {"safe_url": safe_url}

__all__ = ["CSP", "FILTERS", "markdown"]


def markdown(text: str) -> str:
    """``text`` (the datasheet) as HTML: raw HTML escaped, links only where ``safe_url`` keeps them, images only local.

    An image from elsewhere becomes a plain link to it: the site is offline.
    """
    markdown_it = require("markdown_it")
    escape = require("markupsafe").escape
    md = markdown_it.MarkdownIt("commonmark", {"html": False}).enable("table")
    md.validateLink = is_safe_url  # a refused link or image stays text
    default_image = md.renderer.rules["image"]

    def image(_renderer: Any, tokens: Any, index: int, options: Any, env: Any) -> str:
        token = tokens[index]
        src = str(token.attrGet("src") or "")
        if is_local_url(src):
            return str(default_image(tokens, index, options, env))
        return f'<a href="{escape(src)}" rel="external noopener">{escape(token.content or src)}</a>'

    md.add_render_rule("image", image)
    return str(md.render(text))
