"""All-or-nothing output: build in a staging folder beside the target, then move in.

Two shapes of output share the same guarantees:

- ``write_staged`` puts a set of files into OUTDIR (an export). Every file is
  written in the staging folder first; only then are they linked into OUTDIR,
  each with a no-replace hard link (or exclusive creation), so two concurrent
  runs can never overwrite each other. When anything fails, every file placed
  so far is taken back and every replaced file restored.
- ``place_folder`` moves a whole staged folder into place (the site). With
  ``force`` it replaces only a folder that carries the ownership ``MARKER``.

On failure, SIGINT or SIGTERM the staging folder is removed and the target is
as it was before. The final moves run with those signals deferred, so a signal
lands either before anything was moved or after everything was.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from xborder_data.errors import OutputExistsError, UnsafeOutputError
from xborder_data.storage import interrupts
from xborder_data.storage.names import check_relative, check_user_file_name

# Written into every folder that ``place_folder`` builds; ``--force`` replaces only such folders.
MARKER = ".xborder-data-owned"
_MARKER_TEXT = "This folder was written by xborder-data; `--force` may replace it as a whole.\n"
# link() errors that mean "this file system has no hard links", not "the name is taken".
_NO_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK, errno.ENOSYS}

__all__ = [
    "MARKER", "check_replaceable", "folder_identity", "is_owned", "place_folder", "staging_folder", "write_staged",
]


def folder_identity(target: Path) -> tuple[int, ...] | None:
    """What ``target`` is now (device, inode, change time), or None when missing: a later check sees any replacement."""
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        return None
    return (info.st_dev, info.st_ino, info.st_ctime_ns)


@contextmanager
def _folder_lock(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` (flock on the folder itself: no file to leave behind, freed on a crash)."""
    try:
        import fcntl
    except ImportError:  # Windows: no flock; renames still refuse a non-empty target
        yield
        return
    descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # releases the lock


def _make_dirs(path: Path) -> list[Path]:
    """Create ``path`` and its missing parents; return the folders created, outermost first."""
    missing: list[Path] = []
    current = path
    while not os.path.lexists(current):
        missing.append(current)
        current = current.parent
    created: list[Path] = []
    for folder in reversed(missing):
        try:
            folder.mkdir()
        except FileExistsError:
            continue  # made meanwhile by someone else: not ours to remove
        created.append(folder)
    if not path.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(path))
    return created


def _remove_empty(folders: list[Path]) -> None:
    """Remove the folders we created, innermost first, where they are still empty."""
    for folder in reversed(folders):
        try:
            folder.rmdir()
        except OSError:
            pass  # not empty: someone else's files are in it now


def _new_staging(target: Path) -> Path:
    """A fresh folder beside ``target``; inside it when ``target`` is a mount point or its parent is not writable."""
    prefix = f".{target.name or 'out'}.staging-"
    if target.is_dir() and target.stat().st_dev != target.parent.stat().st_dev:
        return Path(tempfile.mkdtemp(prefix=prefix, dir=target))  # a link across file systems would be a copy
    try:
        return Path(tempfile.mkdtemp(prefix=prefix, dir=target.parent))
    except (PermissionError, OSError) as error:
        if not target.is_dir() or error.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise
        return Path(tempfile.mkdtemp(prefix=prefix, dir=target))  # an existing folder we may write into


@contextmanager
def staging_folder(target: Path) -> Iterator[Path]:
    """Yield a new staging folder beside ``target``; remove it (and any parents made for it) on exit.

    SIGINT and SIGTERM are recorded while the folder exists (``interrupts.guard``), so neither
    leaves it behind, and one that a library swallowed still ends the output in failure.
    """
    with interrupts.guard():
        made: list[Path] = []
        staging: Path | None = None
        try:
            with interrupts.deferred():  # the folder is made and named as one step: a signal arrives after, inside this try
                made = _make_dirs(target.parent)
                staging = _new_staging(target)
            yield staging
        except BaseException:
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)
            _remove_empty(made)
            raise
        shutil.rmtree(staging, ignore_errors=True)  # type: ignore[arg-type]  # made above, or the try raised


