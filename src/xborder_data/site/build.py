"""Build the static site: render every page into a temporary folder, then move it into place."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import replace
from functools import partial
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xborder_data.errors import UnsafePathError
from xborder_data.storage.names import check_component
from xborder_data.storage.reading import read_text_inside
from xborder_data.storage.outputs import refuse_package_folder, refuse_protected
from xborder_data.storage.staging import check_replaceable, folder_identity, place_folder, staging_folder
from xborder_data.site import figures_chart, pilot_zone_charts, timeline_chart, trade_chart
from xborder_data.site._deps import SITE_MODULES, require
from xborder_data.site.downloads import build_exports, copy_package
from xborder_data.site.i18n import FOLDER, HTML_LANG, LANGS, STRINGS, SVG_SUFFIX, Lang, join, text
from xborder_data.site.links import CSP, FILTERS, markdown
from xborder_data.site.tables import build_citations, build_errata, build_table, resource_texts, single_key, zh_text

if TYPE_CHECKING:
    from xborder_data.package import Package

DATASHEET = "DATASHEET.md"
DATASHEET_ZH = "DATASHEET.zh-CN.md"  # the Chinese datasheet, where the package has one
# Files copied as they are into the site's assets/ folder: (folder in the package, name).
ASSETS = (
    ("vendor", "tablesort.min.js"),
    ("vendor", "tablesort.number.min.js"),
    ("templates", "tables.js"),
    ("vendor", "LICENSE-tablesort"),
    ("vendor", "LICENSE-world-atlas"),
    ("vendor", "LICENSE-natural-earth"),
)


def _environment() -> Any:
    jinja2 = require("jinja2")
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("xborder_data.site", "templates"),
        autoescape=True,  # every template is HTML; values are always escaped
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
    )
    env.filters.update(FILTERS)  # a URL from the data goes through safe_url where a template links it
    return env


def _site_info(package: "Package", has_datasheet: bool, lang: Lang) -> dict[str, Any]:
    descriptor = package.descriptor()
    licenses = descriptor.get("licenses", [])
    title = descriptor.get("title") or descriptor.get("name", "xborder-data")
    return {
        "title": (zh_text(descriptor, "title") or title) if lang == "zh" else title,
        "version": package.version,
        "licenses": licenses,
        "license_names": ", ".join(lic.get("name", "") for lic in licenses),
        "has_datasheet": has_datasheet,
        "tables": [
            {
                "name": name,
                "title": resource_texts(package, name, lang)[0],
                "description": resource_texts(package, name, lang)[1],
                "rows": len(package.records(name)),
            }
            for name in package.resources()
        ],
    }


def _render(env: Any, template: str, out: Path, page: str, lang: Lang, **context: Any) -> None:
    """Render ``page`` (a path under a language's folder) in ``lang``, with the links every page shares."""
    depth = page.count("/")
    base = "../" * depth  # this language's root
    root = "../" * (depth + (lang != "en"))  # the site's root: style, assets, downloads, charts
    twin_lang: Lang = "en" if lang == "zh" else "zh"
    twin = root + FOLDER[twin_lang] + page
    target = out / FOLDER[lang] / page
    target.parent.mkdir(parents=True, exist_ok=True)
    html = env.get_template(template).render(
        csp=CSP, lang=lang, html_lang=HTML_LANG[lang], _=partial(text, lang), base=base, root=root,
        twin=twin, twin_lang=HTML_LANG[twin_lang], **context,
    )
    target.write_text(html, encoding="utf-8", newline="\n")


def _write_site(package: "Package", site: Path, datasheet: str | None, datasheet_zh: str | None = None) -> Path:
    markup = require("markupsafe").Markup  # installed with jinja2
    env = _environment()

    site_files = resources.files("xborder_data.site")
    (site / "style.css").write_bytes(site_files.joinpath("templates", "style.css").read_bytes())
    (site / "assets").mkdir()
    for folder, name in ASSETS:
        (site / "assets" / name).write_bytes(site_files.joinpath(folder, name).read_bytes())
    downloads_dir = site / "downloads"
    copied = copy_package(package, site, downloads_dir)
    exports = build_exports(package, site, downloads_dir)
    downloads = {"files": exports.files + copied, "notes": exports.notes, "groups": exports.groups}
    (site / "charts").mkdir()

    # The article's own claims are fact-checked; later sources' claims are the evidence itself.
    claims = [c for c in package.records("claims") if c["source_id"] == "article"]
    by_status = Counter(c["status"] for c in claims)
    later = len(package.records("claims")) - len(claims)
    has_zone_map = pilot_zone_charts.has_zones(package)
    entries: list[Any] = []  # the citations are slow (every row's sources): built once, then retitled per language
    for lang in LANGS:
        common = {"site": _site_info(package, datasheet is not None, lang)}

        def page(template: str, name: str, title: str, **context: Any) -> None:
            _render(env, template, site, name, lang, page_title=title, **context, **common)  # noqa: B023

        def chart_file(chart: Any) -> str:
            # The same SVG on its own, for a reader to open at full size (and zoom) on a small screen.
            name = f"{chart.name}{SVG_SUFFIX[lang]}.svg"  # noqa: B023
            (site / "charts" / name).write_text(chart.svg, encoding="utf-8", newline="\n")
            return ("../" if lang == "zh" else "") + f"charts/{name}"  # noqa: B023

        stats = {
            "claims": len(claims),
            "statuses": join(lang, [text(lang, "home.status_count", count=n, status=text(lang, f"status.{s}") if f"status.{s}" in STRINGS else s) for s, n in by_status.most_common()]),
            "later_text": text(lang, "home.later", later=later) if later else "",
        }
        page(
            "index.html", "index.html", text(lang, "home.title"), stats=stats, citation_text=package.citation("text"),
            citation_bibtex=package.citation("bibtex"), downloads=downloads, has_zone_map=has_zone_map,
        )
        trade = trade_chart.trade_series(package, lang)
        annual = trade_chart.annual(package, lang)
        page(
            "trade.html", "trade.html", text(lang, "trade.title"), chart=trade, svg=markup(trade.svg), svg_href=chart_file(trade),
            annual=annual, annual_svg=markup(annual.svg), annual_href=chart_file(annual), chart_tables=[trade_chart.RESOURCE],
        )
        for template, chart, tables in (
            ("timeline.html", timeline_chart.timeline(package, lang), ["stages", "platforms", "policies"]),
            ("chart.html", figures_chart.market_figures(package, lang), ["market_figures", "drivers"]),
        ):
            # SVG from vl-convert, which escapes the data's text itself
            page(template, f"{chart.name}.html", chart.title, chart=chart, svg=markup(chart.svg), svg_href=chart_file(chart), chart_tables=tables)

        count = pilot_zone_charts.cumulative_count(package, lang)
        zone_map = pilot_zone_charts.zone_map(package, lang) if has_zone_map else None
        page(
            "pilot-zones.html", "pilot-zones.html", text(lang, "pz.title"), count=count, count_svg=markup(count.svg),
            count_href=chart_file(count), zone_map=zone_map, map_svg=markup(zone_map.svg) if zone_map else "",
            map_href=chart_file(zone_map) if zone_map else "",
            tables=[pilot_zone_charts.BATCHES] + ([pilot_zone_charts.ZONES] if has_zone_map else []),
        )
        for name in package.resources():
            csv_path = package.path(name).relative_to(package.root).as_posix()
            root = "../" * (1 + (lang != "en"))
            download = markup('<a href="{}" download>{}</a>').format(f"{root}downloads/{csv_path}", csv_path)
            table = build_table(package, name, lang)
            page("table.html", f"tables/{name}.html", table.title, table=table, has_citations=single_key(package, name) is not None, download=download)

        entries = entries or build_citations(package)
        titles = {name: resource_texts(package, name, lang)[0] for name in package.resources()}
        page("citations.html", "citations.html", text(lang, "citations.title"), entries=[replace(e, resource_title=titles[e.resource]) for e in entries])
        page("errata.html", "errata.html", text(lang, "errata.title"), errata=build_errata(package))
        if datasheet is not None:
            own = datasheet_zh if lang == "zh" and datasheet_zh is not None else None
            body = markdown(own if own is not None else datasheet)
            body_lang = HTML_LANG[lang] if own is not None or lang == "en" else "en"
            note = text(lang, "datasheet.english_only") if body_lang != HTML_LANG[lang] else ""
            page("datasheet.html", "datasheet.html", text(lang, "datasheet.title"), body=markup(body), body_lang=body_lang, note=note)
    return site / "index.html"


def _refuse_foreign_hard_link(package: "Package", datasheet: str, name: str = DATASHEET) -> None:
    """A hard-linked datasheet may be a file from outside the package under the datasheet's name.

    An installer may hard-link a wheel's files from its cache, so a hard link is
    accepted when its content is the release's (the manifest's sha256), and refused otherwise.
    """
    from xborder_data.checks.integrity import release_manifest, sha256_hex

    if os.stat(package.root / name).st_nlink <= 1:
        return
    released = release_manifest().get(package.version, {}).get(name)
    if released != sha256_hex(datasheet.encode("utf-8")):
        raise UnsafePathError(
            f"{package.root / name}: the datasheet is a hard link (it has other names, perhaps outside the package) "
            "and is not the release's; copy it into place, or restore it from the release."
        )


def build_site(package: "Package", outdir: str | os.PathLike[str], *, force: bool = False) -> Path:
    """Build a self-contained static site of ``package`` in ``outdir``.

    The site works from file:// with no network: no CDN, one small vendored
    script for sorting and filtering (pages work without it), charts as
    inline SVG. It is written to a staging folder next to ``outdir`` and
    moved into place only when complete, so a failed or interrupted build
    leaves nothing half-made. The site carries a marker file
    (``xborder_data.storage.staging.MARKER``) that says xborder-data built it.

    Args:
        package: the Data Package to publish, e.g. ``xborder_data.bundled()``.
        outdir: the folder to create; it may exist if it is empty.
        force: replace ``outdir`` when it is a site built earlier (it carries
            the marker); any other non-empty folder is refused.

    Returns:
        The path of the site's index.html.

    Raises:
        OutputExistsError: ``outdir`` exists, is not empty, and ``force`` is false.
        UnsafeOutputError: ``outdir`` is "", the current, home or package
            folder or a folder above one of them, or (with ``force``) a
            non-empty folder without the marker.
        DescriptorError: a resource name is not one safe file name, or DATASHEET.md
            is not a regular UTF-8 file (checked before anything is written).
        UnsafePathError: DATASHEET.md is a symlink out of the package.
        MissingDependencyError: a dependency of the ``site`` extra is missing.

    Example:
        >>> import xborder_data
        >>> from xborder_data.site import build_site
        >>> build_site(xborder_data.bundled(), "site-out")  # doctest: +SKIP
    """
    target = refuse_protected(outdir, package_root=package.root)
    refuse_package_folder(target, package_root=package.root, package_files=package.file_paths(), what="a site")
    check_replaceable(target, force=force)  # early, before the slow build; place_folder checks again
    before = folder_identity(target)  # of concurrent builds, only the first to place its site wins
    for name in package.resources():  # page names come from the resource names
        check_component(name, what="resource name")
    if "claims" in package.resources():
        package.require_provenance()  # the citations and errata pages read these fields: refuse before writing
    for module in SITE_MODULES:  # fail before writing anything
        require(module)
    # Read (and decode) before writing anything: through the verified reader, never following a link out.
    datasheet = read_text_inside(package.root, DATASHEET, what="datasheet")
    if datasheet is not None:
        _refuse_foreign_hard_link(package, datasheet)
    datasheet_zh = read_text_inside(package.root, DATASHEET_ZH, what="Chinese datasheet") if datasheet is not None else None
    if datasheet_zh is not None:
        _refuse_foreign_hard_link(package, datasheet_zh, DATASHEET_ZH)
    with staging_folder(target) as staging:
        site = staging / "site"
        site.mkdir()
        _write_site(package, site, datasheet, datasheet_zh)
        place_folder(site, target, force=force, expected=before)
    return target / "index.html"
