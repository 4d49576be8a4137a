"""The validation report: what a validation found, a value that the package and the CLI pass on.

Apart from ``validation.py``, which produces it, so that a module may name the report without
depending on the validation itself (``Package.validate()`` returns one).
"""

from __future__ import annotations

from dataclasses import dataclass, field


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
    """The outcome of validating a package: ``valid`` is True when ``errors`` is empty.

    ``checked`` names the resources that loaded cleanly; ``checks`` says, in
    words, each check that ran to completion. A check that could not run is an
    error, never silently left out. ``frictionless`` is frictionless' own report.
    """

    valid: bool
    errors: list[ValidationIssue] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    frictionless: str = ""

    def summary(self) -> str:
        """Return a readable, multi-line report."""
        head = "valid" if self.valid else f"INVALID: {len(self.errors)} error(s)"
        lines = [head]
        lines += [f"  checked: {item}" for item in self.checks]
        for issue in self.errors:
            where = ", ".join(
                part
                for part in (issue.resource, f"row {issue.row}" if issue.row else None, f"field {issue.field}" if issue.field else None)
                if part
            )
            lines.append(f"  [{issue.type}] {where}: {issue.message}" if where else f"  [{issue.type}] {issue.message}")
        return "\n".join(lines)
