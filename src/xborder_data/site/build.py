"""Build the static site: render every page into a temporary folder, then move it into place."""

from __future__ import annotations

import os
from importlib import resources
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xborder_data.errors import UnsafePathError
from xborder_data.storage.links import safe_url
from xborder_data.storage.names import check_component
from xborder_data.storage.reading import read_text_inside
from xborder_data.storage.staging import (
    check_replaceable, folder_identity, place_folder, refuse_package_folder, refuse_protected, staging_folder,
)
from xborder_data.site import figures_chart, pilot_zone_charts, timeline_chart, trade_chart
from xborder_data.site._deps import SITE_MODULES, require
from xborder_data.site.downloads import build_exports, copy_package
from xborder_data.site.links import CSP, is_local_url, is_safe_url, offline_page, safe_links
from xborder_data.site.tables import build_citations, build_errata, build_table, single_key

if TYPE_CHECKING:
    from xborder_data.package import Package

DATASHEET = "DATASHEET.md"
# Files copied as they are into the site's assets/ folder: (folder in the package, name).
ASSETS = (
    ("vendor", "tablesort.min.js"),
    ("vendor", "tablesort.number.min.js"),
    ("templates", "tables.js"),
    ("vendor", "LICENSE-tablesort"),
    ("vendor", "LICENSE-world-atlas"),
)


def _environment() -> Any:
    jinja2 = require("jinja2")
    return jinja2.Environment(
        loader=jinja2.PackageLoader("xborder_data.site", "templates"),
        autoescape=True,  # every template is HTML; values are always escaped
        undefined=jinja2.StrictUndefined,
        trim_blocks=False,
    )


def _markdown(text: str) -> str:
    markdown_it = require("markdown_it")
    # Raw HTML in the Markdown is escaped, not passed through.
    md = markdown_it.MarkdownIt("commonmark", {"html": False}).enable("table")
    default_image = md.renderer.rules["image"]

    def image(_renderer: Any, tokens: Any, index: int, options: Any, env: Any) -> str:
        # The site is offline: an image from elsewhere becomes a plain link to it, never a remote load.
        token = tokens[index]
        src = str(token.attrGet("src") or "")
        if is_local_url(src):
            return str(default_image(tokens, index, options, env))
        escape = require("markupsafe").escape
        label = escape(token.content or src)
        return f'<a href="{escape(src)}" rel="external noopener">{label}</a>' if is_safe_url(src) else str(label)

    md.add_render_rule("image", image)
    return str(md.render(text))


def _site_info(package: "Package", has_datasheet: bool) -> dict[str, Any]:
    descriptor = package.descriptor()
    # A licence URL the shared filter refuses is left out (shown as text), never linked.
    licenses = [{**lic, "path": safe_url(lic.get("path", ""))} for lic in descriptor.get("licenses", [])]
    return {
        "title": descriptor.get("title") or descriptor.get("name", "xborder-data"),
        "version": package.version,
        "licenses": licenses,
        "license_names": ", ".join(lic.get("name", "") for lic in licenses),
        "has_datasheet": has_datasheet,
        "tables": [
            {
                "name": name,
                "title": package.resource(name).title or name,
                "description": package.resource(name).description,
                "rows": len(package.records(name)),
            }
            for name in package.resources()
        ],
    }


def _render(env: Any, template: str, target: Path, **context: Any) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    page = offline_page(safe_links(env.get_template(template).render(csp=CSP, **context)))
    target.write_text(page, encoding="utf-8", newline="\n")


