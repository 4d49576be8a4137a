"""The static site: built from the package, offline, escaped, every link resolving.

Browser tests drive Debian's Chromium (never a downloaded browser) through
Playwright; they skip with a reason where no chromium is installed.
"""

from __future__ import annotations

import csv
import shutil
import sys
import types
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

import xborder_data
from xborder_data.errors import MissingDependencyError, OutputExistsError
from xborder_data.maintain import refresh
from xborder_data.site import build_site
from xborder_data.staging import MARKER

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
FIXED_PAGES = ["index.html", "timeline.html", "market-figures.html", "errata.html", "citations.html", "datasheet.html"]
PAGES = FIXED_PAGES + [f"tables/{name}.html" for name in xborder_data.bundled().resources()]


# -- helpers -------------------------------------------------------------------
class _Tags(HTMLParser):
    """Collects (tag, attrs) pairs and element ids of one HTML file."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.tags.append((tag, values))
        if values.get("id"):
            self.ids.add(str(values["id"]))


def parse(path: Path) -> _Tags:
    parser = _Tags()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def copy_package(tmp_path: Path) -> Path:
    """A writable copy of the bundled package (descriptor, data, schemas, datasheet)."""
    source = xborder_data.bundled().root
    root = tmp_path / "pkg"
    root.mkdir()
    shutil.copyfile(source / "datapackage.json", root / "datapackage.json")
    shutil.copytree(source / "data", root / "data")
    shutil.copytree(source / "schemas", root / "schemas")
    if (source / "DATASHEET.md").is_file():
        shutil.copyfile(source / "DATASHEET.md", root / "DATASHEET.md")
    return root


def edit_csv(path: Path, edit) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
        fields = list(rows[0])
    rows = edit(rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def expected_marks(package: xborder_data.Package) -> dict[str, dict[str, int]]:
    """How many marks each chart layer must draw, counted from the data itself."""
    policies = [p for p in package.records("policies") if p["issue_date"] or p["issue_year"]]
    return {
        "timeline": {
            "tl_stages": len(package.records("stages")),
            "tl_platforms": sum(1 for p in package.records("platforms") if p["start_year"] is not None),
            "tl_policies": len(policies),
        },
        "market-figures": {"mf_points": sum(1 for f in package.records("market_figures") if f["value"] is not None)},
    }


def svg_mark_count(html: str, layer: str) -> int:
    """Marks drawn in the inline SVG groups of one named layer (Vega's class '<layer>_marks')."""
    count = 0
    marker = f'role-mark {layer}_marks"'
    for part in html.split(marker)[1:]:
        group = part.split("</g>", 1)[0]
        count += group.count("<path")
    return count


# -- fixtures ------------------------------------------------------------------
@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index = build_site(xborder_data.bundled(), tmp_path_factory.mktemp("site") / "out")
    return index.parent


@pytest.fixture(scope="module")
def browser():
    executable = shutil.which("chromium")
    if executable is None:
        pytest.skip("no 'chromium' on PATH; install Debian's chromium (apt-get install chromium) to run browser tests")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (Python) is not installed")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, service_workers="block")
    page = context.new_page()
    log = {"console": [], "failed": [], "requests": [], "errors": []}
    page.on("console", lambda m: log["console"].append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: log["errors"].append(str(e)))
    page.on("requestfailed", lambda r: log["failed"].append(f"{r.url}: {r.failure}"))
    page.on("request", lambda r: log["requests"].append(r.url))
    page.log = log
    yield page
    context.close()


# -- building ------------------------------------------------------------------
def test_every_page_is_built(site: Path) -> None:
    for name in PAGES:
        assert (site / name).is_file(), name


def test_refuses_to_overwrite_a_nonempty_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(OutputExistsError) as caught:
        build_site(xborder_data.bundled(), out)
    assert str(caught.value) == (
        f"{out}: exists and is not empty; choose another folder, or replace a site built earlier with --force."
    )
    assert (out / "keep.txt").read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_force_replaces_and_an_empty_folder_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from xborder_data.site import build

    def fake_write(package, staging: Path) -> Path:
        (staging / "index.html").write_text("<p>new</p>", encoding="utf-8")
        return staging / "index.html"

    monkeypatch.setattr(build, "_write_site", fake_write)
    out = tmp_path / "out"
    out.mkdir()
    assert build_site(xborder_data.bundled(), out) == out.absolute() / "index.html"
    (out / "old.txt").write_text("old", encoding="utf-8")  # inside a folder the site owns
    build_site(xborder_data.bundled(), out, force=True)
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "index.html"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_failed_build_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from xborder_data.site import charts

    def broken(package):
        raise RuntimeError("chart failed")

    monkeypatch.setattr(charts, "timeline", broken)
    with pytest.raises(RuntimeError, match="chart failed"):
        build_site(xborder_data.bundled(), tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


def test_missing_dependency_names_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from xborder_data.site import _deps

    real = _deps.importlib.import_module

    def no_altair(name: str, *args):
        if name == "altair":
            raise ImportError("No module named 'altair'")
        return real(name, *args)

    monkeypatch.setattr(_deps.importlib, "import_module", no_altair)
    with pytest.raises(MissingDependencyError, match=r"pip install 'xborder-data\[site\]'"):
        build_site(xborder_data.bundled(), tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


# -- content ---------------------------------------------------------------------
def test_nothing_is_loaded_from_outside(site: Path) -> None:
    package = xborder_data.bundled()
    allowed = {s["url"] for s in package.records("sources") if s["url"]}
    allowed |= {lic["path"] for lic in package.descriptor().get("licenses", []) if "path" in lic}
    for path in html_files(site):
        tags = parse(path).tags
        assert not [t for t, _ in tags if t in ("script", "iframe", "embed", "object", "base")], path
        for tag, attrs in tags:
            for attr in ("src", "srcset", "href", "xlink:href", "data", "poster", "action"):
                value = (attrs.get(attr) or "").strip()
                if not value or value.startswith("#"):
                    continue
                scheme = urlsplit(value).scheme.lower()
                if scheme in ("", "file"):
                    continue
                # The only outside address allowed: a plain link to a cited source or the licence.
                assert (tag, attr) == ("a", "href"), f"{path.name}: <{tag} {attr}={value!r}>"
                assert value in allowed, f"{path.name}: link to {value!r} is not a cited source"
    assert "url(" not in (site / "style.css").read_text(encoding="utf-8")


def test_every_internal_link_resolves(site: Path) -> None:
    ids = {path: parse(path).ids for path in html_files(site)}
    for path in html_files(site):
        for tag, attrs in parse(path).tags:
            href = attrs.get("href") if tag in ("a", "link") else None
            if not href or urlsplit(href).scheme:
                continue
            parts = urlsplit(href)
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            assert target.is_file(), f"{path.relative_to(site)}: {href} -> missing file"
            if parts.fragment:
                assert unquote(parts.fragment) in ids[target], f"{path.relative_to(site)}: {href} -> missing anchor"


@pytest.mark.parametrize("name", xborder_data.bundled().resources())
def test_table_page_shows_every_row_with_schema_titles(site: Path, name: str) -> None:
    package = xborder_data.bundled()
    parsed = parse(site / "tables" / f"{name}.html")
    text = (site / "tables" / f"{name}.html").read_text(encoding="utf-8")
    rows = [a for t, a in parsed.tags if t == "tr" and (a.get("id") or "").startswith("row-")]
    cites = [a["href"] for t, a in parsed.tags if t == "a" and "cite" in (a.get("class") or "").split()]
    assert len(rows) == len(package.records(name))
    assert len(cites) == len(rows)
    from markupsafe import escape

    for field in package.table_schema(name).fields:
        assert str(escape(field.title)) in text
        assert str(escape(field.description)) in text


def test_downloads_hold_the_package(site: Path) -> None:
    package = xborder_data.bundled()
    index = (site / "index.html").read_text(encoding="utf-8")
    for name in package.resources():
        relative = package.path(name).relative_to(package.root).as_posix()
        assert (site / "downloads" / relative).read_bytes() == package.read_bytes(name)
        assert f'href="downloads/{relative}"' in index
    assert xborder_data.open(site / "downloads").load("stages").shape[0] == len(package.records("stages"))


def test_landing_page_has_title_version_licence_and_citation(site: Path) -> None:
    package = xborder_data.bundled()
    from markupsafe import escape

    index = (site / "index.html").read_text(encoding="utf-8")
    assert str(escape(package.descriptor()["title"])) in index
    assert package.version in index
    assert "CC-BY-4.0" in index
    assert str(escape(package.citation("text"))) in index
    assert str(escape(package.citation("bibtex"))) in index


def test_charts_draw_one_mark_per_row(site: Path) -> None:
    for chart, layers in expected_marks(xborder_data.bundled()).items():
        html = (site / f"{chart}.html").read_text(encoding="utf-8")
        for layer, expected in layers.items():
            assert svg_mark_count(html, layer) == expected, (chart, layer)


def test_timeline_marks_the_corrected_global_sources(site: Path) -> None:
    html = (site / "timeline.html").read_text(encoding="utf-8")
    assert "Global Sources (Hong Kong)" in html
    assert "1971 launched · headquarters corrected, start_year disputed; the article printed" in html
    assert "Shenzhen in 1970" in html
    assert f"drawn to the end of {_latest_event_year(xborder_data.bundled())}" in html


def _latest_event_year(package) -> int:
    """Recomputed here from the rows, independently of the chart code."""
    years = [y for r in package.records("stages") for y in (r["start_year"], r["end_year"]) if y is not None]
    years += [r["start_year"] for r in package.records("platforms") if r["start_year"] is not None]
    years += [r["issue_year"] for r in package.records("policies")]
    return max(years)


def test_new_rows_appear_without_code_change(tmp_path: Path) -> None:
    root = copy_package(tmp_path)

    def add_platform(rows):
        extra = dict(rows[0], platform_id="test_platform", name_en="Test Platform", start_year="2010", origin="extension")
        return rows + [extra]

    def add_policy(rows):
        extra = dict(rows[-1], policy_id="test_policy", issue_year="2015", issue_date="2015-06-20", origin="extension")
        return rows + [extra]

    before = xborder_data.bundled()
    dated_platforms = sum(r["start_year"] is not None for r in before.records("platforms"))
    policies = len(before.records("policies"))
    edit_csv(root / "data" / "platforms.csv", add_platform)
    edit_csv(root / "data" / "policies.csv", add_policy)
    refresh(root)
    package = xborder_data.open(root)
    site = build_site(package, tmp_path / "out").parent
    html = (site / "timeline.html").read_text(encoding="utf-8")
    assert svg_mark_count(html, "tl_platforms") == expected_marks(package)["timeline"]["tl_platforms"] == dated_platforms + 1
    assert svg_mark_count(html, "tl_policies") == policies + 1
    assert f"drawn to the end of {max(2015, _latest_event_year(before))}" in html
    assert 'id="row-test_platform"' in (site / "tables" / "platforms.html").read_text(encoding="utf-8")
    assert 'id="cite-policies-test_policy"' in (site / "citations.html").read_text(encoding="utf-8")


def test_row_text_is_escaped(tmp_path: Path) -> None:
    root = copy_package(tmp_path)
    payload = "<script>alert('x')</script>"

    def poison(rows):
        rows[0]["note"] = payload
        rows[0]["name_en"] = f"Alibaba {payload}"
        return rows

    edit_csv(root / "data" / "platforms.csv", poison)
    refresh(root)
    site = build_site(xborder_data.open(root), tmp_path / "out").parent
    for path in html_files(site):
        text = path.read_text(encoding="utf-8")
        assert "<script" not in text, path.name
    table = (site / "tables" / "platforms.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in table
    assert "Alibaba &lt;script&gt;" in (site / "timeline.html").read_text(encoding="utf-8")


def test_exports_are_built_and_linked_when_available(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def export(package, fmt, outdir, *, force=False, excel=False):
        calls.append(fmt)
        Path(outdir).mkdir(parents=True, exist_ok=True)
        target = Path(outdir) / f"xborder-data-{package.version}.{fmt}"
        target.write_bytes(b"x")
        return [target]

    module = types.ModuleType("xborder_data.exports")
    module.export = export
    monkeypatch.setitem(sys.modules, "xborder_data.exports", module)
    site = build_site(xborder_data.bundled(), tmp_path / "out").parent
    index = (site / "index.html").read_text(encoding="utf-8")
    assert calls == ["zip", "xlsx", "sqlite"]
    for fmt in calls:
        assert (site / "downloads" / f"xborder-data-{xborder_data.__version__}.{fmt}").is_file()
        assert f'href="downloads/xborder-data-{xborder_data.__version__}.{fmt}"' in index
    assert "not built" not in index


def test_without_exports_the_page_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "xborder_data.exports", None)  # as if the module were absent
    site = build_site(xborder_data.bundled(), tmp_path / "out").parent
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "zip, Excel and SQLite downloads are not built" in index


def test_real_exports_are_linked_from_the_landing_page(site: Path) -> None:
    index = (site / "index.html").read_text(encoding="utf-8")
    for name in (f"xborder-data-{xborder_data.__version__}.zip", "xborder-data.xlsx", "xborder-data.sqlite"):
        assert (site / "downloads" / name).is_file(), name
        assert f'href="downloads/{name}"' in index, name


def test_datasheet_page(site: Path) -> None:
    text = (site / "datasheet.html").read_text(encoding="utf-8")
    for heading in ("Motivation", "Composition", "Collection process", "Preprocessing", "Uses", "Distribution", "Maintenance"):
        assert heading in text


# -- in a real browser -------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("name", PAGES)
def test_page_in_browser(site: Path, page, name: str) -> None:
    url = (site / name).as_uri()
    page.goto(url, wait_until="load")
    log = page.log
    assert log["console"] == [] and log["errors"] == [], log
    assert log["failed"] == [], log["failed"]
    assert log["requests"], "the page made no request at all"
    outside = [u for u in log["requests"] if urlsplit(u).scheme not in ("file", "data")]
    assert outside == [], outside

    for chart, layers in expected_marks(xborder_data.bundled()).items():
        if name != f"{chart}.html":
            continue
        size = page.eval_on_selector("figure.chart svg", "s => [s.getBoundingClientRect().width, s.getBoundingClientRect().height]")
        assert size[0] > 100 and size[1] > 100
        for layer, expected in layers.items():
            count = page.locator(f"figure.chart svg g.role-mark.{layer}_marks > path").count()
            assert count == expected, (layer, count, expected)

    if name.startswith("tables/"):
        hrefs = page.eval_on_selector_all("table.data a.cite", "as => as.map(a => a.href)")
        rows = page.locator("table.data tbody tr").count()
        assert len(hrefs) == rows > 0
        targets: dict[str, set[str]] = {}
        for href in hrefs:
            document, _, fragment = href.partition("#")
            if document not in targets:
                page.goto(document, wait_until="load")
                targets[document] = set(page.eval_on_selector_all("[id]", "es => es.map(e => e.id)"))
            assert unquote(fragment) in targets[document], href
        assert log["console"] == [] and log["failed"] == []

    if name in ("index.html", "timeline.html"):
        ARTIFACTS.mkdir(exist_ok=True)
        page.goto(url, wait_until="load")
        page.screenshot(path=str(ARTIFACTS / f"site-{name.removesuffix('.html')}.png"), full_page=True)
