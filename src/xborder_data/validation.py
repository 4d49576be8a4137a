"""A structured validation report: frictionless plus the loader's own checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from xborder_data.errors import XborderDataError

if TYPE_CHECKING:
    from xborder_data.package import Package


@dataclass(frozen=True)
class ValidationIssue:
    """One problem found in the package."""

    type: str
    message: str
    resource: str | None = None
    row: int | None = None
    field: str | None = None


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of validating a package: ``valid`` is True when ``errors`` is empty."""

    valid: bool
    errors: list[ValidationIssue] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """Return a readable, multi-line report."""
        head = "valid" if self.valid else f"INVALID: {len(self.errors)} error(s)"
        lines = [f"{head} ({len(self.checked)} resources loaded cleanly)"]
        for issue in self.errors:
            where = ", ".join(
                part
                for part in (issue.resource, f"row {issue.row}" if issue.row else None, f"field {issue.field}" if issue.field else None)
                if part
            )
            lines.append(f"  [{issue.type}] {where}: {issue.message}" if where else f"  [{issue.type}] {issue.message}")
        return "\n".join(lines)


def _frictionless_issues(package: "Package") -> list[ValidationIssue]:
    import frictionless

    report = frictionless.Package(str(package.package_path())).validate()
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
    return issues


def validate_package(package: "Package") -> ValidationReport:
    """Validate ``package`` with frictionless, then with the loader's integrity,
    type and foreign-key checks."""
    issues: list[ValidationIssue] = []
    try:
        issues.extend(_frictionless_issues(package))
    except Exception as error:  # frictionless may fail on a broken descriptor: report it, never crash
        issues.append(ValidationIssue(type="frictionless-failure", message=str(error)))
    checked: list[str] = []
    for name in package.resources():
        try:
            package.records(name)
            checked.append(name)
        except XborderDataError as error:
            issues.append(ValidationIssue(type=type(error).__name__, message=str(error), resource=name))
    if len(checked) == len(package.resources()):
        try:
            package.check_references()
        except XborderDataError as error:
            issues.append(ValidationIssue(type=type(error).__name__, message=str(error)))
    return ValidationReport(valid=not issues, errors=issues, checked=checked)
