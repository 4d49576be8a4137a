"""The ``xborder-data`` command: a thin click layer over the library.

Library errors become one line on stderr at this boundary: bad input exits 2,
anything else exits 1, and ``--debug`` shows the traceback instead. ``--help``,
``list`` and ``info`` run without importing pandas or frictionless.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import date
from typing import TYPE_CHECKING, Any, cast

import click

from xborder_data._version import __version__
from xborder_data.errors import (
    IntegrityError,
    MissingDependencyError,
    UnknownResourceError,
    UnknownRowError,
    UsageError,
    XborderDataError,
)

if TYPE_CHECKING:
    from xborder_data.cite import CitationStyle
    from xborder_data.package import Package

# Kept in step with xborder_data.exports.FORMATS and cite.STYLES by tests;
# importing those modules here would cost every command their imports.
EXPORT_FORMATS = ("csv", "json", "sqlite", "parquet", "xlsx", "zip")
CITATION_STYLES = ("text", "bibtex", "apa")
SHOW_FORMATS = ("table", "csv", "json")
PANEL_LEVELS = ("zone", "prefecture")  # kept in step with panel.LEVELS and RULES by tests
PANEL_RULES = ("approval_year", "next_year_if_after_june")
_BAD_INPUT = (UsageError, UnknownResourceError, UnknownRowError)
_CELL_WIDTH = 40


class _Group(click.Group):
    """Turns library errors into click errors, unless --debug asks for the traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except XborderDataError as error:
            if ctx.params.get("debug"):
                raise
            message = " ".join(str(error).split())  # one line, whatever the library wrote
            if isinstance(error, _BAD_INPUT):
                raise click.UsageError(message) from error
            raise click.ClickException(message) from error


def _package() -> "Package":
    """The package chosen with --package, or the bundled one."""
    import xborder_data

    chosen = click.get_current_context().find_root().params.get("package_dir")
    return xborder_data.open(chosen) if chosen else xborder_data.bundled()


def _plain(value: Any) -> str:
    """A typed value as its CSV text: the form it has in the data file."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _json_default(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


@click.group(
    cls=_Group,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--package", "package_dir", type=click.Path(exists=True), metavar="PATH",
    help="Use the Data Package at PATH (a folder or its datapackage.json) instead of the bundled one.",
)
@click.option("--debug", is_flag=True, help="Show the full traceback when something fails.")
@click.version_option(__version__, "-V", "--version", prog_name="xborder-data")
@click.pass_context
def cli(ctx: click.Context, package_dir: str | None, debug: bool) -> None:
    """China's cross-border e-commerce as a cited, verified Data Package.

    Run without a command to see `info`.
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(info)


@cli.command()
def info() -> None:
    """Summarise the bundled package: resources, integrity, validation and how to cite it.

    Every data file's size and sha256 are checked against datapackage.json, every
    cell against its type and every foreign key against its target; exits 1 when
    any check fails.
    """
    package = _package()
    descriptor = package.descriptor()
    licences = ", ".join(
        f"{lic.get('name', '')} ({lic['title']})" if lic.get("title") else lic.get("name", "")
        for lic in descriptor.get("licenses", [])
    )
    click.echo(descriptor.get("title", descriptor.get("name", "")))
    click.echo(f"Version {package.version}, license {licences}")
    click.echo("")
    names = package.resources()
    width = max(len(name) for name in names)
    problems: list[str] = []
    click.echo(f"Resources ({len(names)}):")
    for name in names:
        try:
            count = f"{len(package.records(name)):>4} rows"
        except XborderDataError as error:
            problems.append(" ".join(str(error).split()))
            count = "   ? rows"
        click.echo(f"  {name:<{width}}  {count}  {package.resource(name).description}")
    click.echo("")
    if problems:
        click.echo(f"Integrity: FAILED for {len(problems)} of {len(names)} data files", err=True)
        for problem in problems:
            click.echo(f"  {problem}", err=True)
    else:
        click.echo(f"Integrity: verified (bytes and sha256 of all {len(names)} data files match datapackage.json)")
        try:
            package.check_references()
        except XborderDataError as error:
            problems.append(" ".join(str(error).split()))
            click.echo(f"Validation: FAILED: {problems[-1]}", err=True)
        else:
            click.echo("Validation: every cell casts to its Table Schema type and every foreign key resolves")
            click.echo("  (xborder-data validate adds the full frictionless report)")
    click.echo("")
    click.echo("Cite as:")
    click.echo(f"  {package.citation('text')}")
    click.echo("  (xborder-data cite --style bibtex|apa for other styles; xborder-data cite NAME ROW_ID for one row's sources)")
    if problems:
        sys.exit(1)


