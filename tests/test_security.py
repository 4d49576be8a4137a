"""Security by kind: embedded files, one link filter, offline pages, pattern budget, citations, terminal, outputs."""

from __future__ import annotations

import html
import html.parser
import json
import os
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import xborder_data
from xborder_data.cli import cli
from xborder_data.errors import DescriptorError, UnsafePathError
from xborder_data.exports import export
from xborder_data.citing.cite import STYLES
from xborder_data.storage.links import is_local_url, is_safe_url, offline_page

MARK = "XSSMARK"
# Each disguise of a scheme that runs or embeds, with a marker the outputs must never carry.
HOSTILE_URLS = [
    f"javascript:{MARK}()",
    f"JaVaScRiPt:{MARK}()",
    f" javascript:{MARK}()",
    f"\x01javascript:{MARK}()",
    f"java\tscript:{MARK}()",
    f"&#106;avascript:{MARK}()",
    f"&#x6A;avascript&colon;{MARK}()",
    f"%6Aavascript:{MARK}()",
    f"data:text/html,{MARK}",
    f"vbscript:{MARK}",
    f"\u200bjavascript:{MARK}()",
]


def _rewrite(root: Path, edit: Any) -> None:
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    edit(descriptor)
    (root / "datapackage.json").write_text(json.dumps(descriptor, indent=2), encoding="utf-8")


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_the_filter_refuses_every_disguise(url: str) -> None:
    assert not is_safe_url(url)
    assert not is_local_url(url)


@pytest.mark.parametrize("url", ["https://example.org/a", "HTTP://x.org", "mailto:a@b.org", "tables/x.html", "#top", "../a.csv"])
def test_the_filter_keeps_what_is_safe(url: str) -> None:
    assert is_safe_url(url)


@pytest.mark.parametrize("url", ["https://example.org/a.png", "//example.org/a.png", "/\\example.org/a.png", "HTTPS://x/y"])
def test_nothing_remote_is_local(url: str) -> None:
    assert not is_local_url(url)


def _xlsx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as book:
        return "\n".join(html.unescape(book.read(name).decode("utf-8", "replace")) for name in book.namelist())


def _sqlite_text(path: Path) -> str:
    connection = sqlite3.connect(path)
    try:
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return "\n".join(
            str(value) for table in tables for row in connection.execute(f'SELECT * FROM "{table}"') for value in row
        )
    finally:
        connection.close()


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_no_output_carries_a_hostile_url(url: str, package_copy: Path, tmp_path: Path) -> None:
    def edit(descriptor: dict[str, Any]) -> None:
        descriptor["homepage"] = url
        descriptor["licenses"][0]["path"] = url
        descriptor.setdefault("sources", [{"title": "s"}])[0]["path"] = url

    _rewrite(package_copy, edit)
    package = xborder_data.open(package_copy)
    for style in STYLES:
        assert MARK not in package.citation(style), style
    out = tmp_path / "out"
    metadata = json.loads((Path(export(package, "datasette", out / "datasette")[-1]).parent / "metadata.json").read_text("utf-8"))
    for key in ("about_url", "license_url", "source_url"):
        assert key not in metadata
    assert MARK not in json.dumps(metadata)
    [book] = export(package, "xlsx", out / "xlsx")
    assert MARK not in _xlsx_text(Path(book))
    [database] = export(package, "sqlite", out / "sqlite")
    assert MARK not in _sqlite_text(Path(database))


