"""The ``xborder-data`` command: a thin click layer over the library.

Library errors become one line on stderr at this boundary: bad input exits 2,
anything else exits 1, and ``--debug`` shows the traceback instead. ``--help``,
``list`` and ``info`` run without importing pandas or frictionless.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from typing import TYPE_CHECKING, Any, cast

import click

from xborder_data._version import __version__
from xborder_data.errors import (
    IntegrityError,
    MissingDependencyError,
    UnknownResourceError,
    UnknownRowError,
    UnsafeOutputError,
    UsageError,
    XborderDataError,
)
from xborder_data.terminal import configure_streams, json_text, os_error_message, printable, silence_stdout

if TYPE_CHECKING:
    from pathlib import Path

    from xborder_data.citing.cite import CitationStyle
    from xborder_data.package import Package

# Each list of choices has one home, in the module that implements it; these
# imports are light (no pandas), so every command can afford them.
from xborder_data.exports import FORMATS as EXPORT_FORMATS  # noqa: E402
from xborder_data.citing.cite import STYLES as CITATION_STYLES  # noqa: E402
from xborder_data.research.panel import LEVELS as PANEL_LEVELS  # noqa: E402
from xborder_data.research.panel import RULES as PANEL_RULES  # noqa: E402
from xborder_data.research.panel import TREATMENTS as PANEL_TREATMENTS  # noqa: E402
from xborder_data.tableschema.types import csv_text, json_value  # noqa: E402
from xborder_data.terminal import terminal_room, text_table  # noqa: E402
from xborder_data.research.panel import COUNTY_ZONES as PANEL_COUNTY_ZONES  # noqa: E402

SHOW_FORMATS = ("table", "csv", "json")
_BAD_INPUT = (UsageError, UnknownResourceError, UnknownRowError, UnsafeOutputError)
_PACKAGE_KEY = "xborder_data.package_dir"
_PACKAGE_HELP = "Use the Data Package at PATH (a folder or its datapackage.json) instead of the bundled one."


class _Group(click.Group):
    """Turns library and OS errors into one-line click errors, unless --debug asks for the traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            result = super().invoke(ctx)
            sys.stdout.flush()  # a full or closed stdout fails here, where it is handled
            return result
        except XborderDataError as error:
            if ctx.params.get("debug"):
                raise
            message = printable(" ".join(str(error).split()))  # one line, whatever the library wrote
            if isinstance(error, _BAD_INPUT):
                raise click.UsageError(message) from error
            raise click.ClickException(message) from error
        except KeyboardInterrupt as stop:  # Ctrl-C, or SIGTERM during an output (storage.interrupts)
            if ctx.params.get("debug"):
                raise
            code = getattr(stop, "exit_code", 130)
            name = getattr(stop, "name", "SIGINT")
            click.echo(f"Error: stopped by {name}; an unfinished output is never moved into place.", err=True)
            sys.unraisablehook = lambda _unraisable: None  # half-written libraries' finalizers would print tracebacks on exit
            ctx.exit(code)
        except BrokenPipeError:
            # The reader left early (`show … | head`): what it read is all it wanted, as with cat or git.
            silence_stdout()
            ctx.exit(0)
        except (MemoryError, RecursionError) as error:  # a hostile copy can still find a way to exhaust them
            if ctx.params.get("debug"):
                raise
            raise click.ClickException(
                f"ran out of {'memory' if isinstance(error, MemoryError) else 'recursion depth'}; "
                "the package is larger or deeper than this machine can read: download the release again."
            ) from None
        except OSError as error:  # disk full, read-only, permissions, /dev/full as stdout
            if ctx.params.get("debug"):
                raise
            try:
                sys.stdout.flush()
            except OSError:
                silence_stdout()  # else Python's own final flush fails again, with a traceback
            raise click.ClickException(printable(os_error_message(error))) from error


