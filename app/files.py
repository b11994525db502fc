"""Files Leadline writes: atomically (a crash or a full disk never leaves a half-written file),
and readable by the current user only, except what the team's shared folder must share."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

# Leadline's own files hold thousands of people's names and phone numbers: new files are the
# current user's only (0600, folders 0700). The umask the process started with is kept for the
# shared folder, whose files the team's other accounts must read.
PRIVATE_UMASK = 0o077
_started_umask: int | None = None


def keep_new_files_private() -> None:
    """Make every file and folder this process creates from now on the current user's only
    (the database and its journal, backups, logs, exports, reports, sync state). Windows keeps
    its own per-user folder permissions; the umask only matters elsewhere."""
    global _started_umask
    previous = os.umask(PRIVATE_UMASK)
    if _started_umask is None:
        _started_umask = previous


def shared_mode(*, folder: bool = False) -> int:
    """The permissions a file (or folder) in the team's shared folder gets: what the process's
    original umask allowed, so colleagues' accounts can read it as before."""
    started = _started_umask if _started_umask is not None else _current_umask()
    return (0o777 if folder else 0o666) & ~started


def share(path: Path, *, folder: bool = False) -> None:
    """Give a file or folder just created in the shared folder the shared permissions (a file
    system without Unix permissions, a USB stick's FAT, ignores this)."""
    with contextlib.suppress(OSError):
        os.chmod(path, shared_mode(folder=folder))


def make_shared_folder(folder: Path) -> None:
    """``mkdir -p`` inside the shared folder, each folder it creates given the shared
    permissions."""
    missing = [part for part in (folder, *folder.parents) if not part.exists()]
    folder.mkdir(parents=True, exist_ok=True)
    for created in reversed(missing):
        share(created, folder=True)


def make_private(path: Path) -> None:
    """Tighten an existing file (a database created by an older Leadline as 0644) to 0600."""
    with contextlib.suppress(OSError):
        if path.exists() and path.stat().st_mode & 0o077:
            os.chmod(path, path.stat().st_mode & 0o700)


def _current_umask() -> int:
    # os.umask can only be read by setting it: set the private one for that instant, so a file
    # another thread creates meanwhile is at worst too private, never readable by others.
    current = os.umask(PRIVATE_UMASK)
    os.umask(current)
    return current


@contextlib.contextmanager
def atomic_write(path: Path, mode: str = "w", **open_args: Any) -> Iterator[IO[Any]]:
    """Write under a temporary name, flush to disk, then rename over ``path``.

    On any error the partial file is removed and ``path`` keeps its previous content.
    """
    partial = path.with_name(path.name + ".partial")
    try:
        with open(partial, mode, **open_args) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
