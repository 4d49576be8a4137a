"""The site filters values before rendering: escaped text, safe_url on links, safe Markdown; no page is rewritten.

Each page template is rendered through the site's own jinja2 environment with
hostile values in its slots, and read back by the standard library's HTML parser:
the oracle is what a browser's parser would see, and a marker the hostile values
carry that no attribute may hold.
"""

from __future__ import annotations

import html.parser
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("jinja2")
pytest.importorskip("markdown_it")

from markupsafe import Markup  # noqa: E402

from xborder_data.site import build  # noqa: E402
from xborder_data.site.downloads import Download, Downloads, Group  # noqa: E402
from xborder_data.site.links import markdown  # noqa: E402
from xborder_data.site.tables import CitationEntry, Cell, Column, Row, Table  # noqa: E402

MARK = "XSSMARK"
# Text that would open a tag, leave an attribute or run as a template, if it were not escaped.
HOSTILE_TEXT = [
    f"<script>{MARK}()</script>", f"<img src=x onerror={MARK}()>", f'" onmouseover="{MARK}()', f"' onfocus='{MARK}()",
    f"<a href=javascript:{MARK}>", f'<a/href="javascript:{MARK}">', f"<form action=javascript:{MARK}>",
    f"<button formaction=javascript:{MARK}>", f"<source srcset=//{MARK}.example/a>", f"<img/src='//{MARK}.example/a'>",
    f"<div style='background:url(//{MARK}.example/a)'>", f"<object data=//{MARK}.example/a>",
    f"<style>@import '//{MARK}.example/s.css';</style>", f"</td></tr></table><svg onload={MARK}()>",
    "{{ 7 * 7 }}{% raw %}" + MARK, f"&lt;script&gt;{MARK}",
]
# Each disguise of a scheme that runs or embeds, or another host without a scheme.
HOSTILE_URLS = [
    f"javascript:{MARK}()", f"JaVaScRiPt:{MARK}()", f" javascript:{MARK}()", f"\x01javascript:{MARK}()",
    f"java\tscript:{MARK}()", f"&#106;avascript:{MARK}()", f"&#x6A;avascript&colon;{MARK}()", f"%6Aavascript:{MARK}()",
    f"data:text/html,{MARK}", f"vbscript:{MARK}", f"\u200bjavascript:{MARK}()", f"//{MARK}.example/x", f"/\\{MARK}.example/x",
    f"\\\\{MARK}.example\\x", f"file:///{MARK}",
]
SAFE_URL = "https://ok.example/a?b=1&c=2"


class Page(html.parser.HTMLParser):
    """What a browser's parser reads: every tag with its attributes, and the text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {name: value or "" for name, value in attrs}))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def read(page: str) -> Page:
    parser = Page()
    parser.feed(page)
    parser.close()
    return parser


def render(tmp_path: Path, template: str, **context: Any) -> Page:
    """Render ``template`` as the build does (the same environment and frame) and read it back."""
    site = {
        "title": HOSTILE_TEXT[0], "version": HOSTILE_TEXT[1], "has_datasheet": True, "license_names": HOSTILE_TEXT[2],
        "licenses": [{"name": text, "title": text, "path": url} for text, url in zip(HOSTILE_TEXT, HOSTILE_URLS)],
        "tables": [{"name": "t", "title": text, "description": text, "rows": 1} for text in HOSTILE_TEXT],
    }
    build._render(build._environment(), template, tmp_path, "page.html", "en", page_title=HOSTILE_TEXT[3], site=site, **context)
    return read((tmp_path / "page.html").read_text(encoding="utf-8"))


# The attributes the templates write; of them, those a browser follows or loads (or reads as CSS).
ATTRIBUTES = {"lang", "charset", "http-equiv", "content", "name", "rel", "href", "hreflang", "title", "class", "aria-label",
              "id", "src", "defer", "download", "tabindex", "role", "data-resource", "data-sort-method", "scope", "data-chart"}
FOLLOWED = {"href", "src", "srcset", "action", "formaction", "data", "poster", "background", "style"}


def assert_inert(page: Page, allowed_tags: set[str]) -> None:
    """Only the template's own tags and attributes, no followed attribute holding the marker, every hostile text shown as text."""
    for tag, attrs in page.tags:
        assert tag in allowed_tags, tag
        assert set(attrs) <= ATTRIBUTES, (tag, attrs)
        assert not [name for name in FOLLOWED & set(attrs) if MARK in attrs[name]], (tag, attrs)
    shown = "".join(page.text)
    assert all(text in shown for text in HOSTILE_TEXT if "{%" not in text)