@cli.command("list")
def list_() -> None:
    """List the resource names with their row counts."""
    package = _package()
    names = package.resources()
    width = max(len(name) for name in names)
    for name in names:
        click.echo(f"{name:<{width}}  {len(package.records(name)):>4}")


def _width(text: str) -> int:
    """Terminal columns of ``text``: Chinese characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    def cut(text: str) -> str:
        text = " ".join(text.split())
        return text if len(text) <= _CELL_WIDTH else text[: _CELL_WIDTH - 1] + "…"

    def pad(text: str, width: int) -> str:
        return text + " " * (width - _width(text))

    cells = [[cut(_plain(row[column])) for column in columns] for row in rows]
    widths = [max([_width(column)] + [_width(line[i]) for line in cells]) for i, column in enumerate(columns)]
    lines = ["  ".join(pad(column, w) for column, w in zip(columns, widths)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(pad(cell, w) for cell, w in zip(line, widths)).rstrip() for line in cells]
    return "\n".join(lines)


@cli.command()
@click.argument("name")
@click.option("--limit", "-n", type=click.IntRange(min=0), default=10, show_default=True, help="Rows to show; 0 for all.")
@click.option(
    "--format", "-f", "fmt", type=click.Choice(SHOW_FORMATS), default="table", show_default=True,
    help="table is for reading (long cells cut); csv and json give the full values.",
)
def show(name: str, limit: int, fmt: str) -> None:
    """Print the rows of resource NAME."""
    package = _package()
    rows = package.records(name)
    shown = rows if limit == 0 else rows[:limit]
    columns = package.table_schema(name).field_names
    if fmt == "json":
        click.echo(json.dumps(shown, ensure_ascii=False, indent=2, default=_json_default))
    elif fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([_plain(row[column]) for column in columns] for row in shown)
        click.echo(out.getvalue(), nl=False)
    else:
        click.echo(_table(shown, columns))
        if len(shown) < len(rows):
            click.echo(f"({len(shown)} of {len(rows)} rows; --limit 0 shows all)")


@cli.command()
@click.option("--style", "-s", type=click.Choice(CITATION_STYLES), default="text", show_default=True, help="Citation style.")
@click.argument("name", required=False)
@click.argument("row_id", required=False)
def cite(style: str, name: str | None, row_id: str | None) -> None:
    """Cite the dataset, or show the claims and sources behind one row.

    With NAME and ROW_ID (the row's primary key, e.g. `cite stages 2.0`), print
    that row's claims, the evidence that checks them and every source cited.
    """
    package = _package()
    chosen = cast("CitationStyle", style)  # click.Choice has already checked it
    if name is None:
        click.echo(package.citation(chosen))
        return
    if row_id is None:
        raise UsageError(f"cite {name}: give the row's id as well, e.g. `xborder-data show {name}` lists them")
    found = package.sources_for(name, row_id)
    click.echo(f"{name} {row_id}")
    for key, value in found.row.items():
        if value is not None:
            click.echo(f"  {key}: {_plain(value)}")
    click.echo(f"\nClaims ({len(found.claims)}):")
    for claim in found.claims:
        field = f" [{claim['field']}]" if claim.get("field") else ""
        click.echo(f"  {claim['claim_id']} ({claim['status']}){field}: {claim['as_printed']}")
    click.echo(f"\nEvidence ({len(found.evidence)}):")
    for item in found.evidence:
        quote = f': "{item["quote"]}"' if item.get("quote") else ""
        click.echo(f"  {item['evidence_id']} {item['stance']} {item['claim_id']}, from {item['source_id']}{quote}")
    click.echo(f"\nSources ({len(found.sources)}):")
    for source in found.sources:
        url = f" <{source['url']}>" if source.get("url") else ""
        click.echo(f"  {source['source_id']}: {source['title']}{url}")
    click.echo(f"\nCite the dataset as:\n  {package.citation(chosen)}")


@cli.command()
@click.argument("path", required=False, type=click.Path(exists=True))
def validate(path: str | None) -> None:
    """Validate with frictionless plus the integrity, type and key checks.

    Checks the package at PATH (a folder or its datapackage.json), else the
    --package one, else the bundled one. Exits 0 when valid, 1 when not.
    """
    import xborder_data

    package = xborder_data.open(path) if path else _package()
    report = package.validate()
    click.echo(f"{package.package_path()}: {report.summary()}")
    if not report.valid:
        sys.exit(1)


@cli.command()
@click.argument("fmt", metavar="FORMAT", type=click.Choice(EXPORT_FORMATS))
@click.argument("outdir", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Replace files that already exist.")
@click.option("--excel", is_flag=True, help="csv only: UTF-8 with BOM, formula-like text cells quoted, one CSV per table.")
def export(fmt: str, outdir: str, force: bool, excel: bool) -> None:
    """Write the package as FORMAT into OUTDIR.

    \b
    csv      the Data Package as downloaded (datapackage.json, data/, schemas/)
    json     NAME.json (records) per table, plus descriptor.json
    sqlite   xborder-data.sqlite with primary and foreign keys
    parquet  NAME.parquet per table (needs xborder-data[parquet])
    xlsx     xborder-data.xlsx, a README sheet plus one sheet per table (needs xborder-data[xlsx])
    zip      xborder-data-VERSION.zip, the Data Package in one file

    Existing files are never replaced without --force; each file is written
    to a temporary file and renamed into place.
    """
    from xborder_data.exports import export as run_export

    for path in run_export(_package(), fmt, outdir, force=force, excel=excel):
        click.echo(str(path))


@cli.command()
@click.option("--start", type=int, required=True, help="First year of the panel.")
@click.option("--end", type=int, required=True, help="Last year of the panel (inclusive).")
@click.option("--level", type=click.Choice(PANEL_LEVELS), default="zone", show_default=True, help="One unit per zone, or per enclosing prefecture.")
@click.option("--rule", type=click.Choice(PANEL_RULES), default="approval_year", show_default=True, help="How a batch's approval date gives its first treated year.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None, help="Write the CSV to this file instead of standard output.")
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
def panel(start: int, end: int, level: str, rule: str, output: str | None, force: bool) -> None:
    """Write the pilot-zone unit × year treatment panel as CSV.

    One row per unit and year, with treated (0/1), the first treated year and
    the years since treatment; see xborder_data.pilot_zone_panel.
    """
    from xborder_data.panel import COLUMNS, panel_rows

    rows = panel_rows(_package(), start, end, cast("Any", level), cast("Any", rule))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows([_plain(row[column]) for column in COLUMNS] for row in rows)
    if output is None:
        click.echo(out.getvalue(), nl=False)
        return
    _write_whole(output, out.getvalue().encode("utf-8"), force=force)
    click.echo(output)


def _write_whole(target: str, data: bytes, *, force: bool) -> None:
    """Write ``data`` to ``target`` all at once: a temporary file renamed into place."""
    import os
    import tempfile
    from pathlib import Path

    from xborder_data.errors import OutputExistsError

    path = Path(target)
    if path.exists() and not force:
        raise OutputExistsError(f"{path} exists; pass --force to replace it")
    handle, temporary = tempfile.mkstemp(dir=path.parent if str(path.parent) else ".", prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@cli.command()
@click.argument("outdir", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Replace files that already exist.")
def site(outdir: str, force: bool) -> None:
    """Build the package's static website into OUTDIR.

    Needs the optional extra: pip install 'xborder-data[site]'.
    """
    try:
        from xborder_data.site import build_site
    except ImportError as error:
        raise MissingDependencyError(
            f"the site builder cannot be imported ({error}); install `xborder-data[site]`"
        ) from None
    build_site(_package(), outdir, force=force)
    click.echo(f"site written to {outdir}")


def main() -> None:
    """Run the command line (the ``xborder-data`` entry point)."""
    cli(prog_name="xborder-data")
