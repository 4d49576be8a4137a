"""Checking a data file's size and sha256 against the descriptor before parsing."""

from __future__ import annotations

import hashlib
from pathlib import Path

from xborder_data.errors import IntegrityError

REMEDY = (
    "download the release again, or if you edited the data on purpose, run "
    "'uv run python -m xborder_data.maintain' to rewrite bytes and hash"
)


def sha256_hex(data: bytes) -> str:
    """Return the hex sha256 digest of ``data``."""
    return hashlib.sha256(data).hexdigest()


def verify(data: bytes, path: Path, expected_bytes: int | None, expected_hash: str | None) -> None:
    """Raise IntegrityError when ``data`` differs from the descriptor's bytes or hash.

    Args:
        data: the file's content, read once by the caller.
        path: the file, for the message.
        expected_bytes: the descriptor's ``bytes``, or None when absent.
        expected_hash: the descriptor's ``hash``: ``sha256:<hex>`` or a bare md5.
    """
    if expected_bytes is not None and len(data) != expected_bytes:
        raise IntegrityError(
            f"{path}: size is {len(data)} bytes but datapackage.json says {expected_bytes} "
            f"(truncated or appended?); {REMEDY}."
        )
    if expected_hash is None:
        return
    algorithm, _, digest = expected_hash.partition(":") if ":" in expected_hash else ("md5", "", expected_hash)
    try:
        actual = hashlib.new(algorithm, data).hexdigest()
    except ValueError:
        raise IntegrityError(f"{path}: unknown hash algorithm {algorithm!r} in datapackage.json; use sha256.") from None
    if actual != digest.lower():
        raise IntegrityError(
            f"{path}: {algorithm} is {actual} but datapackage.json says {digest} (corrupted or edited); {REMEDY}."
        )