def _place_file(staged: Path, final: Path) -> None:
    """Give ``staged`` the name ``final`` unless that name is taken (FileExistsError)."""
    try:
        os.link(staged, final, follow_symlinks=False)
    except OSError as error:
        if error.errno not in _NO_LINKS:
            raise
        # No hard links here: claim the name exclusively, then fill it by rename.
        os.close(os.open(final, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        os.replace(staged, final)


class _Commit:
    """The moves of one ``write_staged`` call, recorded so that they can be undone."""

    def __init__(self, outdir: Path, staging: Path) -> None:
        self.outdir = outdir
        self.backups = staging / ".replaced"
        self.placed: list[Path] = []
        self.replaced: list[tuple[Path, Path]] = []
        self.folders: list[Path] = []

    def folder(self, relative: Path) -> None:
        """Make sure OUTDIR/relative is a real folder (never a symlink leading elsewhere)."""
        current = self.outdir
        for part in relative.parts:
            current = current / part
            if current.is_symlink():
                raise UnsafeOutputError(f"{current}: is a symlink; refusing to write through it. Remove it or choose another folder.")
            try:
                current.mkdir()
                self.folders.append(current)
            except FileExistsError:
                if not current.is_dir():
                    raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(current)) from None

    def file(self, staged: Path, final: Path, *, force: bool) -> None:
        if force and os.path.lexists(final):
            if final.is_dir() and not final.is_symlink():
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(final))
            if not stat.S_ISREG(os.lstat(final).st_mode):  # a device, FIFO, socket or symlink is never "a file we wrote"
                raise UnsafeOutputError(
                    f"{final}: is not a regular file (a device, FIFO, socket or symlink); --force replaces only files. "
                    "Choose another name."
                )
            backup = self.backups / uuid.uuid4().hex
            self.backups.mkdir(exist_ok=True)
            os.rename(final, backup)
            self.replaced.append((final, backup))
        try:
            _place_file(staged, final)
        except FileExistsError:
            raise OutputExistsError(
                f"{final}: already exists (another run may be writing here); choose another folder, "
                "or replace it with --force (force=True from Python)."
            ) from None
        self.placed.append(final)

    def undo(self) -> None:
        for final in reversed(self.placed):
            final.unlink(missing_ok=True)
        for final, backup in reversed(self.replaced):
            os.rename(backup, final)
        _remove_empty(self.folders)


def _planned(writers: dict[Path, Callable[[Path], None]], outdir: Path, *, user_named: bool = False) -> list[tuple[Path, Callable[[Path], None]]]:
    """Each target relative to ``outdir``, checked to be safe parts that stay inside it.

    Names from metadata follow the metadata rule (``check_relative``); a name the user
    chose (``user_named``) is one file name directly in ``outdir`` (``check_user_file_name``).
    """
    plan = []
    for final, write in writers.items():
        try:
            relative = Path(final).relative_to(outdir)
        except ValueError:
            raise UnsafeOutputError(f"{final}: lies outside the output folder {outdir}; fix the file name.") from None
        if user_named:
            if len(relative.parts) != 1:
                raise UnsafeOutputError(f"{final}: is not one file directly in {outdir}; fix the file name.")
            plan.append((Path(check_user_file_name(relative.parts[0])), write))
        else:
            plan.append((Path(check_relative(relative, what="output file name")), write))
    return plan


def write_staged(writers: dict[Path, Callable[[Path], None]], outdir: str | os.PathLike[str], *, force: bool,
                 user_named: bool = False) -> list[Path]:
    """Write every file of ``writers`` (final path -> writer) into ``outdir``, all or nothing.

    Args:
        writers: each final path, inside ``outdir``, with a function that writes
            the complete file at the path it is given.
        outdir: the output folder; created (with its parents) when missing.
        force: replace existing files (never folders); without it an existing
            file, or one a concurrent run placed first, refuses the whole set.
        user_named: the file names are the user's own (``panel -o 面板.csv``), not
            taken from metadata: any one file name in ``outdir`` is accepted.

    Returns:
        The final paths, in the order of ``writers``.

    Raises:
        OutputExistsError: a target exists and ``force`` is false.
        DescriptorError: a file name from metadata is not a safe path component.
        UnsafeOutputError: a target lies outside ``outdir`` or behind a symlink, or a user's
            file name cannot be one file name.
        OSError: from the file system (disk full, read-only, permissions).
    """
    given = Path(outdir)
    plan = _planned(writers, given, user_named=user_named)
    outdir = Path(os.path.abspath(given))
    if not force:
        for relative, _ in plan:
            if os.path.lexists(outdir / relative):
                raise OutputExistsError(
                    f"{outdir / relative}: already exists; choose another {'file name' if user_named else 'folder'}, "
                    "or replace it with --force (force=True from Python)."
                )
    with staging_folder(outdir) as staging:
        for relative, write in plan:
            interrupts.check()
            staged = staging / "files" / relative
            staged.parent.mkdir(parents=True, exist_ok=True)
            write(staged)
        interrupts.check()  # the last point at which a signal leaves the target untouched
        with interrupts.deferred():
            made = _make_dirs(outdir)
            commit = _Commit(outdir, staging)
            commit.folders = made
            try:
                for relative, _ in plan:
                    commit.folder(relative.parent)
                    commit.file(staging / "files" / relative, outdir / relative, force=force)
            except BaseException:
                commit.undo()
                raise
    return [given / relative for relative, _ in plan]


