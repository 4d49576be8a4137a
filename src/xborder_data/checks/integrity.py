"""What a copy's integrity rests on: sha256 digests, and the manifest of every shipped release.

A downloaded copy cannot vouch for itself: whoever edits a data file can also
rewrite its hash in datapackage.json. The manifest (``releases.json``, shipped
inside the library) records the sha256 of every file of each release, so a copy
can be compared with what was actually released. From 1.4.1 an entry also holds
each resource's row count, written by the maintainer tool only after the strict
reader has read every cell and resolved every key: a copy identical to the
release it claims to be needs no second reading to be summarised.
"""

from __future__ import annotations

import hashlib
import json
import os
TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy reads the name)

from xborder_data._version import __version__

if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

MANIFEST = "releases.json"


def sha256_hex(data: bytes) -> str:
    """Return the hex sha256 digest of ``data``."""
    return hashlib.sha256(data).hexdigest()


def manifest_entries() -> dict[str, dict[str, dict[str, Any]]]:
    """version -> {"files": path -> sha256, "rows": resource -> rows (from 1.4.1)}."""
    try:  # a plain file beside the package code: importlib.resources would double the summary's start-up
        with open(os.path.join(os.path.dirname(os.path.dirname(__file__)), MANIFEST), encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:  # imported from a zip archive
        from importlib.resources import files

        text = files("xborder_data").joinpath(MANIFEST).read_text(encoding="utf-8")
    entries: dict[str, dict[str, dict[str, Any]]] = json.loads(text)
    return entries


def release_manifest() -> dict[str, dict[str, str]]:
    """Return version -> relative path -> sha256 for every release this library knows."""
    return {version: entry["files"] for version, entry in manifest_entries().items()}


def released_rows(version: str) -> dict[str, int] | None:
    """Rows per resource of release ``version``, counted and validated when it was released (None before 1.4.1)."""
    entry = manifest_entries().get(version)
    return None if entry is None or "rows" not in entry else dict(entry["rows"])


# Files outside the Data Package that outputs embed (the site's datasheet page): part
# of the release manifest, so that `verify` reports an edited one.
EMBEDDED = ("DATASHEET.md",)


class ReleaseComparison:
    """How a copy's files compare with one release of the manifest (a plain class: no dataclasses import at start-up)."""

    def __init__(self, version: str, known: bool, changed: Iterable[str] = (), missing: Iterable[str] = (),
                 extra: Iterable[str] = (), rows: dict[str, int] | None = None) -> None:
        self.version, self.known = version, known
        self.changed, self.missing, self.extra = list(changed), list(missing), list(extra)
        self.rows = rows  # the release's row counts, where the manifest has them

    @property
    def identical(self) -> bool:
        return self.known and not (self.changed or self.missing or self.extra)

    @property
    def validated_rows(self) -> dict[str, int] | None:
        """Rows per resource for a copy identical to this library's own release, read and checked when it was made.

        None otherwise (another release, a changed byte, a release before 1.4.1):
        then the tables must be read to be counted or vouched for.
        """
        return self.rows if self.identical and self.version == __version__ else None

    def summary(self) -> str:
        """One line, or one line per differing file."""
        if not self.known:
            known = ", ".join(release_manifest()) or "none"
            return f"version {self.version} is not a release this library knows (known: {known}); its files cannot be compared"
        if self.identical:
            return f"identical to release {self.version} (sha256 of every file: descriptor, schemas, data, and the datasheet where present)"
        lines = [f"differs from release {self.version}:"]
        lines += [f"  changed: {path}" for path in self.changed]
        lines += [f"  missing: {path}" for path in self.missing]
        lines += [f"  not in the release: {path}" for path in self.extra]
        return "\n".join(lines)


def compare_with_release(version: str, digests: dict[str, str], entries: dict[str, Any] | None = None) -> ReleaseComparison:
    """Compare relative path -> sha256 of a copy with the manifest entry of ``version``.

    The embedded files (``EMBEDDED``: the datasheet the site publishes) are compared
    when both have them; a copy without one is not "missing" it, and a release
    that predates their place in the manifest does not count them as extra.
    ``entries``: the manifest, where the caller has read it already.
    """
    entry = (manifest_entries() if entries is None else entries).get(version)
    if entry is None:
        return ReleaseComparison(version, known=False)
    expected: dict[str, str] = entry["files"]
    return ReleaseComparison(
        version,
        known=True,
        changed=sorted(path for path in digests.keys() & expected.keys() if digests[path] != expected[path]),
        missing=sorted(expected.keys() - digests.keys() - set(EMBEDDED)),
        extra=sorted(digests.keys() - expected.keys() - set(EMBEDDED)),
        rows=entry.get("rows"),
    )