FRAME = {"html", "head", "meta", "title", "link", "body", "header", "p", "a", "span", "nav", "ul", "li", "main", "footer"}


def test_the_environment_escapes_every_template() -> None:
    env = build._environment()
    templates = [name for name in env.list_templates() if name.endswith(".html")]
    assert len(templates) >= 10
    assert all(env.autoescape is True or env.autoescape(name) for name in templates)
    assert "safe_url" in env.filters


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_safe_url_refuses_every_disguise(url: str) -> None:
    env = build._environment()
    assert env.from_string("{{ u|safe_url }}").render(u=url) == ""
    assert env.from_string("{{ u|safe_url }}").render(u=SAFE_URL) == SAFE_URL.replace("&", "&amp;")


def test_a_safe_url_cannot_leave_its_attribute(tmp_path: Path) -> None:
    url = f'https://ok.example/" onclick="{MARK}()'
    table = Table("t", "t", "", [Column("a", "a", "string", "")], [Row(None, [Cell("x", url, external=True)], None)], ["a"])
    page = render(tmp_path, "table.html", table=table, has_citations=False, download="")
    [link] = [attrs for tag, attrs in page.tags if attrs.get("rel") == "external noopener"]
    assert link == {"href": url, "rel": "external noopener"}  # the quote stays inside the value: no onclick


def test_a_table_page_escapes_cells_and_links_only_safe_urls(tmp_path: Path) -> None:
    columns = [Column("a", HOSTILE_TEXT[4], "string", HOSTILE_TEXT[5]), Column("b", "b", "string", "")]
    rows = [Row(anchor=f"row-{text}", cells=[Cell(text, url, external=True), Cell(text, SAFE_URL, external=True)], cite_href=None)
            for text, url in zip(HOSTILE_TEXT, HOSTILE_URLS)]
    table = Table("t", HOSTILE_TEXT[6], HOSTILE_TEXT[7], columns, rows, ["a"])
    page = render(tmp_path, "table.html", table=table, has_citations=False, download=Markup('<a href="x.csv">x.csv</a>'))
    assert_inert(page, FRAME | {"script", "h1", "code", "details", "summary", "dl", "dt", "dd", "div", "table", "thead", "tr", "th", "br", "tbody", "td"})
    links = [attrs["href"] for tag, attrs in page.tags if tag == "a" and attrs.get("rel") == "external noopener"]
    assert links == [SAFE_URL] * len(rows)  # every hostile cell is shown as text, without a link


def test_the_landing_page_links_no_hostile_licence(tmp_path: Path) -> None:
    download = Download(HOSTILE_TEXT[8], "downloads/x.csv", {"en": HOSTILE_TEXT[9], "zh": HOSTILE_TEXT[9]}, 1)
    group = Group(HOSTILE_TEXT[11], {"en": HOSTILE_TEXT[12], "zh": HOSTILE_TEXT[12]}, [download])
    downloads = Downloads([download], [HOSTILE_TEXT[10]], [group])
    stats = {"claims": 1, "statuses": HOSTILE_TEXT[13], "later_text": HOSTILE_TEXT[14]}
    page = render(tmp_path, "index.html", stats=stats, citation_text=HOSTILE_TEXT[15], citation_bibtex=HOSTILE_TEXT[0],
                  downloads=downloads, has_zone_map=True)
    assert_inert(page, FRAME | {"h1", "strong", "section", "h2", "div", "table", "thead", "tr", "th", "tbody", "td", "code", "pre"})
    # the licences are shown by name, and none is linked
    assert not [attrs for tag, attrs in page.tags if attrs.get("rel") == "external noopener"]


