"""Reading a file without hanging or trusting it: type and size first, hash while streaming."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from xborder_data.errors import DescriptorError, IntegrityError

_CHUNK = 1 << 20
# Users are told to fetch a clean copy, never to re-hash theirs: re-hashing an edit
# would make it look released. The maintainer's steps live in CONTRIBUTING.md.
REMEDY = "download the release again"


def read_regular_file(
    path: Path,
    *,
    limit: int | None = None,
    expected_bytes: int | None = None,
    expected_sha256: str | None = None,
    resource: str | None = None,
    limit_remedy: str | None = None,
) -> bytes:
    """Return the bytes of the regular file ``path``, checked before and while reading.

    A FIFO, a device or a folder is refused before a byte is read (a FIFO
    would block, ``/dev/zero`` never ends). With ``expected_bytes`` the size is
    compared before reading; with ``expected_sha256`` the digest is computed
    while streaming and compared at the end. ``limit_remedy`` says what the limit
    is and how to raise it, where a user may (a data file of their own package).

    Raises:
        DescriptorError: the file is missing, unreadable, not a regular file or over ``limit``.
        IntegrityError: the size or sha256 differs from the expected one.
    """
    try:
        # O_NONBLOCK: opening a FIFO with no writer must not wait.
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        what = f"data file of resource {resource!r}" if resource else "file"
        raise DescriptorError(
            f"{path}: {what} not found; download the complete release, or check the path.", resource=resource, path=str(path)
        ) from None
    except OSError as error:
        raise DescriptorError(
            f"{path}: cannot be opened ({error.strerror}); check the path and its permissions.", resource=resource, path=str(path)
        ) from None
    info = os.fstat(descriptor)
    if not stat.S_ISREG(info.st_mode):
        os.close(descriptor)
        raise DescriptorError(
            f"{path}: not a regular file (a FIFO, device or folder); a package holds plain files only.",
            resource=resource, path=str(path),
        )
    with os.fdopen(descriptor, "rb", buffering=0) as handle:
        if expected_bytes is not None and info.st_size != expected_bytes:
            raise IntegrityError(
                f"{path}: size is {info.st_size} bytes but datapackage.json says {expected_bytes} "
                f"(truncated or appended?); {REMEDY}.",
                resource=resource, path=str(path),
            )
        if limit is not None and info.st_size > limit:
            remedy = limit_remedy or "restore it from the release"
            raise DescriptorError(
                f"{path}: {info.st_size:,} bytes, more than the {limit:,} this file may have; {remedy}.",
                resource=resource, path=str(path),
            )
        wanted = info.st_size if expected_bytes is None else expected_bytes
        digest = hashlib.sha256() if expected_sha256 is not None else None
        chunks: list[bytes] = []
        size = 0
        try:
            while True:
                # The first read asks for the whole file: a regular file comes back in one buffer,
                # never held twice (chunks and their join); later reads only catch a file that grew.
                chunk = handle.read(wanted + 1 if not chunks else _CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if (expected_bytes is not None and size > wanted) or (limit is not None and size > limit):
                    raise IntegrityError(f"{path}: grew while it was read; {REMEDY}.", resource=resource, path=str(path))
                if digest is not None:
                    digest.update(chunk)
                chunks.append(chunk)
        except OSError as error:
            raise DescriptorError(f"{path}: cannot be read ({error.strerror}).", resource=resource, path=str(path)) from None
    if expected_bytes is not None and size != expected_bytes:
        raise IntegrityError(
            f"{path}: size is {size} bytes but datapackage.json says {expected_bytes} (truncated?); {REMEDY}.",
            resource=resource, path=str(path),
        )
    if digest is not None and digest.hexdigest() != expected_sha256:
        raise IntegrityError(
            f"{path}: sha256 is {digest.hexdigest()} but datapackage.json says {expected_sha256} "
            f"(corrupted or edited); {REMEDY}.",
            resource=resource, path=str(path),
        )
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


TEXT_LIMIT = 4 << 20  # bytes: a datasheet or README far above any real one, well below harm


def read_text_inside(root: Path, relative: str, *, limit: int = TEXT_LIMIT, what: str = "file") -> str | None:
    """Return the UTF-8 text of ``root / relative`` read through ``read_regular_file``, or None when absent.

    Every file the site or an export embeds (the datasheet, a README, a
    licence) is read here: inside the package (a symlink out is refused),
    a regular file, at most ``limit`` bytes, decoded strictly as UTF-8.

    Raises:
        UnsafePathError: the path, or a symlink on it, leads outside ``root``.
        DescriptorError: not a regular file, over ``limit``, or not valid UTF-8.
    """
    from xborder_data.storage.paths import resolve_inside  # paths imports errors only; no cycle

    if not os.path.lexists(root / relative):
        return None
    path = resolve_inside(root, relative, resource=what)
    data = read_regular_file(path, limit=limit)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DescriptorError(
            f"{path}: the {what} is not valid UTF-8 (byte {error.start}: {data[error.start:error.start + 1]!r}); "
            "save it as UTF-8, or restore it from the release.",
            path=str(path),
        ) from None