class _Page(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.embeds: list[str] = []
        self.styles: list[str] = []
        self.csp: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "meta" and values.get("http-equiv", "").lower() == "content-security-policy":
            self.csp.append(values.get("content", ""))
        if "href" in values and tag in ("a", "area"):
            self.hrefs.append(values["href"])
        for name in ("src", "poster", "data", "background"):
            if name in values:
                self.embeds.append(values[name])
        if "srcset" in values:
            self.embeds += [c.strip().split(" ")[0] for c in values["srcset"].split(",") if c.strip()]
        if tag in ("link", "image", "use", "feimage") and ("href" in values or "xlink:href" in values):
            self.embeds.append(values.get("href") or values.get("xlink:href", ""))
        if "style" in values:
            self.styles.append(values["style"])
        self._in_style = tag == "style"

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False


def _check_offline(site: Path) -> None:
    import re

    pages = list(site.rglob("*.html"))
    assert pages
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert MARK not in text, page
        parser = _Page()
        parser.feed(text)
        assert len(parser.csp) == 1, page
        policy = parser.csp[0]
        assert "default-src 'self'" in policy and "img-src 'self' data:" in policy and "http" not in policy and "*" not in policy
        assert all(is_safe_url(href) for href in parser.hrefs), page
        assert all(is_local_url(src) for src in parser.embeds if src), (page, parser.embeds)
        for css in parser.styles + [text]:
            for inner in re.findall(r"url\(\s*([^)]*?)\s*\)", css):
                assert is_local_url(inner.strip("'\"")), (page, inner)
            assert "@import" not in css
    for css in site.rglob("*.css"):
        assert "@import" not in css.read_text(encoding="utf-8")
        assert all(is_local_url(u.strip("'\"")) for u in __import__("re").findall(r"url\(\s*([^)]*?)\s*\)", css.read_text("utf-8")))


def test_the_site_links_nothing_hostile_and_loads_nothing_remote(package_copy: Path, tmp_path: Path) -> None:
    pytest.importorskip("jinja2")
    from xborder_data.site import build_site

    def edit(descriptor: dict[str, Any]) -> None:
        descriptor["homepage"] = HOSTILE_URLS[0]
        template = descriptor["licenses"][0]
        descriptor["licenses"] = [{**template, "path": url} for url in HOSTILE_URLS]

    _rewrite(package_copy, edit)
    (package_copy / "DATASHEET.md").write_text(
        "# Sheet\n\n![remote](https://example.org/x.png) ![proto](//example.org/y.png) ![local](img/a.png)\n\n"
        "[bad](javascript:alert(1)) ![bad](data:image/svg+xml,BAD) ![bad](JaVaScRiPt:alert(2))\n",
        encoding="utf-8",
    )
    site = build_site(xborder_data.open(package_copy), tmp_path / "site").parent
    _check_offline(site)
    sheet = (site / "datasheet.html").read_text(encoding="utf-8")
    assert 'src="img/a.png"' in sheet  # a local image stays an image
    assert 'href="https://example.org/x.png"' in sheet  # a remote one becomes a plain link


def test_offline_page_empties_remote_embeds() -> None:
    page = (
        '<img src="https://e.org/a.png" srcset="a.png 1x, https://e.org/b.png 2x"><script src="//e.org/x.js"></script>'
        '<link rel="stylesheet" href="https://e.org/s.css"><div style="background: url(https://e.org/c.png)"></div>'
        '<style>@import "https://e.org/f.css"; @font-face { src: url("https://e.org/f.woff") }</style>'
    )
    parser = _Page()
    parser.feed(offline_page(page))
    assert all(not src or is_local_url(src) for src in parser.embeds)
    assert "e.org" not in offline_page(page)


# -- 1. embedded files go through the verified reader ------------------------------------------
def _site_cli(package: Path, outdir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "xborder_data", "site", str(outdir), "--package", str(package)],
        capture_output=True, text=True, timeout=300,
    )


@pytest.mark.parametrize(
    "data",
    [b"caf\xe9\n", b"\xff\xfeU\x00T\x00F\x00", b"ok\n" + b"\xc3\x28", b"\xed\xa0\x80 lone surrogate"],
    ids=["latin-1", "utf-16", "truncated", "surrogate"],
)
def test_a_datasheet_that_is_not_utf8_is_one_project_error_before_anything_is_written(data: bytes, package_copy: Path, tmp_path: Path) -> None:
    pytest.importorskip("jinja2")
    from xborder_data.site import build_site

    (package_copy / "DATASHEET.md").write_bytes(data)
    out = tmp_path / "site"
    with pytest.raises(DescriptorError, match=r"DATASHEET\.md.*UTF-8"):
        build_site(xborder_data.open(package_copy), out)
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pkg"]  # no staging folder left either
    result = _site_cli(package_copy, out)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and "UnicodeDecodeError" not in result.stderr
    assert "DATASHEET.md" in result.stderr and "UTF-8" in result.stderr
    assert not out.exists()