def _write_site(package: "Package", site: Path, datasheet: str | None) -> Path:
    markup = require("markupsafe").Markup  # installed with jinja2
    env = _environment()
    info = _site_info(package, datasheet is not None)
    common = {"site": info}

    site_files = resources.files("xborder_data.site")
    (site / "style.css").write_bytes(site_files.joinpath("templates", "style.css").read_bytes())
    (site / "assets").mkdir()
    for folder, name in ASSETS:
        (site / "assets" / name).write_bytes(site_files.joinpath(folder, name).read_bytes())
    downloads_dir = site / "downloads"
    copied = copy_package(package, site, downloads_dir)
    exports = build_exports(package, site, downloads_dir)
    downloads = {"files": exports.files + copied, "notes": exports.notes, "groups": exports.groups}

    # The article's own claims are fact-checked; later sources' claims are the evidence itself.
    claims = [c for c in package.records("claims") if c["source_id"] == "article"]
    by_status = Counter(c["status"] for c in claims)
    later = len(package.records("claims")) - len(claims)
    stats = {"claims": len(claims), "later": later, "by_status": [{"status": s, "count": n} for s, n in by_status.most_common()]}
    has_zone_map = pilot_zone_charts.has_zones(package)
    index = site / "index.html"
    _render(
        env,
        "index.html",
        index,
        base="",
        page_title="Home",
        stats=stats,
        citation_text=package.citation("text"),
        citation_bibtex=package.citation("bibtex"),
        downloads=downloads,
        has_zone_map=has_zone_map,
        **common,
    )

    def chart_file(chart: Any) -> str:
        # The same SVG on its own, for a reader to open at full size (and zoom) on a small screen.
        (site / "charts").mkdir(exist_ok=True)
        (site / "charts" / f"{chart.name}.svg").write_text(chart.svg, encoding="utf-8", newline="\n")
        return f"charts/{chart.name}.svg"

    for template, chart, tables in (
        ("trade.html", trade_chart.trade_series(package), [trade_chart.RESOURCE]),
        ("timeline.html", timeline_chart.timeline(package), ["stages", "platforms", "policies"]),
        ("chart.html", figures_chart.market_figures(package), ["market_figures", "drivers"]),
    ):
        _render(
            env,
            template,
            site / f"{chart.name}.html",
            base="",
            page_title=chart.title,
            chart=chart,
            svg=markup(chart.svg),  # SVG from vl-convert, which escapes the data's text itself
            svg_href=chart_file(chart),
            chart_tables=tables,
            **common,
        )

    count = pilot_zone_charts.cumulative_count(package)
    zone_map = pilot_zone_charts.zone_map(package) if has_zone_map else None
    _render(
        env,
        "pilot-zones.html",
        site / "pilot-zones.html",
        base="",
        page_title="Pilot zones",
        count=count,
        count_svg=markup(count.svg),
        count_href=chart_file(count),
        zone_map=zone_map,
        map_svg=markup(zone_map.svg) if zone_map else "",
        map_href=chart_file(zone_map) if zone_map else "",
        tables=[pilot_zone_charts.BATCHES] + ([pilot_zone_charts.ZONES] if has_zone_map else []),
        **common,
    )

    for name in package.resources():
        _render(
            env,
            "table.html",
            site / "tables" / f"{name}.html",
            base="../",
            page_title=package.resource(name).title or name,
            table=build_table(package, name),
            has_citations=single_key(package, name) is not None,
            csv_path=package.path(name).relative_to(package.root).as_posix(),
            **common,
        )

    _render(env, "citations.html", site / "citations.html", base="", page_title="Citations", entries=build_citations(package), **common)
    _render(env, "errata.html", site / "errata.html", base="", page_title="Errata", errata=build_errata(package), **common)
    if datasheet is not None:
        body = _markdown(datasheet)
        _render(env, "datasheet.html", site / "datasheet.html", base="", page_title="Datasheet", body=markup(body), **common)
    return index


def _refuse_foreign_hard_link(package: "Package", datasheet: str) -> None:
    """A hard-linked datasheet may be a file from outside the package under the datasheet's name.

    An installer may hard-link a wheel's files from its cache, so a hard link is
    accepted when its content is the release's (the manifest's sha256), and refused otherwise.
    """
    from xborder_data.checks.integrity import release_manifest, sha256_hex

    if os.stat(package.root / DATASHEET).st_nlink <= 1:
        return
    released = release_manifest().get(package.version, {}).get(DATASHEET)
    if released != sha256_hex(datasheet.encode("utf-8")):
        raise UnsafePathError(
            f"{package.root / DATASHEET}: the datasheet is a hard link (it has other names, perhaps outside the package) "
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
    with staging_folder(target) as staging:
        site = staging / "site"
        site.mkdir()
        _write_site(package, site, datasheet)
        place_folder(site, target, force=force, expected=before)
    return target / "index.html"
