"""What the bare ``xborder-data`` prints: a package's summary, gathered one of two ways and written one way.

A copy identical to this library's own release needs no parsing to be
summarised: every file's sha256 equals the manifest's, and the manifest holds
the row counts the maintainer tool took after reading every cell and resolving
every key. ``release_summary`` serves that case without click, the schema
parser or the tables, a fraction of the start-up. Any other copy goes through
``package_summary``, which reads and checks every table.
"""

from __future__ import annotations

import json
import os
TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy reads the name)

from xborder_data._version import __version__
from xborder_data.checks.integrity import EMBEDDED, ReleaseComparison, compare_with_release, manifest_entries, sha256_hex
from xborder_data.errors import XborderDataError
from xborder_data.terminal import printable

if TYPE_CHECKING:
    from typing import Any

    from xborder_data.package import Package

Line = tuple[str, bool]  # the text, and whether it goes to stderr


def render(descriptor: dict[str, Any], resources: list[tuple[str, str, int | None]], problems: list[str],
           comparison: ReleaseComparison | None, validation: str | None) -> list[Line]:
    """The summary's lines; ``problems`` are integrity failures, ``validation`` a validation failure (or None)."""
    from xborder_data.citing.cite import STYLES, format_citation

    licences = ", ".join(
        f"{lic.get('name', '')} ({lic['title']})" if lic.get("title") else lic.get("name", "")
        for lic in descriptor.get("licenses", [])
    )
    out = [printable(str(descriptor.get("title", descriptor.get("name", "")))),
           printable(f"Version {descriptor.get('version', '')}, license {licences}"), "", f"Resources ({len(resources)}):"]
    width = max((len(name) for name, _, _ in resources), default=0)
    out += [printable(f"  {name:<{width}}  {'   ?' if rows is None else f'{rows:>4}'} rows  {description}")
            for name, description, rows in resources]
    lines: list[Line] = [(text, False) for text in out + [""]]
    if problems:
        lines.append((f"Integrity: FAILED for {len(problems)} of {len(resources)} data files", True))
        lines += [(f"  {problem}", True) for problem in problems]
    else:
        lines.append((f"Integrity: verified (bytes and sha256 of all {len(resources)} data files match datapackage.json)", False))
        if comparison is None:  # the tables read, yet a file beside them (the datasheet) could not be hashed
            lines.append(("Release: not compared, a file could not be read (xborder-data verify names it)", False))
        elif comparison.identical:
            lines += [(printable(text), False) for text in f"Release: {comparison.summary()}".split("\n")]
        else:  # the descriptor's hashes cover data files only, and an editor can rewrite them
            lines.append((printable(f"Release: {comparison.summary().splitlines()[0]} (xborder-data verify lists the files)"), False))
        if validation is not None:
            lines.append((f"Validation: FAILED: {validation}", True))
        else:
            lines.append(("Validation: every cell meets its Table Schema type and constraints, keys are unique, foreign keys resolve", False))
            if comparison is not None and comparison.validated_rows:
                lines.append((f"  (checked cell by cell when release {comparison.version} was made, and every file is identical to it;", False))
                lines.append(("   uv run xborder-data validate checks again now, --verbose adds the full frictionless report)", False))
            else:
                lines.append(("  (uv run xborder-data validate --verbose prints the full frictionless report)", False))
    lines += [("", False), ("Cite as:", False), (printable(f"  {format_citation(descriptor, 'text')}"), False),
              (f"  (uv run xborder-data cite --style {'|'.join(s for s in STYLES if s != 'text')} for other styles;", False),
              ("   uv run xborder-data cite NAME ROW_ID for one row's sources)", False)]
    return lines


def _one_line(error: XborderDataError) -> str:
    return printable(" ".join(str(error).split()))


def validated_rows(package: "Package") -> dict[str, int] | None:
    """Rows per resource when ``package`` is this library's own release, byte for byte; None means: read the tables.

    A copy claiming another version is not hashed: only this release's counts could be used.
    """
    try:
        if package.version != __version__:
            return None
    except XborderDataError:  # no version: the tables are read, and report what is wrong
        return None
    comparison = compared(package)
    return comparison.validated_rows if comparison else None


def compared(package: "Package") -> ReleaseComparison | None:
    """``package`` against the library's manifest (every file hashed, none parsed); None when a file cannot be read."""
    try:
        return package.compare_with_release()
    except XborderDataError:  # the per-table reading, or `verify`, reports it
        return None


def package_summary(package: "Package") -> tuple[list[Line], bool]:
    """The summary of any copy, every table read and checked (or counted from the manifest when identical); and whether all is well."""
    comparison = compared(package)
    released = comparison.validated_rows if comparison else None
    resources: list[tuple[str, str, int | None]] = []
    problems: list[str] = []
    for name in package.resources():
        try:
            rows: int | None = released[name] if released else len(package.records(name))
        except XborderDataError as error:
            problems.append(_one_line(error))
            rows = None
        resources.append((name, package.resource(name).description, rows))
    validation = None
    if not problems and not released:
        try:
            package.check_references()
        except XborderDataError as error:
            validation = _one_line(error)
    return render(package.descriptor(), resources, problems, comparison, validation), not problems and validation is None


def release_summary() -> list[Line] | None:
    """The summary of the bundled copy when every file is this library's release, from the manifest alone; else None."""
    from xborder_data.storage.locate import DESCRIPTOR_NAME, bundled_root
    from xborder_data.storage.paths import resolve_inside
    from xborder_data.storage.reading import DESCRIPTOR_LIMIT, TEXT_LIMIT, read_regular_file

    entries = manifest_entries()
    entry = entries.get(__version__)
    if entry is None or "rows" not in entry:
        return None
    digests: dict[str, str] = {}

    def read(relative: str, limit: int) -> bytes:
        data = read_regular_file(resolve_inside(root, relative, resource=relative), limit=limit)
        digests[relative] = sha256_hex(data)
        return data

    try:
        root = bundled_root()
        # The descriptor first: once it is the release's, its byte counts bound every data file read after it.
        descriptor_bytes = read(DESCRIPTOR_NAME, DESCRIPTOR_LIMIT)
        if digests[DESCRIPTOR_NAME] != entry["files"].get(DESCRIPTOR_NAME):
            return None
        descriptor = json.loads(descriptor_bytes)
        sizes = {r["path"]: r["bytes"] for r in descriptor["resources"]}
        for relative in entry["files"]:
            if relative in EMBEDDED and not os.path.lexists(root / relative):
                continue  # a copy without the datasheet: compare_with_release does not count it missing
            if relative != DESCRIPTOR_NAME:
                read(relative, TEXT_LIMIT if relative in EMBEDDED else sizes.get(relative, DESCRIPTOR_LIMIT))
    except (XborderDataError, OSError, ValueError, KeyError, TypeError):
        return None  # the full path reads the copy and reports what is wrong
    comparison = compare_with_release(__version__, digests, entries)  # the one rule of what "the release" is
    rows = comparison.validated_rows
    if rows is None:
        return None
    resources: list[tuple[str, str, int | None]] = [(r["name"], r.get("description", ""), rows[r["name"]]) for r in descriptor["resources"]]
    return render(descriptor, resources, [], comparison, None)