def test_a_datasheet_symlinked_out_of_the_package_is_refused(package_copy: Path, tmp_path: Path) -> None:
    pytest.importorskip("jinja2")
    from xborder_data.site import build_site

    secret = tmp_path / "secret.md"
    secret.write_text("# secret\n", encoding="utf-8")
    (package_copy / "DATASHEET.md").symlink_to(secret)
    out = tmp_path / "site"
    with pytest.raises(UnsafePathError):
        build_site(xborder_data.open(package_copy), out)
    assert not out.exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_datasheet_that_is_a_fifo_or_too_big_is_refused(package_copy: Path, tmp_path: Path) -> None:
    pytest.importorskip("jinja2")
    from xborder_data.site import build_site
    from xborder_data.storage import reading

    os.mkfifo(package_copy / "DATASHEET.md")
    with pytest.raises(DescriptorError, match="not a regular file"):
        build_site(xborder_data.open(package_copy), tmp_path / "site")
    (package_copy / "DATASHEET.md").unlink()
    (package_copy / "DATASHEET.md").write_bytes(b"x" * (reading.TEXT_LIMIT + 1))
    with pytest.raises(DescriptorError, match="more than"):
        build_site(xborder_data.open(package_copy), tmp_path / "site")
    assert not (tmp_path / "site").exists()


# -- 3. a pattern has one budget per (table, field) ------------------------------------------------
@pytest.mark.parametrize("pattern", ["(?:(?:a|a)*b|.*)", "(?:(?:a|a)*c|[a-z0-9]*)"])
def test_a_slow_pattern_exhausts_one_budget_per_table_not_one_per_cell(tmp_path: Path, pattern: str) -> None:
    import time

    from conftest import write_package
    from xborder_data.tableschema import table

    schema = {"fields": [{"name": "id"}, {"name": "v", "constraints": {"pattern": pattern}}]}
    rows = b"".join(b"r%d,%s\n" % (i, b"a" * (28 + i % 5) + str(i).encode()) for i in range(400))
    root = write_package(tmp_path, {"t": (b"id,v\n" + rows, schema)})
    started = time.monotonic()
    with pytest.raises(DescriptorError, match="too slow") as caught:
        xborder_data.open(root).records("t")
    assert time.monotonic() - started < table.PATTERN_BUDGET_SECONDS + 8
    message = str(caught.value)
    assert "'t'" in message and "'v'" in message and repr(pattern) in message
    assert caught.value.resource == "t" and caught.value.field_name == "v"


def test_no_cell_is_matched_twice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import regex

    from conftest import write_package

    calls: list[str] = []
    original = regex.compile

    class Counting:
        def __init__(self, compiled: Any) -> None:
            self.compiled = compiled

        def fullmatch(self, value: str, **kwargs: Any) -> Any:
            calls.append(value)
            return self.compiled.fullmatch(value, **kwargs)

    monkeypatch.setattr(regex, "compile", lambda pattern, *a, **k: Counting(original(pattern, *a, **k)))
    schema = {"fields": [{"name": "id"}, {"name": "v", "constraints": {"pattern": "[a-z]+"}}]}
    rows = b"".join(b"r%d,v%s\n" % (i, b"abcdefghij"[i % 10 : i % 10 + 1] * (i + 1)) for i in range(50)) + b"r99,BAD\n"
    root = write_package(tmp_path, {"t": (b"id,v\n" + rows, schema)})
    with pytest.raises(xborder_data.BadCellError, match="does not match the pattern"):
        xborder_data.open(root).records("t")
    assert len(calls) == len(set(calls)), "a cell was matched twice"


# -- 4. citations parse back as one entry with the same text ---------------------------------------
CRAFTED = [
    "plain title",
    "a}b{c",
    "}} @misc{evil, title={x}",
    "back\\slash \\textbf{x} \\",
    "line one\n@misc{evil,\n  title = {owned}\n}",
    "ris\nER  - \nTY  - JOUR\nTI  - injected",
    "carriage\r\nreturn\rand\x0bvertical\u2028separator",
    "{@}\\textbraceleft{} literal escapes",
    "unbalanced {{{ braces",
    "50% off & #1 for $5: a_b^c ~ d",
    "C1 \x9b31m and bidi \u202eevil\u202c, zero\u200bwidth, tag \U000e0041",
]


