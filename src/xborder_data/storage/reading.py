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


class CheckedFile:
    """A regular file read once, front to back, with its size and sha256 counted as the bytes go by.

    Opening checks the type and size before a byte is read (a FIFO would block,
    ``/dev/zero`` never ends); ``read`` refuses a file that grows past its size or
    ``limit``; ``finish`` compares size and digest once the end is reached. So a
    caller may parse while it reads, as long as it answers nothing before ``finish``.
    ``limit_remedy`` says what the limit is and how to raise it, where a user may.

    Raises:
        DescriptorError: the file is missing, unreadable, not a regular file or over ``limit``.
        IntegrityError: the size or sha256 differs from the expected one.
    """

    def __init__(self, path: Path, *, limit: int | None = None, expected_bytes: int | None = None,
                 expected_sha256: str | None = None, resource: str | None = None, limit_remedy: str | None = None) -> None:
        self.path, self.limit, self.expected_bytes, self.expected_sha256, self.resource = (
            path, limit, expected_bytes, expected_sha256, resource)
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
        self.handle = os.fdopen(descriptor, "rb", buffering=0)
        try:
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
        except BaseException:
            self.handle.close()
            raise
        self.size = info.st_size  # the bytes it should hold: the expected size, where one is given (checked above)
        self.digest = hashlib.sha256() if expected_sha256 is not None else None
        self.done = 0  # bytes read so far

    def __enter__(self) -> "CheckedFile":
        return self

    def __exit__(self, *_: object) -> None:
        self.handle.close()

    def read(self, wanted: int) -> bytes:
        """Up to ``wanted`` more bytes (b"" at the end), hashed and counted."""
        try:
            chunk = self.handle.read(wanted)
        except OSError as error:
            raise self._unreadable(error) from None
        self._count(chunk)
        return chunk

    def readinto(self, view: memoryview) -> int:
        """Up to ``len(view)`` more bytes read into ``view`` (0 at the end), hashed and counted."""
        try:
            got = self.handle.readinto(view) or 0
        except OSError as error:
            raise self._unreadable(error) from None
        self._count(view[:got])
        return got

    def _count(self, chunk: bytes | memoryview) -> None:
        self.done += len(chunk)
        if (self.expected_bytes is not None and self.done > self.size) or (self.limit is not None and self.done > self.limit):
            raise IntegrityError(f"{self.path}: grew while it was read; {REMEDY}.", resource=self.resource, path=str(self.path))
        if self.digest is not None and chunk:
            self.digest.update(chunk)

    def _unreadable(self, error: OSError) -> DescriptorError:
        return DescriptorError(f"{self.path}: cannot be read ({error.strerror}).", resource=self.resource, path=str(self.path))

    def finish(self) -> None:
        """Once ``read`` has returned b"" (or ``readinto`` 0): raise IntegrityError unless the size and sha256 are the expected ones."""
        if self.expected_bytes is not None and self.done != self.expected_bytes:
            raise IntegrityError(
                f"{self.path}: size is {self.done} bytes but datapackage.json says {self.expected_bytes} (truncated?); {REMEDY}.",
                resource=self.resource, path=str(self.path),
            )
        if self.digest is not None and self.digest.hexdigest() != self.expected_sha256:
            raise IntegrityError(
                f"{self.path}: sha256 is {self.digest.hexdigest()} but datapackage.json says {self.expected_sha256} "
                f"(corrupted or edited); {REMEDY}.",
                resource=self.resource, path=str(self.path),
            )

    def read_all(self) -> bytes:
        """The rest of the file in one buffer, checked by ``finish``."""
        # One read asks for all of it: a regular file comes back in one buffer, never held twice
        # (chunks and their join); later reads only catch a file that grew while it was read.
        chunks = [self.read(self.size - self.done + 1)]
        while chunks[-1]:
            chunks.append(self.read(_CHUNK))
        chunks.pop()
        self.finish()
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def read_regular_file(
    path: Path,
    *,
    limit: int | None = None,
    expected_bytes: int | None = None,
    expected_sha256: str | None = None,
    resource: str | None = None,
    limit_remedy: str | None = None,
) -> bytes:
    """Return the bytes of the regular file ``path``, checked before and while reading (``CheckedFile``).

    Raises:
        DescriptorError: the file is missing, unreadable, not a regular file or over ``limit``.
        IntegrityError: the size or sha256 differs from the expected one.
    """
    with CheckedFile(path, limit=limit, expected_bytes=expected_bytes, expected_sha256=expected_sha256,
                     resource=resource, limit_remedy=limit_remedy) as file:
        return file.read_all()


TEXT_LIMIT = 4 << 20  # bytes: a datasheet or README far above any real one, well below harm
DESCRIPTOR_LIMIT = 16 << 20  # bytes: a descriptor or schema is metadata, never megabytes of it


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
