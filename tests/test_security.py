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
from xborder_data.urls import is_local_url, is_safe_url

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
    f"//{MARK}.example/x",  # another host, without a scheme (from a file:// page, an SMB share)
    f"/\\{MARK}.example/x",
    f"\\\\{MARK}.example\\x",
]


def _rewrite(root: Path, edit: Any) -> None:
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    edit(descriptor)
    (root / "datapackage.json").write_text(json.dumps(descriptor, indent=2), encoding="utf-8")


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_the_filter_refuses_every_disguise(url: str) -> None:
    assert not is_safe_url(url)
    assert not is_local_url(url)


@pytest.mark.parametrize("url", ["https://example.org/a", "HTTP://x.org", "mailto:a@b.org", "tables/x.html", "#top", "../a.csv", "/a/b"])
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


def _hostile_descriptor(descriptor: dict[str, Any], urls: list[str]) -> None:
    """Every place a descriptor holds a URL: the package's, a resource's, licences, sources, contributors.

    With one URL, it is in every place; with several, every list carries them all, resource i holds URL i,
    and the package's single places hold the first ones.
    """
    descriptor["homepage"] = urls[0]
    descriptor["image"] = urls[1 % len(urls)]
    descriptor["x-docs-url"] = urls[2 % len(urls)]  # a custom key named like a URL
    descriptor["licenses"] = [{**descriptor["licenses"][0], "path": url} for url in urls]
    descriptor["sources"] = [{"title": "s", "path": url} for url in urls]
    descriptor["contributors"] = [{"title": "c", "roles": ["creator"], "path": url, "email": url} for url in urls]
    assert len(descriptor["resources"]) >= len(urls)
    for resource, url in zip(descriptor["resources"], urls):
        resource["homepage"] = url
        resource["sources"] = [{"title": "s", "path": url}]
        resource["licenses"] = [{"name": "x", "path": url}]
        resource["rdfType"] = url


def _no_mark_in_json_datasette_and_citations(package: xborder_data.Package, out: Path) -> None:
    for style in STYLES:
        assert MARK not in package.citation(style), style
    written = export(package, "json", out / "json")
    assert all(MARK not in Path(path).read_text(encoding="utf-8") for path in written)
    metadata = json.loads((Path(export(package, "datasette", out / "datasette")[-1]).parent / "metadata.json").read_text("utf-8"))
    for key in ("about_url", "license_url", "source_url"):
        assert key not in metadata
    assert MARK not in json.dumps(metadata)


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_no_output_carries_a_hostile_url(url: str, package_copy: Path, tmp_path: Path) -> None:
    # Each disguise in every place, through each output that reads a place of its own (citations,
    # datasette's about, licence and source URLs) and the JSON export's filter of the whole descriptor.
    _rewrite(package_copy, lambda descriptor: _hostile_descriptor(descriptor, [url]))
    _no_mark_in_json_datasette_and_citations(xborder_data.open(package_copy), tmp_path / "out")


def test_no_workbook_or_database_carries_a_hostile_url(package_copy: Path, tmp_path: Path) -> None:
    # The xlsx and SQLite exports write the descriptor through the same filter (urls.safe_descriptor), which
    # reads every URL key at any depth: one copy holding every disguise in every kind of place checks them.
    _rewrite(package_copy, lambda descriptor: _hostile_descriptor(descriptor, HOSTILE_URLS))
    package = xborder_data.open(package_copy)
    out = tmp_path / "out"
    _no_mark_in_json_datasette_and_citations(package, out)
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