def _bibtex_unescape(text: str) -> str:
    """Read a BibTeX value as LaTeX prints it, with pylatexenc (LaTeX's text macros added by their standard meaning)."""
    from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

    context = get_default_latex_context_db()
    context.add_context_category("text-symbols", prepend=True, macros=[
        MacroTextSpec("textbraceleft", "{"), MacroTextSpec("textbraceright", "}"), MacroTextSpec("textbackslash", "\\"),
        MacroTextSpec("textasciicircum", "^"), MacroTextSpec("textasciitilde", "~"),
    ])
    return LatexNodes2Text(latex_context=context, math_mode="verbatim", strict_latex_spaces=True).latex_to_text(text)


def _bibtex_entries(text: str) -> list[dict[str, str]]:
    import bibtexparser

    if hasattr(bibtexparser, "parse_string"):  # bibtexparser 2
        library = bibtexparser.parse_string(text)
        assert not library.failed_blocks, library.failed_blocks
        return [{f.key: f.value for f in entry.fields} for entry in library.entries]
    return bibtexparser.loads(text).entries  # pragma: no cover - bibtexparser 1


def _one_line(text: str) -> str:
    from xborder_data.citing.cite import one_line

    return one_line(text)


@pytest.mark.parametrize("crafted", CRAFTED)
def test_citations_are_one_entry_with_the_same_text(crafted: str, package_copy: Path) -> None:
    import rispy

    def edit(descriptor: dict[str, Any]) -> None:
        descriptor["title"] = crafted
        descriptor["licenses"][0]["name"] = crafted
        for contributor in descriptor.get("contributors", []):
            contributor["title"] = crafted

    _rewrite(package_copy, edit)
    package = xborder_data.open(package_copy)
    [entry] = _bibtex_entries(package.citation("bibtex"))
    title = entry["title"]
    assert title.startswith("{") and title.endswith("}")
    assert _bibtex_unescape(title[1:-1]) == _one_line(crafted)
    assert _bibtex_unescape(entry["note"]).endswith(_one_line(crafted))
    [record] = rispy.loads(package.citation("ris"))
    assert record["title"] == _one_line(crafted).strip()
    assert record["type_of_reference"] == "DATA"
    [item] = json.loads(package.citation("csl-json"))
    assert item["title"] == crafted
    assert item["note"].endswith(crafted)
    # Through the CLI too: what the terminal escaping leaves must still parse.
    for style in ("csl-json", "ris", "bibtex"):
        result = CliRunner().invoke(cli, ["--package", str(package_copy), "cite", "-s", style])
        assert result.exit_code == 0, result.output
        if style == "csl-json":
            assert json.loads(result.output)[0]["title"] == crafted
        elif style == "ris":
            assert rispy.loads(result.output)[0]["title"] == _one_line(crafted).strip()
        else:
            [again] = _bibtex_entries(result.output)
            assert _bibtex_unescape(again["title"][1:-1]) == _one_line(crafted)


def test_each_creator_is_one_author_in_every_style(package_copy: Path) -> None:
    import rispy

    names = ["Research and Development Team", "Li, Wei", "{Braced} Group"]

    def edit(descriptor: dict[str, Any]) -> None:
        descriptor["contributors"] = [{"title": name, "roles": ["creator"]} for name in names]

    _rewrite(package_copy, edit)
    package = xborder_data.open(package_copy)
    import bibtexparser
    from bibtexparser.middlewares import SeparateCoAuthors

    # bibtexparser's own splitter reads authors as BibTeX does: on a top-level " and ".
    library = bibtexparser.parse_string(package.citation("bibtex"), append_middleware=[SeparateCoAuthors()])
    [entry] = library.entries
    assert [_bibtex_unescape(author) for author in entry["author"]] == names
    assert rispy.loads(package.citation("ris"))[0]["authors"] == names
    assert [a["literal"] for a in json.loads(package.citation("csl-json"))[0]["author"]] == names


