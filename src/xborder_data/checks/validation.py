"""A structured validation report: the loader's own checks, then frictionless on the verified bytes.

frictionless never sees the copy itself: it reads the bytes the loader has
already checked (``Package.files()``), written to a private temporary folder,
so it cannot follow a URL, a symlink or a FIFO that the loader would refuse.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from xborder_data.checks.report import ValidationIssue, ValidationReport
from xborder_data.errors import XborderDataError

# A Package, read through its methods; not imported: validation sits above the package it reads.
PackageReader = Any


# The official profiles frictionless knows offline; any other would be fetched.
_OFFLINE_PROFILES = {
    "https://datapackage.org/profiles/2.0/datapackage.json",
    "https://datapackage.org/profiles/2.0/dataresource.json",
    "https://datapackage.org/profiles/1.0/datapackage.json",
    "https://datapackage.org/profiles/1.0/dataresource.json",
    "data-package", "tabular-data-package", "data-resource", "tabular-data-resource",
}


def issue_of(error: XborderDataError) -> ValidationIssue:
    return ValidationIssue(type(error).__name__, str(error), error.resource, error.row_number, error.field_name)


def remote_profiles(descriptor: dict[str, Any]) -> list[str]:
    found = [descriptor.get(key) for key in ("$schema", "profile")]
    for resource in descriptor.get("resources", []):
        found += [resource.get(key) for key in ("$schema", "profile")]
    return [str(value) for value in found if value is not None and value not in _OFFLINE_PROFILES]


def _without_patterns(files: dict[str, bytes]) -> dict[str, bytes]:
    """``files`` with every field's ``pattern`` removed from the descriptor and the schemas.

    frictionless matches patterns with ``re``, which no timeout can stop: a pattern
    that backtracks would hang validation. The loader has matched them already,
    under its time budget, before frictionless runs.
    """

    def strip(schema: Any) -> None:
        for item in schema.get("fields", []) if isinstance(schema, dict) else []:
            if isinstance(item, dict) and isinstance(item.get("constraints"), dict):
                item["constraints"].pop("pattern", None)

    descriptor = json.loads(files["datapackage.json"])
    schema_files = set()
    for resource in descriptor.get("resources", []):
        schema = resource.get("schema") if isinstance(resource, dict) else None
        if isinstance(schema, str):
            schema_files.add(schema)
        else:
            strip(schema)
    out = dict(files, **{"datapackage.json": json.dumps(descriptor, ensure_ascii=False).encode("utf-8")})
    for relative in schema_files & set(files):
        schema = json.loads(files[relative])
        strip(schema)
        out[relative] = json.dumps(schema, ensure_ascii=False).encode("utf-8")
    return out


def frictionless_issues(files: dict[str, bytes]) -> tuple[list[ValidationIssue], str]:
    """Run frictionless on ``files`` (patterns left to the loader) written to a private folder; restore what it changes."""
    import frictionless

    files = _without_patterns(files)
    limit = csv.field_size_limit()  # frictionless raises it for the whole process
    try:
        with tempfile.TemporaryDirectory(prefix="xborder-validate-") as folder:
            for relative, data in files.items():
                target = Path(folder, relative)
                target.parent.mkdir(parents=True, exist_ok=True)
                with open(target, "xb") as handle:  # exclusive: never through a planted link
                    handle.write(data)
            report = frictionless.Package(os.path.join(folder, "datapackage.json")).validate()
            text = report.to_summary()
    finally:
        csv.field_size_limit(limit)
    issues = [ValidationIssue(type=e.type, message=e.message) for e in report.errors]
    for task in report.tasks:
        for error in task.errors:
            issues.append(
                ValidationIssue(
                    type=error.type,
                    message=error.message,
                    resource=task.name,
                    row=getattr(error, "row_number", None),
                    field=getattr(error, "field_name", None),
                )
            )
    return issues, text


def validate(package: "PackageReader") -> "ValidationReport":
    """Validate with frictionless plus the integrity checks; return a report."""
    issues: list[ValidationIssue] = []
    checks: list[str] = []
    checked: list[str] = []
    names = package.resources()
    for name in names:
        try:
            package.table(name)
            checked.append(name)
        except XborderDataError as error:
            issues.append(issue_of(error))
    if len(checked) == len(names):
        checks.append(f"bytes and sha256 of all {len(checked)} data files match datapackage.json")
        checks.append("every cell casts to its type and meets its constraints; unique and primary keys hold")
        try:
            package.check_references()
            checks.append("every foreign key resolves")
        except XborderDataError as error:
            issues.append(issue_of(error))
        from xborder_data.checks.facts import FACTS, fact_errors

        try:
            broken = fact_errors(package)
            issues.extend(issue_of(error) for error in broken)
            if not broken and any(set(fact.reads) & set(names) for fact in FACTS):
                checks.append("the facts the panels rely on hold: levels, counts, unit numbers, date order, code changes, programme rounds")
        except XborderDataError as error:
            issues.append(issue_of(error))
    try:
        release = package.compare_with_release()
        if release.known and not release.identical:
            issues.append(ValidationIssue("release-mismatch", f"the copy says it is version {release.version} but {release.summary()}"))
        elif release.identical:
            checks.append(f"every file is identical to release {release.version} (the library's manifest)")
    except XborderDataError as error:
        issues.append(issue_of(error))
    text = ""
    remote = remote_profiles(package.descriptor())
    if remote:
        issues.append(ValidationIssue("profile-not-offline", f"frictionless was not run: it would fetch the profile(s) {remote}"))
    elif len(checked) == len(names):
        try:
            found, text = frictionless_issues(package.files())
            issues.extend(found)
            checks.append("frictionless validates the verified files (descriptor against the Data Package profile, every table; "
                          "patterns are left to the loader's time-bounded matcher, since frictionless' cannot be stopped)")
        except XborderDataError as error:
            issues.append(issue_of(error))
        except Exception as error:  # frictionless may fail on a descriptor it cannot read: report it, never crash
            issues.append(ValidationIssue(type="frictionless-failure", message=f"{type(error).__name__}: {error}"))
    else:
        issues.append(ValidationIssue("frictionless-skipped", "frictionless was not run: it reads only files that passed the checks above"))
    return ValidationReport(valid=not issues, errors=issues, checked=checked, checks=checks, frictionless=text)