def test_the_site_links_nothing_hostile_and_loads_nothing_remote(package_copy: Path, tmp_path: Path, pages_only: None) -> None:
    # pages_only: the descriptor's URLs reach the pages, not the charts drawn from rows or the exports
    # (test_no_output_carries_a_hostile_url reads those).
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
    assert "javascript:" not in (site / "index.html").read_text(encoding="utf-8").lower()  # the licence links
    sheet = (site / "datasheet.html").read_text(encoding="utf-8")
    assert 'src="img/a.png"' in sheet  # a local image stays an image
    assert 'href="https://example.org/x.png"' in sheet  # a remote one becomes a plain link


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
def _one_budget(timeouts: list[float | None], values: int, tables: int = 1) -> None:
    """Each `regex` match was handed what is left of one budget, never a fresh one (no wall clock read)."""
    from xborder_data.tableschema.rules import PATTERN_BUDGET_SECONDS, PATTERN_SECONDS_PER_VALUE, TABLE_SECONDS

    assert timeouts and all(isinstance(t, float) and t > 0 for t in timeouts), timeouts
    assert max(timeouts) <= PATTERN_BUDGET_SECONDS + TABLE_SECONDS * tables + PATTERN_SECONDS_PER_VALUE * values, timeouts
    # A later match gets at most a table's allowance more (a new read), never the base budget again.
    assert all(later - earlier < PATTERN_BUDGET_SECONDS / 2 for earlier, later in zip(timeouts, timeouts[1:])), timeouts


@pytest.mark.parametrize("pattern", ["(?:(?:a|a)*b|.*)", "(?:(?:a|a)*c|[a-z0-9]*)"])
def test_a_slow_pattern_exhausts_one_budget_per_table_not_one_per_cell(tmp_path: Path, pattern: str, regex_timeouts: list[float | None]) -> None:
    from conftest import write_package

    schema = {"fields": [{"name": "id"}, {"name": "v", "constraints": {"pattern": pattern}}]}
    rows = b"".join(b"r%d,%s\n" % (i, b"a" * (28 + i % 5) + str(i).encode()) for i in range(400))
    root = write_package(tmp_path, {"t": (b"id,v\n" + rows, schema)})
    with pytest.raises(DescriptorError, match="too slow") as caught:
        xborder_data.open(root).records("t")
    _one_budget(regex_timeouts, 400)
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
_RACE = r"""
import os, sys
from xborder_data.site import build
from xborder_data.cli import main

ready, go = int(sys.argv[1]), int(sys.argv[2])
identity = build.folder_identity

def folder_identity(target):
    seen = identity(target)  # what the folder is when this build begins
    os.write(ready, b"1")
    os.close(ready)
    os.read(go, 1)  # both runs have looked before either places: a race on every machine, loaded or not
    return seen

def write(package, site, datasheet=None, datasheet_zh=None):  # the pages are not what this test is about
    (site / "index.html").write_text("<p>site</p>", encoding="utf-8")
    return site / "index.html"

build.folder_identity, build._write_site = folder_identity, write
sys.argv = ["xborder-data", *sys.argv[3:]]
main()
"""


def test_of_two_concurrent_forced_site_builds_exactly_one_wins(package_copy: Path, tmp_path: Path, fake_site: None) -> None:
    pytest.importorskip("jinja2")
    from xborder_data.site import build_site
    from xborder_data.storage.staging import MARKER

    out = tmp_path / "out" / "site"
    build_site(xborder_data.open(package_copy), out)
    ready_in, ready_out = os.pipe()
    go_in, go_out = os.pipe()
    command = [sys.executable, "-c", _RACE, str(ready_out), str(go_in), "site", str(out), "--force", "--package", str(package_copy)]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, pass_fds=(ready_out, go_in))
            for _ in range(2)]
    os.close(ready_out)
    os.close(go_in)
    seen = b""
    while len(seen) < 2 and (chunk := os.read(ready_in, 2)):  # empty once both runs closed their end
        seen += chunk
    os.write(go_out, b"11")
    os.close(go_out)
    os.close(ready_in)
    results = [(run.wait(timeout=300), *run.communicate()) for run in runs]
    assert seen == b"11", results
    codes = sorted(code for code, _, _ in results)
    assert codes[0] == 0 and codes[1] != 0, results
    loser = next(err for code, _, err in results if code != 0)
    assert "Traceback" not in loser and "another run" in loser
    assert sorted(p.name for p in out.parent.iterdir()) == ["site"]  # no staging, no replaced copy left
    assert (out / MARKER).is_file() and (out / "index.html").is_file()