# -- 5. every metadata value a command prints is escaped --------------------------------------------
# Controls, a bidi override, and the invisible kind (Arabic letter mark, line separator,
# zero-width space, BOM, a tag character).
INVISIBLE_CHARS = "\u061c\u2028\u200b\ufeff\U000e0041"
HOSTILE_TEXT = "\x1b[2J\x1b]0;title\x07\x9b31m\u202e" + INVISIBLE_CHARS


@pytest.mark.parametrize(
    "args",
    [
        ["info"], ["verify"], ["validate"], ["validate", "--verbose"], ["list"],
        ["cite"], ["cite", "-s", "bibtex"], ["cite", "-s", "apa"], ["cite", "-s", "ris"], ["cite", "-s", "csl-json"],
        ["show", "sources", "-n", "2"], ["export", "csv", "OUT"], ["export", "xlsx", "OUT"], ["site", "OUT"],
    ],
    ids=lambda args: "-".join(a for a in args if a != "OUT"),
)
def test_no_command_prints_raw_control_characters_from_metadata(args: list[str], package_copy: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from xborder_data.cli import cli

    def edit(descriptor: dict[str, Any]) -> None:
        descriptor["version"] = "1.2.0" + HOSTILE_TEXT
        descriptor["title"] = "Title" + HOSTILE_TEXT
        descriptor["description"] = "About" + HOSTILE_TEXT
        descriptor["licenses"][0]["name"] = "Licence" + HOSTILE_TEXT

    _rewrite(package_copy, edit)
    args = [str(tmp_path / "out") if a == "OUT" else a for a in args]
    result = CliRunner().invoke(cli, [*args, "--package", str(package_copy)], prog_name="xborder-data")
    output = result.output + (result.stderr if result.stderr_bytes is not None else "")
    for char in "\x1b\x07\x9b\u202e" + INVISIBLE_CHARS:
        assert char not in output, (args, char, result.output)
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.exception


# -- 7. concurrent sites, and never into the package ------------------------------------------------
def test_of_two_concurrent_forced_site_builds_exactly_one_wins(package_copy: Path, tmp_path: Path) -> None:
    pytest.importorskip("jinja2")
    from xborder_data.site import build_site
    from xborder_data.storage.staging import MARKER

    out = tmp_path / "out" / "site"
    build_site(xborder_data.open(package_copy), out)
    command = [sys.executable, "-m", "xborder_data", "site", str(out), "--force", "--package", str(package_copy)]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(run.wait(timeout=300), *run.communicate()) for run in runs]
    codes = sorted(code for code, _, _ in results)
    assert codes[0] == 0 and codes[1] != 0, results
    loser = next(err for code, _, err in results if code != 0)
    assert "Traceback" not in loser and "another run" in loser
    assert sorted(p.name for p in out.parent.iterdir()) == ["site"]  # no staging, no replaced copy left
    assert (out / MARKER).is_file() and (out / "index.html").is_file()


@pytest.mark.parametrize("where", ["PKG", "PKG/data", "PKG/..", "PKG/../.."])
@pytest.mark.parametrize("fmt", ["csv", "json", "sqlite", "datasette", "site"])
def test_no_output_goes_into_the_package_or_a_folder_holding_it(where: str, fmt: str, package_copy: Path) -> None:
    from xborder_data.errors import UnsafeOutputError

    package = xborder_data.open(package_copy)
    target = Path(where.replace("PKG", str(package_copy)))
    before = sorted(str(p) for p in package_copy.rglob("*"))
    with pytest.raises(UnsafeOutputError):
        if fmt == "site":
            pytest.importorskip("jinja2")
            from xborder_data.site import build_site

            build_site(package, target, force=True)
        else:
            export(package, fmt, target, force=True)
    assert sorted(str(p) for p in package_copy.rglob("*")) == before


def test_the_terminal_escapes_exactly_the_invisible_categories() -> None:
    """Against unicodedata: every control, format, separator and surrogate is escaped; nothing else is
    (code points a later Unicode assigns as format characters may be escaped already)."""
    import sys
    import unicodedata

    from xborder_data.terminal import printable

    for code in range(sys.maxunicode + 1):
        char = chr(code)
        category = unicodedata.category(char)
        escaped = printable(char) != char
        if category in ("Cc", "Cf", "Zl", "Zp", "Cs"):
            assert escaped, hex(code)
        elif escaped:
            assert category == "Cn", (hex(code), category)