def test_the_citations_page_links_only_safe_source_urls(tmp_path: Path) -> None:
    sources = [{"href": "tables/sources.html#row-s", "title": text, "publisher": text, "quality": text, "url": url, "external": True}
               for text, url in zip(HOSTILE_TEXT, [*HOSTILE_URLS[:-1], SAFE_URL])]
    claims = [{"href": "tables/claims.html#row-c", "claim_id": text, "status": text, "as_printed": text, "field": text,
               "normalized_value": text, "note": text} for text in HOSTILE_TEXT]
    evidence = [{"href": "tables/evidence.html#row-e", "evidence_id": text, "stance": text, "source_id": text, "quote": text}
                for text in HOSTILE_TEXT]
    entry = CitationEntry(f"cite-{HOSTILE_TEXT[0]}", "t", HOSTILE_TEXT[1], HOSTILE_TEXT[2], "tables/t.html#row-x", claims, evidence, sources)
    page = render(tmp_path, "citations.html", entries=[entry])
    assert_inert(page, FRAME | {"h1", "section", "h2", "h3", "code"})
    assert [attrs["href"] for tag, attrs in page.tags if attrs.get("rel") == "external noopener"] == [SAFE_URL]


def test_the_errata_page_escapes_every_field(tmp_path: Path) -> None:
    errata = [{"anchor": text, "as_printed": text, "chinese_original": text, "intended_reading": text, "explanation": text,
               "error_kind": text, "table_href": "tables/errata.html#row-x", "cite_href": "citations.html#cite-x",
               "claims": [{"href": "tables/claims.html#row-c", "claim_id": text}]} for text in HOSTILE_TEXT]
    assert_inert(render(tmp_path, "errata.html", errata=errata), FRAME | {"h1", "section", "h2", "dl", "dt", "dd"})


HOSTILE_MARKDOWN = "\n\n".join([
    *(f"[link]({url.strip()})" for url in HOSTILE_URLS if " " not in url.strip() and "\t" not in url),
    *(f"![image]({url.strip()})" for url in HOSTILE_URLS if " " not in url.strip() and "\t" not in url),
    f"[ref][r]\n\n[r]: javascript:{MARK}()", f"<javascript:{MARK}()>", f"<data:text/html,{MARK}>",
    f"<img src=x onerror={MARK}()>", f"<script>{MARK}()</script>", f'<a href="javascript:{MARK}()">raw</a>',
    f"[x](<javascript:{MARK}()>)", f"![x](https://{MARK}.example/remote.png)",
    "[kept](https://ok.example/a) ![local](img/a.png) <https://ok.example/auto> [mail](mailto:a@ok.example)",
])


def test_the_datasheet_markdown_keeps_only_safe_links_and_local_images(tmp_path: Path) -> None:
    body = markdown(HOSTILE_MARKDOWN)
    parsed = read(body)
    for tag, attrs in parsed.tags:
        assert tag in {"p", "a", "img"}, tag
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
    hrefs = [attrs["href"] for tag, attrs in parsed.tags if tag == "a"]
    srcs = [attrs["src"] for tag, attrs in parsed.tags if tag == "img"]
    assert srcs == ["img/a.png"]  # the only image is the local one
    # a remote image becomes a plain link to it; nothing else with the marker is linked
    assert [href for href in hrefs if MARK in href] == [f"https://{MARK}.example/remote.png"]
    assert {"https://ok.example/a", "https://ok.example/auto", "mailto:a@ok.example"} <= set(hrefs)
    assert all(href.startswith(("https://", "mailto:")) for href in hrefs), hrefs
    page = render(tmp_path, "datasheet.html", body=Markup(body), body_lang="en", note=HOSTILE_TEXT[0])
    assert [attrs["src"] for tag, attrs in page.tags if tag == "img"] == ["img/a.png"]