# -- whole folders (the site) ---------------------------------------------------


def _entries(folder: Path) -> set[str]:
    """Every file and folder below ``folder``, as POSIX paths relative to it (links not followed)."""
    found: set[str] = set()
    for root, dirs, files in os.walk(folder):
        base = Path(root).relative_to(folder)
        found.update((base / name).as_posix() for name in [*dirs, *files])
    return found - {MARKER}


def foreign_entries(folder: Path) -> list[str]:
    """What ``folder`` holds that the build recorded in its marker did not write (sorted)."""
    lines = (folder / MARKER).read_text(encoding="utf-8", errors="replace").splitlines()
    written = {line for line in lines[1:] if line}
    return sorted(_entries(folder) - written)


def is_owned(folder: Path) -> bool:
    """Whether ``folder`` is a real folder that carries the marker ``place_folder`` writes."""
    marker = folder / MARKER
    return folder.is_dir() and not folder.is_symlink() and marker.is_file() and not marker.is_symlink()


def check_replaceable(target: Path, *, force: bool) -> None:
    """Refuse a ``target`` that ``place_folder`` may not fill or replace.

    Raises:
        OutputExistsError: ``target`` is not empty and ``force`` is false.
        UnsafeOutputError: ``force`` is true but ``target`` is not a folder we built.
    """
    if not os.path.lexists(target) or (target.is_dir() and not target.is_symlink() and not any(target.iterdir())):
        return
    if not force:
        raise OutputExistsError(
            f"{target}: exists and is not empty; choose another folder, or replace a site built earlier with --force."
        )
    if not is_owned(target):
        raise UnsafeOutputError(
            f"{target}: is not a folder that xborder-data built (no {MARKER} file); --force replaces only those. "
            "Choose a new folder, or empty this one yourself."
        )
    foreign = foreign_entries(target)
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise UnsafeOutputError(
            f"{target}: holds files the earlier build did not write ({shown}); --force replaces only what it wrote. "
            "Move them out, or choose a new folder."
        )


def place_folder(staging: Path, target: Path, *, force: bool, expected: tuple[int, ...] | None | str = "any") -> None:
    """Mark ``staging`` as ours and move it to ``target``, all or nothing.

    ``target`` may be missing or an empty folder; with ``force`` it may also be
    a folder carrying ``MARKER`` (one we built before), which is replaced whole.

    Raises:
        OutputExistsError: ``target`` is not empty and ``force`` is false, or (with
            ``expected``, what ``folder_identity`` said when the build began) another
            run placed or replaced ``target`` meanwhile: of concurrent runs exactly one wins.
        UnsafeOutputError: ``force`` is true but ``target`` is not a folder we built.
    """
    # The marker lists what this build wrote, so a later --force can tell a user's own additions apart.
    (staging / MARKER).write_text(_MARKER_TEXT + "".join(f"{entry}\n" for entry in sorted(_entries(staging))), encoding="utf-8")
    staging.chmod(0o755)
    interrupts.check()
    with _folder_lock(target.parent), interrupts.deferred():
        if expected != "any" and folder_identity(target) != expected:
            raise OutputExistsError(
                f"{target}: another run placed or replaced it while this one was building; nothing of this run was kept. "
                "Run again to replace it."
            )
        empty = target.is_dir() and not target.is_symlink() and not any(target.iterdir())
        if not os.path.lexists(target) or empty:
            try:
                os.rename(staging, target)  # replaces only an empty folder
                return
            except OSError as error:
                if error.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                    raise
        check_replaceable(target, force=force)
        old = target.with_name(f".{target.name}.replaced-{uuid.uuid4().hex[:8]}")
        os.rename(target, old)
        try:
            os.rename(staging, target)
        except BaseException:
            os.rename(old, target)
            raise
        shutil.rmtree(old, ignore_errors=True)