@pytest.mark.parametrize("where", ["PKG", "PKG/data", "PKG/schemas", "PKG/data/sub", "PKG/..", "PKG/../.."])
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


# -- 3. hostile patterns: a budget per table, a bound on compiling ------------------------------------
def _set_patterns(root: Path, resource: str, pattern: str, fields: int | None = None) -> list[str]:
    """Give ``fields`` string fields of ``resource`` (all when None) ``pattern``; return their names."""
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    entry = next(r for r in descriptor["resources"] if r["name"] == resource)
    schema_path = root / entry["schema"]
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    names = []
    for item in schema["fields"]:
        if item["type"] == "string" and (fields is None or len(names) < fields):
            item.setdefault("constraints", {})["pattern"] = pattern
            names.append(item["name"])
    schema_path.write_text(json.dumps(schema), encoding="utf-8")
    return names


def _slow_rows(root: Path, resource: str, names: list[str], rows: int) -> None:
    import csv as csv_module
    import io

    path = root / "data" / f"{resource}.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv_module.DictReader(handle)
        header, first = list(reader.fieldnames or []), next(reader)
    out = io.StringIO()
    writer = csv_module.DictWriter(out, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    for number in range(rows):
        # Distinct cells, each just fast enough alone: 'a' * 22 then a digit the pattern rejects late.
        writer.writerow({**first, **{name: "a" * 22 + str(number) for name in names}})
    path.write_text(out.getvalue(), encoding="utf-8")


def _refresh(root: Path) -> None:
    from tools.maintain import refresh

    refresh(root)


def test_slow_patterns_share_one_budget_per_table(package_copy: Path, regex_timeouts: list[float | None]) -> None:
    names = _set_patterns(package_copy, "errata", "(?:(?:a|a)*b|.*)")
    assert len(names) >= 3
    _slow_rows(package_copy, "errata", names, 40)
    _refresh(package_copy)
    package = xborder_data.open(package_copy)
    for read in (package.records, package.load):
        with pytest.raises(DescriptorError, match="pattern"):
            read("errata")
    # One budget per table, not one per field (each read may also read the tables errata refers to).
    _one_budget(regex_timeouts, 40 * len(names) * 2, tables=2 * len(package.resources()))


@pytest.mark.parametrize("pattern", ["((((a{100}){100}){100}){100})", "(x{1000}){1000}", "a{2000000}"])
def test_a_pattern_that_would_compile_to_gigabytes_is_refused_first(pattern: str, package_copy: Path) -> None:
    _set_patterns(package_copy, "errata", pattern, fields=1)
    _refresh(package_copy)
    result = subprocess.run(
        [sys.executable, "-c", f"import xborder_data; xborder_data.open({str(package_copy)!r}).records('errata')"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0 and "DescriptorError" in result.stderr and "counted repeats" in result.stderr


def test_validate_does_not_hand_a_backtracking_pattern_to_frictionless(package_copy: Path) -> None:
    # Fast in the loader's engine, exponential in re: validate must still finish.
    names = _set_patterns(package_copy, "errata", "(?:a+)+b|.*", fields=1)
    _slow_rows(package_copy, "errata", names, 3)
    _refresh(package_copy)
    result = subprocess.run(
        [sys.executable, "-c", f"import xborder_data; r = xborder_data.open({str(package_copy)!r}).validate(); print(r.valid)"],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr


# -- 1. descriptors: no lone surrogate, no nesting that exhausts recursion ---------------------------
@pytest.mark.parametrize("case", ["surrogate-title", "surrogate-key", "deep"])
def test_descriptors_that_no_output_could_carry_are_refused_on_open(case: str, package_copy: Path) -> None:
    path = package_copy / "datapackage.json"
    text = path.read_text(encoding="utf-8")
    if case == "surrogate-title":
        text = text.replace('"title": "', '"title": "\\ud800', 1)
    elif case == "surrogate-key":
        text = text.replace("{", '{"x\\udc00": 1, ', 1)
    else:
        text = text.replace("{", '{"deep": ' + "[" * 600 + "]" * 600 + ", ", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DescriptorError):
        xborder_data.open(package_copy)
    result = CliRunner().invoke(cli, ["--package", str(package_copy), "info"])
    assert result.exit_code != 0 and "Traceback" not in result.output


# -- 7. single output files: never over the package's files, checked where they are written ----------
@pytest.mark.parametrize("target", ["data/stages.csv", "data/new.csv", "datapackage.json", "schemas/stages.json", "DATASHEET.md", "."])
def test_the_panel_is_never_written_over_the_package(target: str, package_copy: Path) -> None:
    before = {p: p.read_bytes() for p in package_copy.rglob("*") if p.is_file()}
    result = CliRunner().invoke(cli, ["--package", str(package_copy), "panel", "--start", "2015", "--end", "2016",
                                      "-o", str(package_copy / target), "--force"])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert {p: p.read_bytes() for p in package_copy.rglob("*") if p.is_file()} == before


def test_an_output_through_a_symlink_and_dotdot_is_checked_where_it_is_written(package_copy: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere" / "deeper"
    elsewhere.mkdir(parents=True)
    (package_copy / "link").symlink_to(elsewhere)
    before = sorted(p.name for p in package_copy.iterdir())
    written = export(xborder_data.open(package_copy), "json", package_copy / "link" / ".." / "jsonout")
    assert sorted(p.name for p in package_copy.iterdir()) == before  # nothing landed in the package
    assert all(Path(p).resolve().is_relative_to(elsewhere.parent) for p in written)


def test_the_generated_data_dictionary_carries_no_link_image_or_html_from_metadata(package_copy: Path) -> None:
    from tools.maintain import data_dictionary

    hostile = (f"[click](javascript:{MARK}()) ![i](https://{MARK}.example/i.png) <img src=x onerror={MARK}> <https://{MARK}.example> a|b "
               f"\\[p\\](//{MARK}.example/x)")
    schema_path = package_copy / "schemas" / "stages.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema["fields"][0]["description"] = hostile
    schema["fields"][0]["title"] = hostile
    schema_path.write_text(json.dumps(schema), encoding="utf-8")
    descriptor = json.loads((package_copy / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"][0]["description"] = hostile
    text = data_dictionary(package_copy, descriptor)
    import markdown_it

    rendered = markdown_it.MarkdownIt().enable("table").render(text)  # a CommonMark parser as the oracle
    parser = _Page()
    parser.feed(rendered)
    assert not [h for h in parser.hrefs if MARK in h] and not [e for e in parser.embeds if MARK in e]
    assert "<img" not in rendered and f"{MARK}.example/i.png" not in " ".join(parser.embeds)


def test_the_maintainer_tool_reads_no_file_outside_the_package(package_copy: Path, tmp_path: Path) -> None:
    from tools.maintain import refreshed_descriptor

    secret = tmp_path / "secret.csv"
    secret.write_text("x\n", encoding="utf-8")
    (package_copy / "data" / "stages.csv").unlink()
    (package_copy / "data" / "stages.csv").symlink_to(secret)
    with pytest.raises(UnsafePathError):
        refreshed_descriptor(package_copy)


# -- round three, second pass: the kinds again, in other disguises -----------------------------------
@pytest.mark.parametrize("kind", ["fifo", "symlink"])
def test_force_replaces_only_regular_files(kind: str, tmp_path: Path) -> None:
    target = tmp_path / "panel.csv"
    if kind == "fifo":
        os.mkfifo(target)
    else:
        (tmp_path / "elsewhere.txt").write_text("keep", encoding="utf-8")
        target.symlink_to(tmp_path / "elsewhere.txt")
    result = CliRunner().invoke(cli, ["panel", "--start", "2015", "--end", "2016", "-o", str(target), "--force"])
    assert result.exit_code != 0 and "not a regular file" in result.output and "Traceback" not in result.output
    assert (target.is_fifo() if kind == "fifo" else target.is_symlink())
    if kind == "symlink":
        assert (tmp_path / "elsewhere.txt").read_text(encoding="utf-8") == "keep"


@pytest.mark.parametrize("pattern", [
    "(?x)((((a{ 100 }){ 100 }){ 100 }){ 100 })|.*",
    "(?x)(a # )\n{100}){100}){100}",
    "(?x)((((a{1 0 0}){1 0 0}){1 0 0}){1 0 0})|.*",  # verbose mode reads '1 0 0' as 100
    "(?V1x)#[\n((((a{100}){100}){100}){100})|.*\n]",  # a version flag, then a comment hiding the repeats
    "(?i)a(?#[)((((a{100}){100}){100}){100})",
])
def test_flags_and_comments_cannot_hide_counted_repeats(pattern: str, package_copy: Path) -> None:
    from xborder_data.tableschema.descriptor import has_inline_flags

    assert has_inline_flags(pattern)
    _set_patterns(package_copy, "errata", pattern, fields=1)
    _refresh(package_copy)
    result = subprocess.run(
        [sys.executable, "-c", f"import xborder_data; xborder_data.open({str(package_copy)!r})"],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode != 0 and "DescriptorError" in result.stderr and "inline flag" in result.stderr


@pytest.mark.parametrize("pattern", ["^[a-z][a-z0-9_]*$", "^(?:ab|cd)+$", "^(?P<y>[0-9]{4})-(?P=y)$", "(?<=a)b", "\\(\\?x\\)", "[(?x)]"])
def test_ordinary_patterns_have_no_inline_flags(pattern: str) -> None:
    from xborder_data.tableschema.descriptor import PATTERN_SIZE_LIMIT, has_inline_flags, pattern_size

    assert not has_inline_flags(pattern) and pattern_size(pattern) < PATTERN_SIZE_LIMIT


def test_the_maintainer_tool_never_writes_through_a_symlink(package_copy: Path, tmp_path: Path) -> None:
    from tools.maintain import refresh

    victim = tmp_path / "victim.txt"
    victim.write_text("untouched", encoding="utf-8")
    (package_copy / "docs").mkdir()
    (package_copy / "docs" / "data-dictionary.md").symlink_to(victim)
    refresh(package_copy)
    assert victim.read_text(encoding="utf-8") == "untouched"
    assert not (package_copy / "docs" / "data-dictionary.md").is_symlink()


def test_the_maintainer_tool_reads_no_schema_outside(package_copy: Path, tmp_path: Path) -> None:
    from tools.maintain import data_dictionary

    outside = tmp_path / "outside.json"
    outside.write_text((package_copy / "schemas" / "stages.json").read_text(encoding="utf-8"), encoding="utf-8")
    descriptor = json.loads((package_copy / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"][0]["schema"] = "../outside.json"
    with pytest.raises(UnsafePathError):
        data_dictionary(package_copy, descriptor)


def test_a_panel_workbook_never_holds_a_formula(package_copy: Path, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    _edit_rows(package_copy, "pilot_zones", lambda rows: [dict(rows[0], name_en='=HYPERLINK("javascript:alert(1)","click")'), *rows[1:]])
    _refresh(package_copy)
    for extra in ([], ["--balanced"]):
        target = tmp_path / f"p{len(extra)}.xlsx"
        result = CliRunner().invoke(cli, ["--package", str(package_copy), "panel", "--start", "2015", "--end", "2016", *extra,
                                          "--format", "xlsx", "-o", str(target)])
        assert result.exit_code == 0, result.output
        sheet = openpyxl.load_workbook(target).active
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_the_panel_escapes_metadata_on_a_terminal(package_copy: Path) -> None:
    import pty

    _edit_rows(package_copy, "pilot_zones", lambda rows: [dict(rows[0], name_en="Hang\x1b]0;PWNED\x07\x1b[31mzhou\u202e"), *rows[1:]])
    _refresh(package_copy)
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "xborder_data", "--package", str(package_copy), "panel", "--start", "2015", "--end", "2015"],
        stdout=follower, stderr=subprocess.PIPE,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=60)
    os.close(leader)
    shown = b"".join(chunks).decode("utf-8", "replace")
    assert "Hang" in shown and "\x1b" not in shown and "\x07" not in shown and "\u202e" not in shown


def test_an_edited_datasheet_is_reported_by_verify(tmp_path: Path) -> None:
    import shutil

    from conftest import REPO

    copy = tmp_path / "pkg"
    copy.mkdir()
    for name in ("datapackage.json", "DATASHEET.md"):
        shutil.copy2(REPO / name, copy / name)
    shutil.copytree(REPO / "data", copy / "data")
    shutil.copytree(REPO / "schemas", copy / "schemas")
    assert xborder_data.open(copy).compare_with_release().identical
    with (copy / "DATASHEET.md").open("a", encoding="utf-8") as handle:
        handle.write("\n![x](https://evil.example/x.png)\n")
    comparison = xborder_data.open(copy).compare_with_release()
    assert comparison.changed == ["DATASHEET.md"] and not comparison.identical
    (copy / "DATASHEET.md").unlink()  # a copy without the datasheet is not missing a data file
    assert xborder_data.open(copy).compare_with_release().identical


@pytest.mark.parametrize("fmt", ["csv", "json", "sqlite", "site"])
def test_a_folder_beside_the_data_in_a_clone_takes_an_output(fmt: str, package_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As in a clone, where the package is the repository: `out/` and `site-out/` are the README's own examples."""
    package = xborder_data.open(package_copy)
    before = {p: p.read_bytes() for p in package_copy.rglob("*") if p.is_file()}
    target = package_copy / ("site-out" if fmt == "site" else "out")
    if fmt == "site":
        pytest.importorskip("jinja2")
        from xborder_data.site import build_site, figures_chart, pilot_zone_charts, timeline_chart, trade_chart

        # The downloads are exported inside the clone too, for real; drawing a chart writes no file.
        for module in (figures_chart, pilot_zone_charts, timeline_chart, trade_chart):
            monkeypatch.setattr(module, "render_svg", lambda spec, **_: '<svg xmlns="http://www.w3.org/2000/svg"></svg>')
        build_site(package, target)
    else:
        export(package, fmt, target)
    after = {p: p.read_bytes() for p in package_copy.rglob("*") if p.is_file() and target not in p.parents}
    assert after == before



# -- a crafted package missing what a command reads: one error, never a traceback ---------------------
def _drop_field(root: Path, resource: str, field: str) -> None:
    import csv as csv_module
    import io

    schema_path = root / "schemas" / f"{resource}.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    schema["fields"] = [f for f in schema["fields"] if f["name"] != field]
    for key in ("primaryKey",):
        if schema.get(key) == [field] or schema.get(key) == field:
            schema.pop(key)
    schema["foreignKeys"] = [fk for fk in schema.get("foreignKeys", []) if field not in fk["fields"]]
    schema_path.write_text(json.dumps(schema), encoding="utf-8")
    path = root / "data" / f"{resource}.csv"
    rows = list(csv_module.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    out = io.StringIO()
    writer = csv_module.DictWriter(out, fieldnames=[n for n in rows[0] if n != field], lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    # Other tables' keys into the dropped field go too, so the copy stays valid.
    for other in (root / "schemas").glob("*.json"):
        data = json.loads(other.read_text(encoding="utf-8"))
        kept = [fk for fk in data.get("foreignKeys", []) if not (fk["reference"]["resource"] == resource and field in fk["reference"]["fields"])]
        if kept != data.get("foreignKeys", []):
            data["foreignKeys"] = kept
            other.write_text(json.dumps(data), encoding="utf-8")


@pytest.mark.parametrize(("resource", "field", "args"), [
    ("pilot_zones", "prefecture_adcode", ["panel", "--start", "2015", "--end", "2016", "--level", "prefecture"]),
    ("pilot_zones", "batch", ["panel", "--start", "2015", "--end", "2016"]),
    ("pilot_zone_batches", "approval_year", ["panel", "--start", "2015", "--end", "2016", "--balanced"]),
    ("units", "level", ["export", "sqlite", "OUT"]),
    ("units", "level", ["export", "dta", "OUT"]),
    ("claims", "status", ["cite", "stages", "1.0"]),
    ("evidence", "stance", ["cite", "stages", "1.0"]),
    ("sources", "title", ["cite", "stages", "1.0"]),
])
def test_a_missing_field_is_one_error_naming_it(resource: str, field: str, args: list[str], package_copy: Path, tmp_path: Path) -> None:
    _drop_field(package_copy, resource, field)
    _refresh(package_copy)
    args = [str(tmp_path / "out") if a == "OUT" else a for a in args]
    result = CliRunner().invoke(cli, ["--package", str(package_copy), *args])
    assert result.exit_code != 0 and result.exception is not None and isinstance(result.exception, SystemExit), result.exception
    assert field in result.output and resource in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_a_nul_in_any_metadata_string_is_refused_on_open(package_copy: Path) -> None:
    schema_path = package_copy / "schemas" / "claims.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    field = next(f for f in schema["fields"] if f.get("constraints", {}).get("enum"))
    field["constraints"]["enum"] = [*field["constraints"]["enum"], "x\u0000y"]
    schema_path.write_text(json.dumps(schema), encoding="utf-8")
    with pytest.raises(DescriptorError, match="NUL"):
        xborder_data.open(package_copy).records("claims")


def test_an_unknown_row_error_is_bounded(package_copy: Path) -> None:
    from xborder_data.errors import UnknownRowError

    with pytest.raises(UnknownRowError) as caught:
        xborder_data.open(package_copy).sources_for("stages", "x" * 100_000)
    assert len(str(caught.value)) < 2_000


def test_a_hard_linked_datasheet_is_published_only_when_it_is_the_releases(package_copy: Path, tmp_path: Path, pages_only: None) -> None:
    pytest.importorskip("jinja2")
    from conftest import REPO

    from xborder_data.site import build_site

    outside = tmp_path / "outside.md"
    outside.write_text("SECRET-FROM-OUTSIDE\n", encoding="utf-8")
    os.link(outside, package_copy / "DATASHEET.md")
    with pytest.raises(UnsafePathError, match="hard link"):
        build_site(xborder_data.open(package_copy), tmp_path / "site")
    assert not (tmp_path / "site").exists()
    (package_copy / "DATASHEET.md").unlink()
    released = tmp_path / "released.md"
    released.write_bytes((REPO / "DATASHEET.md").read_bytes())
    os.link(released, package_copy / "DATASHEET.md")  # as an installer linking from its cache would
    build_site(xborder_data.open(package_copy), tmp_path / "site")
    assert (tmp_path / "site" / "datasheet.html").is_file()


def test_many_patterns_share_one_size_budget(package_copy: Path) -> None:
    from xborder_data.tableschema.descriptor import PATTERN_SIZE_LIMIT, PATTERN_TOTAL_LIMIT

    schema_path = package_copy / "schemas" / "sources.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    strings = [f for f in schema["fields"] if f["type"] == "string"]
    size = PATTERN_SIZE_LIMIT * 9 // 10  # each alone is allowed
    count = PATTERN_TOTAL_LIMIT // size + 1
    assert len(strings) >= count
    for number, item in enumerate(strings[:count]):
        item.setdefault("constraints", {})["pattern"] = f"(?:[a-z]{{{size // 100}}}){{100}}|x{number}|.*"
    schema_path.write_text(json.dumps(schema), encoding="utf-8")
    with pytest.raises(DescriptorError, match="in all"):
        xborder_data.open(package_copy)


def _edit_rows(root: Path, resource: str, edit: Any) -> None:
    import csv as csv_module
    import io

    path = root / "data" / f"{resource}.csv"
    rows = list(csv_module.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    rows = edit(rows)
    out = io.StringIO()
    writer = csv_module.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def _edit_schema(root: Path, resource: str, edit: Any) -> None:
    path = root / "schemas" / f"{resource}.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    edit(schema)
    path.write_text(json.dumps(schema), encoding="utf-8")


@pytest.mark.parametrize("case", ["zone-in-unknown-prefecture", "unit-code-of-letters", "batch-typed-as-text"])
@pytest.mark.parametrize("args", [["panel", "--start", "2015", "--end", "2016", "--balanced"], ["export", "dta", "OUT"], ["export", "sqlite", "OUT"]])
def test_a_valid_but_odd_copy_gives_the_panel_one_error(case: str, args: list[str], package_copy: Path, tmp_path: Path) -> None:
    if case == "zone-in-unknown-prefecture":
        _edit_schema(package_copy, "pilot_zones", lambda s: s.update(foreignKeys=[fk for fk in s["foreignKeys"] if "prefecture_adcode" not in fk["fields"]]))
        _edit_rows(package_copy, "pilot_zones", lambda rows: [dict(rows[0], prefecture_adcode="999999"), *rows[1:]])
    elif case == "unit-code-of-letters":
        def unpattern(schema: dict[str, Any]) -> None:
            next(f for f in schema["fields"] if f["name"] == "unit_code").get("constraints", {}).pop("pattern", None)

        _edit_schema(package_copy, "units", unpattern)
        _edit_rows(package_copy, "units", lambda rows: [*rows, dict(rows[-1], unit_code="X1", name_zh="某市")])
    else:
        def as_text(schema: dict[str, Any]) -> None:
            field = next(f for f in schema["fields"] if f["name"] == "batch")
            field["type"] = "string"
            field.get("constraints", {}).pop("minimum", None)
            schema["foreignKeys"] = [fk for fk in schema["foreignKeys"] if "batch" not in fk["fields"]]

        _edit_schema(package_copy, "pilot_zones", as_text)
        _edit_schema(package_copy, "claims", lambda s: s.update(foreignKeys=[fk for fk in s.get("foreignKeys", []) if fk["reference"]["resource"] != "pilot_zones"]))
    _refresh(package_copy)
    args = [str(tmp_path / "out") if a == "OUT" else a for a in args]
    result = CliRunner().invoke(cli, ["--package", str(package_copy), *args])
    assert result.exit_code != 0 and isinstance(result.exception, SystemExit), (result.exception, result.output)
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()
    named = {"zone-in-unknown-prefecture": "999999", "unit-code-of-letters": "X1", "batch-typed-as-text": "batch"}[case]
    assert named in result.output, result.output


def test_no_output_goes_above_a_data_folder_inside_the_package(package_copy: Path) -> None:
    from xborder_data.errors import UnsafeOutputError

    (package_copy / "sub" / "data").mkdir(parents=True)
    (package_copy / "data" / "stages.csv").rename(package_copy / "sub" / "data" / "stages.csv")
    descriptor = json.loads((package_copy / "datapackage.json").read_text(encoding="utf-8"))
    next(r for r in descriptor["resources"] if r["name"] == "stages")["path"] = "sub/data/stages.csv"
    (package_copy / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    _refresh(package_copy)
    before = (package_copy / "sub" / "data" / "stages.csv").read_bytes()
    with pytest.raises(UnsafeOutputError):
        export(xborder_data.open(package_copy), "csv", package_copy / "sub", force=True)
    assert (package_copy / "sub" / "data" / "stages.csv").read_bytes() == before


def test_the_site_refuses_claims_without_a_status_before_writing(package_copy: Path, tmp_path: Path) -> None:
    pytest.importorskip("jinja2")
    _drop_field(package_copy, "claims", "status")
    _refresh(package_copy)
    result = CliRunner().invoke(cli, ["--package", str(package_copy), "site", str(tmp_path / "site")])
    assert result.exit_code != 0 and "status" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "site").exists()
