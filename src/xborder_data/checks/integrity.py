"""What a copy's integrity rests on: sha256 digests, and the manifest of every shipped release.

A downloaded copy cannot vouch for itself: whoever edits a data file can also
rewrite its hash in datapackage.json. The manifest (``releases.json``, shipped
inside the library) records the sha256 of every file of each release, so a copy
can be compared with what was actually released.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from importlib.resources import files

MANIFEST = "releases.json"


def sha256_hex(data: bytes) -> str:
    """Return the hex sha256 digest of ``data``."""
    return hashlib.sha256(data).hexdigest()


def release_manifest() -> dict[str, dict[str, str]]:
    """Return version -> relative path -> sha256 for every release this library knows."""
    text = files("xborder_data").joinpath(MANIFEST).read_text(encoding="utf-8")
    manifest: dict[str, dict[str, str]] = json.loads(text)
    return manifest


# Files outside the Data Package that outputs embed (the site's datasheet page): part
# of the release manifest, so that `verify` reports an edited one.
EMBEDDED = ("DATASHEET.md",)


@dataclass(frozen=True)
class ReleaseComparison:
    """How a copy's files compare with one release of the manifest."""

    version: str
    known: bool
    changed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return self.known and not (self.changed or self.missing or self.extra)

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


def compare_with_release(version: str, digests: dict[str, str]) -> ReleaseComparison:
    """Compare relative path -> sha256 of a copy with the manifest entry of ``version``.

    The embedded files (``EMBEDDED``: the datasheet the site publishes) are compared
    when both have them; a copy without one is not "missing" it, and a release
    that predates their place in the manifest does not count them as extra.
    """
    expected = release_manifest().get(version)
    if expected is None:
        return ReleaseComparison(version, known=False)
    return ReleaseComparison(
        version,
        known=True,
        changed=sorted(path for path in digests.keys() & expected.keys() if digests[path] != expected[path]),
        missing=sorted(expected.keys() - digests.keys() - set(EMBEDDED)),
        extra=sorted(digests.keys() - expected.keys() - set(EMBEDDED)),
    )