def _remember_package(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.meta[_PACKAGE_KEY] = value  # meta is shared by the group and its commands


def _package_option(command: Any) -> Any:
    """Accept --package after a subcommand as well as before it; the later one wins."""
    return click.option(
        "--package", type=click.Path(exists=True), metavar="PATH", expose_value=False,
        callback=_remember_package, help=_PACKAGE_HELP,
    )(command)


def _echo_lines(text: str, *, err: bool = False) -> None:
    """Print ``text`` line by line, each through ``printable``: metadata never reaches the terminal raw."""
    click.echo("\n".join(printable(line) for line in text.split("\n")), err=err)


def _echo_table(text: str) -> None:
    """Print CSV text: on a terminal each line through ``printable``; redirected, byte for byte."""
    click.echo("\n".join(printable(line) for line in text.split("\n")) if sys.stdout.isatty() else text, nl=False)


def _package() -> "Package":
    """The package chosen with --package (before or after the command), or the bundled one."""
    import xborder_data

    chosen = click.get_current_context().meta.get(_PACKAGE_KEY)
    return xborder_data.open(chosen) if chosen else xborder_data.bundled()


def _resource_name(package: "Package", name: str) -> str:
    """Return ``name`` when the package has it; else fail with the closest name suggested."""
    package.resource(name)  # raises UnknownResourceError with the suggestion
    return name


@click.group(
    cls=_Group,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--package", "package_dir", type=click.Path(exists=True), metavar="PATH",
    callback=_remember_package, help=_PACKAGE_HELP,
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
@_package_option
def info() -> None:
    """Summarise the bundled package: resources, integrity, validation and how to cite it.

    Every data file's size and sha256 are checked against datapackage.json, every
    cell against its type and every foreign key against its target; exits 1 when
    any check fails. A copy whose every file is this library's release takes its
    counts from the release manifest, where they were recorded after those checks.
    """
    from xborder_data.summary import package_summary

    lines, well = package_summary(_package())
    for text, err in lines:
        click.echo(text, err=err)
    if not well:
        sys.exit(1)


@cli.command("list")
@_package_option
def list_() -> None:
    """List the resource names with their row counts."""
    from xborder_data.summary import validated_rows

    package = _package()
    names = package.resources()
    width = max(len(name) for name in names)
    released = validated_rows(package)  # counted and checked when the release was made
    for name in names:
        click.echo(printable(f"{name:<{width}}  {released[name] if released else len(package.records(name)):>4}"))


def _named_row_ids(package: "Package", name: str, row_id: str) -> list[str]:
    """The ids of the rows of ``name`` that ROW_ID names: the id itself, or a code or name `lookup` finds.

    Raises UnknownRowError, naming the lookup command, when it names none.
    """
    from xborder_data.research.lookup import TABLES, row_ids

    ids = row_ids(package, name, row_id)
    if not ids:
        names = " a division code or a name," if name in TABLES else ""
        raise UnknownRowError(
            f"resource {name!r} has no row {row_id!r}; give a row id,{names} e.g. from "
            f"`xborder-data lookup {row_id}` (finds a place's codes and ids) or `xborder-data show {name} --limit 0`"
        )
    return ids


@cli.command()
@click.argument("name")
@click.argument("row_id", required=False)
@click.option("--limit", "-n", type=click.IntRange(min=0), default=None, help="Rows to show; 0 for all.  [default: 10 for the table, all for csv and json]")
@click.option(
    "--format", "-f", "fmt", type=click.Choice(SHOW_FORMATS), default="table", show_default=True,
    help="table is for reading (fits the terminal, long cells cut); csv and json give the full values.",
)
@click.option("--wide", is_flag=True, help="table only: every column and every cell in full, however wide the terminal.")
@_package_option
def show(name: str, row_id: str | None, limit: int | None, fmt: str, wide: bool) -> None:
    """Print the rows of resource NAME.

    With ROW_ID, only the rows it names: a row's id, or for units, pilot_zones
    and programme_members a division code or a place name (`show units 330782`,
    `show pilot_zones Taizhou`), as `xborder-data lookup` finds them.

    The table fits the terminal's width (the COLUMNS variable overrides it):
    long cells end in "…" and the columns that do not fit are left out.
    """
    package = _package()
    rows = package.records(_resource_name(package, name))
    if row_id is not None:
        ids = set(_named_row_ids(package, name, row_id))
        key = package.table_schema(name).primary_key[0]
        rows = [row for row in rows if str(row[key]) in ids]
    limit = (10 if fmt == "table" else 0) if limit is None else limit  # csv and json print the data file's rows, all of them
    shown = rows if limit == 0 else rows[:limit]
    columns = package.table_schema(name).field_names
    if fmt == "json":
        strict = [{key: json_value(value) for key, value in row.items()} for row in shown]
        click.echo(json_text(json.dumps(strict, ensure_ascii=False, indent=2, allow_nan=False)))
    elif fmt == "csv":
        # Exact values for a file or pipe; control characters made visible on a terminal.
        shown_text = printable if sys.stdout.isatty() else str
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([shown_text(column) for column in columns])
        writer.writerows([shown_text(csv_text(row[column])) for column in columns] for row in shown)
        click.echo(out.getvalue(), nl=False)
    else:
        room = terminal_room(wide)
        text, fitted = text_table([[csv_text(row[column]) for column in columns] for row in shown], columns, room)
        click.echo(text)
        if fitted < len(columns):
            click.echo(f"({fitted} of {len(columns)} columns fit the terminal; --wide shows all, -f csv gives full values)")
        if len(shown) < len(rows):
            click.echo(f"({len(shown)} of {len(rows)} rows; --limit 0 shows all)")


@cli.command()
@click.option("--style", "-s", type=click.Choice(CITATION_STYLES), default="text", show_default=True, help="Citation style.")
@click.argument("name", required=False)
@click.argument("row_id", required=False)
@_package_option
def cite(style: str, name: str | None, row_id: str | None) -> None:
    """Cite the dataset, or show the claims and sources behind one row.

    \b
    Styles: text, apa, bibtex, ris, csl-json; gbt7714 is GB/T 7714-2015 in
    Chinese and gbt7714-en the same reference in English: a [DS/OL] dataset
    with the homepage, [DS] while the package states none, with the version,
    the package date and today's date as the citation date.

    With NAME and ROW_ID (the row's primary key, e.g. `cite stages 2.0`; for
    units, pilot_zones and programme_members also a division code or a name,
    e.g. `cite pilot_zones Yiwu`), print that row's claims, the evidence that
    checks them and every source cited.
    """
    package = _package()
    chosen = cast("CitationStyle", style)  # click.Choice has already checked it
    if name is None:
        # Multi-line styles (bibtex) keep their line breaks; other controls are made visible.
        click.echo("\n".join(printable(line) for line in package.citation(chosen).split("\n")))
        return
    _resource_name(package, name)
    if row_id is None:
        raise UsageError(f"cite {name}: give the row's id as well, e.g. `uv run xborder-data show {name}` lists them")
    try:
        ids = _named_row_ids(package, name, row_id)
    except UnknownRowError:
        ids = [row_id]  # a typed key ("2" for 2.0) is the library's to read; its error names the ids
    if len(ids) > 1:
        raise UsageError(f"cite {name}: {row_id!r} names {len(ids)} rows ({', '.join(ids)}); give one of them "
                         f"(`xborder-data lookup {row_id}` tells them apart)")
    try:
        found = package.sources_for(name, ids[0])
    except UnknownRowError as error:
        from xborder_data.research.lookup import TABLES

        if name not in TABLES:
            raise
        raise UnknownRowError(f"{error} `xborder-data lookup {row_id}` finds a place's codes and row ids.") from None
    row_id = ids[0]

    def line(text: str) -> None:
        click.echo(printable(text))  # every value here comes from the data

    line(f"{name} {row_id}")
    for key, value in found.row.items():
        if value is not None:
            line(f"  {key}: {csv_text(value)}")
    click.echo(f"\nClaims ({len(found.claims)}):")
    for claim in found.claims:
        field = f" [{claim['field']}]" if claim.get("field") else ""
        line(f"  {claim['claim_id']} ({claim['status']}){field}: {claim['as_printed']}")
    click.echo(f"\nEvidence ({len(found.evidence)}):")
    for item in found.evidence:
        quote = f': "{item["quote"]}"' if item.get("quote") else ""
        line(f"  {item['evidence_id']} {item['stance']} {item['claim_id']}, from {item['source_id']}{quote}")
    click.echo(f"\nSources ({len(found.sources)}):")
    for source in found.sources:
        url = f" <{source['url']}>" if source.get("url") else ""
        line(f"  {source['source_id']}: {source['title']}{url}")
    click.echo("\nCite the dataset as:")
    line(f"  {package.citation(chosen)}")


@cli.command()
@click.argument("query")
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
              help="table is for reading (fits the terminal); json gives every field of the result.")
@click.option("--wide", is_flag=True, help="table only: every cell in full, however wide the terminal.")
@_package_option
def lookup(query: str, fmt: str, wide: bool) -> None:
    """Find a place by name or code, with every pilot-zone batch and programme round it belongs to.

    QUERY is a Chinese name (义乌, 义乌市), an English name (Yiwu, "Yiwu City",
    Xi'an or Xian, with or without tone marks), a division code (330782) or a
    row id (b3-330782). It searches units, pilot_zones and programme_members,
    customs districts included (filed under the city that seats them). A name
    that fits several places (Taizhou) lists them all; a name that fits none
    prints near matches (and the successors of a retired code or name) and
    exits 1. Memberships through a county-level member inside a prefecture are
    listed for the prefecture, marked in "via".
    """
    import dataclasses

    from xborder_data.research.lookup import lookup as find

    result = find(query, package=_package())
    if fmt == "json":
        data = dataclasses.asdict(result) | {"ambiguous": result.ambiguous}
        click.echo(json_text(json.dumps(data, ensure_ascii=False, indent=2, default=json_value)))
    else:
        _echo_lines(result.summary())
        room = terminal_room(wide)
        columns = ["programme", "round", "approved", "announced", "effective", "row", "inferred", "sources", "via"]
        for place in result.places:
            parent = f", in {place.parent_code}" if place.parent_code and place.parent_code != place.code else ""
            _echo_lines(f"\n{place.label}: {place.level}, {place.province_zh} {place.province_en}{parent}")
            _echo_lines(f"matched {'; '.join(place.matched)}")
            if not place.memberships:
                click.echo("no pilot-zone batch or programme round lists it")
                continue
            rows = [{"programme": m.programme_zh or m.programme_id, "round": m.round_label, "approved": m.approved_date,
                     "announced": m.announced_date, "effective": m.effective_date, "row": m.row_id, "inferred": m.inferred_by,
                     "sources": ", ".join(m.source_ids), "via": m.via} for m in place.memberships]
            filled = [column for column in columns if any(row[column] for row in rows)]  # no empty "via" or date column
            text, fitted = text_table([[csv_text(row[column]) for column in filled] for row in rows], filled, room)
            click.echo(text)
            if fitted < len(filled):
                click.echo(f"({fitted} of {len(filled)} columns fit the terminal; --wide shows all, -f json gives every field)")
            for m in place.memberships:
                if m.inferred_by == "list_order":  # an English name that fits two places: the row's note argues which
                    _echo_lines(f"{m.row_id}: inferred from its place in the reply's list, not named in Chinese; "
                                f"its note gives the argument (xborder-data cite {m.resource} {m.row_id})")
    if not result:
        sys.exit(1)


@cli.command()
@click.argument("path", required=False, type=click.Path(exists=True))
@click.option("--verbose", "-v", is_flag=True, help="Print the full frictionless report (every resource, rows checked) first.")
@_package_option
def validate(path: str | None, verbose: bool) -> None:
    """Validate with frictionless plus the integrity, type and key checks.

    Checks the package at PATH (a folder or its datapackage.json), else the
    --package one, else the bundled one. Exits 0 when valid, 1 when not.
    """
    import xborder_data

    package = xborder_data.open(path) if path else _package()
    report = package.validate()
    if verbose and report.frictionless:
        _echo_lines(report.frictionless.strip())  # frictionless' own report, run on the verified bytes
    _echo_lines(f"{package.package_path()}: {report.summary()}")
    if not report.valid:
        sys.exit(1)


@cli.command()
@click.argument("path", required=False, type=click.Path(exists=True))
@_package_option
def verify(path: str | None) -> None:
    """Compare every file with the release manifest shipped in this library.

    Checks the package at PATH (a folder or its datapackage.json), else the
    --package one, else the bundled one: the sha256 of its descriptor, schemas
    and data files against those of the release it claims to be. A copy whose
    own hashes were rewritten cannot pass. Exits 0 when identical, 1 when not.
    """
    import xborder_data

    package = xborder_data.open(path) if path else _package()
    comparison = package.compare_with_release()
    _echo_lines(f"{package.package_path()}: {comparison.summary()}")
    if not comparison.identical:
        sys.exit(1)


@cli.command()
@click.argument("fmt", metavar="FORMAT", type=click.Choice(EXPORT_FORMATS))
@click.argument("outdir", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Replace the files this export writes if they exist; nothing else in OUTDIR.")
@click.option("--excel", is_flag=True, help="csv only: UTF-8 with BOM, formula-like cells quoted, one CSV per table.")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True,
              help="dta, xlsx, datasette: labels and descriptions in English or Chinese (English where a field has no Chinese text).")
@_package_option
def export(fmt: str, outdir: str, force: bool, excel: bool, lang: str) -> None:
    """Write the package as FORMAT into OUTDIR.

    \b
    csv      the Data Package as downloaded (datapackage.json, data/, schemas/)
    json     NAME.json (records) per table, plus descriptor.json
    sqlite   xborder-data.sqlite with primary and foreign keys, plus the did_panel table
    parquet  NAME.parquet per table plus did_panel.parquet
    xlsx     xborder-data.xlsx: a sheet of every column (title, type, description), a README
             sheet, one sheet per table and did_panel, each set to print (needs xborder-data[xlsx])
    zip      xborder-data-VERSION.zip, the Data Package in one file
    datasette
             xborder-data.sqlite plus metadata.json (titles, descriptions, licence)
             to serve with: datasette xborder-data.sqlite --metadata metadata.json
    dta      NAME.dta (Stata 118) per table plus did_panel.dta: variable labels from
             the field titles, text enums and batches as value labels (one label per
             set of choices), Unicode text; a value Stata cannot hold is refused or
             changed with a warning naming the cells

    All or nothing: the files are built in a staging folder beside OUTDIR and
    moved in when complete; on failure or Ctrl-C OUTDIR is left as it was.
    Without --force an existing file stops the export; --force replaces only
    the files listed above, never other files or folders.
    """
    import warnings

    from xborder_data.exports import export as run_export

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        paths = run_export(_package(), fmt, outdir, force=force, excel=excel, lang=lang)
    for warning in caught:
        click.echo(printable(f"warning: {' '.join(str(warning.message).split())}"), err=True)
    for path in paths:
        click.echo(printable(str(path)))


@cli.command()
@click.option("--start", type=int, required=True, help="First year of the panel.")
@click.option("--end", type=int, required=True, help="Last year of the panel (inclusive).")
@click.option("--level", type=click.Choice(PANEL_LEVELS), default="zone", show_default=True, help="One unit per zone, or per enclosing prefecture.")
@click.option("--rule", type=click.Choice(PANEL_RULES), default="approval_year", show_default=True, help="How a batch's approval date gives its first treated year.")
@click.option("--treatment", type=click.Choice(PANEL_TREATMENTS), default="absorbing", show_default=True, help="Treated from the first zone on, or only until the zone is revoked.")
@click.option("--balanced", is_flag=True, help="Every prefecture-level unit of `units`, never-treated ones coded 0 (see xborder_data.did_panel); prefecture level only.")
@click.option("--wide", is_flag=True, help="With --balanced: one row per unit, treated_<year> per year.")
@click.option("--programme", "programmes", multiple=True, metavar="ID",
              help="With --balanced: add a concurrent programme's treatment (<stem>_treated, _first_year, _unlisted, _rule_year; the stem is the ID without _pilot); "
                   "repeat it, or give 'all'. IDs: xborder-data show programmes.")
@click.option("--county-zones", type=click.Choice(PANEL_COUNTY_ZONES), default="parent", show_default=True,
              help="Whether a zone (or member) below prefecture level, such as Yiwu, treats the prefecture that holds it.")
@click.option("--named-only", is_flag=True, help="Leave out zones identified only by list order, and members derived by rule.")
@click.option("--format", "fmt", type=click.Choice(["csv", "dta", "parquet", "xlsx"]), default="csv", show_default=True, help="csv, Stata 118 .dta with variable labels, Parquet or xlsx; all but csv need --output.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None, help="Write the panel to this file instead of standard output.")
@click.option("--force", is_flag=True, help="Replace the output file if it exists.")
@_package_option
@click.pass_context
def panel(ctx: click.Context, start: int, end: int, level: str, rule: str, treatment: str, balanced: bool, wide: bool,
          programmes: tuple[str, ...], county_zones: str, named_only: bool, fmt: str, output: str | None, force: bool) -> None:
    """Write the pilot-zone unit × year treatment panel.

    One row per unit and year, with treated (0/1), the first treated year and
    the years since treatment; see xborder_data.pilot_zone_panel, and
    xborder_data.did_panel for --balanced.
    """
    from xborder_data.research import did
    from xborder_data.research.panel import COLUMNS, panel_rows

    if fmt != "csv" and output is None:
        raise click.UsageError(f"--format {fmt} writes a binary file: give --output FILE")
    if balanced and ctx.get_parameter_source("level") is not click.core.ParameterSource.DEFAULT:
        raise click.UsageError("--balanced is a prefecture-level panel; drop --level")
    if wide and not balanced:
        raise click.UsageError("--wide needs --balanced (one row per prefecture-level unit)")
    if programmes and not balanced:
        raise click.UsageError("--programme needs --balanced (the programmes' treatment of every prefecture-level unit)")
    chosen: Any = "all" if "all" in programmes else list(programmes)
    options: dict[str, Any] = {"county_zones": county_zones, "inferred": not named_only}
    suffix = (output or "").rsplit(".", 1)[-1].lower() if output and "." in output else ""
    if suffix in ("csv", "dta", "parquet", "xlsx") and suffix != fmt:
        raise click.UsageError(f"--output {output!r} ends in .{suffix} but --format is {fmt}; pass --format {suffix}")
    if fmt == "csv" and not wide:
        rows = (did.did_rows(_package(), start, end, cast("Any", rule), cast("Any", treatment), programmes=chosen, **options)
                if balanced else panel_rows(_package(), start, end, cast("Any", level), cast("Any", rule), cast("Any", treatment), **options))
        from xborder_data.research.programmes import resolve

        columns = did.columns(resolve(_package(), chosen)) if balanced else COLUMNS
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([csv_text(row[column]) for column in columns] for row in rows)
        _emit_csv(out.getvalue(), output, force=force)
        return
    import xborder_data

    frame = did.did_panel(start, end, cast("Any", rule), treatment=cast("Any", treatment), form="wide" if wide else "long",
                          programmes=chosen, package=_package(), **options) if balanced else xborder_data.pilot_zone_panel(
        start, end, cast("Any", level), cast("Any", rule), treatment=cast("Any", treatment), package=_package(), **options)
    if fmt == "csv":  # the wide form
        _emit_csv(frame.to_csv(index=False, lineterminator="\n", date_format="%Y-%m-%d"), output, force=force)
        return
    kind = ("balanced wide" if wide else "balanced") if balanced else level
    # Stata keeps 80 characters of a data label: the choices come first, in full.
    _write_frame(frame, output or "", fmt, force=force, title=f"{kind} panel {start}-{end}, {rule}, {treatment}")
    click.echo(printable(output or ""))


def _emit_csv(text: str, output: str | None, *, force: bool) -> None:
    """CSV text to standard output (escaped on a terminal), or to ``output`` all or nothing."""
    from xborder_data.exports.panel_file import write_bytes_file

    if output is None:
        _echo_table(text)
        return
    write_bytes_file(_package(), output, text.encode("utf-8"), force=force)
    click.echo(printable(output))


def _write_frame(frame: Any, target: str, fmt: str, *, force: bool, title: str) -> None:
    """Write a panel DataFrame as dta, parquet or xlsx (exports.panel_file), printing the writers' warnings as export does."""
    import warnings

    from xborder_data.exports.panel_file import write_frame_file
    from xborder_data.research.did import column_labels

    with warnings.catch_warnings(record=True) as caught:  # the writers name every cell they change
        warnings.simplefilter("always")
        write_frame_file(_package(), target, frame, fmt, force=force, title=title, labels=column_labels([str(c) for c in frame.columns]))
    for warning in caught:
        click.echo(printable(f"warning: {' '.join(str(warning.message).split())}"), err=True)


@cli.command()
@click.argument("outdir", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Replace OUTDIR if it is a site built earlier by this command.")
@_package_option
def site(outdir: str, force: bool) -> None:
    """Build the package's static website into OUTDIR.

    OUTDIR must be new, empty, or (with --force) a site this command built:
    such a folder carries a .xborder-data-owned file, and --force replaces it
    whole. Any other folder is refused, as are the current folder, the home
    folder and the package's folder or any folder above them.

    Needs the optional extra: pip install 'xborder-data[site]'.
    """
    try:
        from xborder_data.site import build_site
    except ImportError as error:
        raise MissingDependencyError(
            f"the site builder cannot be imported ({error}); install `xborder-data[site]`"
        ) from None
    build_site(_package(), outdir, force=force)
    click.echo(f"site written to {printable(outdir)}")


def main() -> None:
    """Run the command line (the ``xborder-data`` entry point)."""
    configure_streams()
    cli(prog_name="xborder-data")
