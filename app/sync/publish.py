"""Publishing change sets, snapshots and small files into the shared folder (SYNC.md 4.6).

Write-once and lock-free: a file is written under a temp name in the same directory, fsynced,
then published with a no-replace link (or an existence-checked rename where links are not
supported, e.g. FAT/exFAT), then read back and verified. Nothing here ever deletes or rewrites a
published file, and an empty or missing folder simply yields nothing: deletes only ever come from
RowDelete ops.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import secrets
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import BinaryIO

from app.files import make_shared_folder, share
from app.sync.changeset import (
    SUFFIX,
    ChangeSet,
    changeset_file_name,
    decode,
    encode,
    encode_lines,
    read_changeset,
)
from app.sync.envelope import READ_BLOCK
from app.sync.errors import ChangeSetError
from app.sync.ops import op_from_dict
from app.sync.snapshot import SNAPSHOT_SUFFIX, EncodedRow, Snapshot, SnapshotInfo, SnapshotRow
from app.sync.snapshot_reader import open_snapshot
from app.sync.snapshot_writer import SnapshotWriter, encode_snapshot
from app.sync.teamkey import TeamKey

TEMP_PREFIX = ".tmp-"
# errno values meaning "this file system cannot hard-link" (FAT/exFAT, some SMB mounts).
_NO_LINK_ERRNOS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK, errno.ENOSYS}


class PublishError(OSError):
    """The published file did not read back identical (medium lied about the write)."""


def _same_changeset(a: ChangeSet, b: ChangeSet) -> bool:
    return (a.incarnation, a.seq_first, a.seq_last, a.ops) == (b.incarnation, b.seq_first, b.seq_last, b.ops)


def _fsync_dir(folder: Path) -> None:
    if os.name == "nt":  # directories cannot be opened for fsync on Windows
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _publish_no_replace(tmp: Path, target: Path) -> bool:
    """Move tmp to target unless target exists. False if the name was taken meanwhile."""
    try:
        os.link(tmp, target)
    except FileExistsError:
        return False
    except OSError as exc:
        if exc.errno not in _NO_LINK_ERRNOS:
            raise
        # No hard links on this medium: names are owner-unique, so a checked rename is safe enough.
        if target.exists():
            return False
        os.rename(tmp, target)  # on Windows this fails rather than replace an existing file
        return True
    os.unlink(tmp)
    return True


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(READ_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def _publish_file(
    folder: Path,
    base: str,
    suffix: str,
    write: Callable[[BinaryIO], str],
    same: Callable[[Path], bool],
    fault: Callable[[str], None] | None,
) -> tuple[Path, str]:
    """Publish what ``write`` writes (it returns the sha256 of what it wrote) as
    ``base+suffix`` (or a hash-suffixed variant when that name holds other content): temp file,
    fsync, no-replace link, directory fsync, read-back. ``same(path)`` says whether an existing
    file already is this one (then nothing is published). Returns the path and its sha256."""
    make_shared_folder(folder)
    tmp: Path | None = folder / f"{TEMP_PREFIX}{secrets.token_hex(8)}.part"
    assert tmp is not None
    try:
        with open(tmp, "xb") as fh:
            digest = write(fh)
            share(tmp)
            if fault:
                fault("temp-written")
            fh.flush()
            os.fsync(fh.fileno())
        if fault:
            fault("fsynced")
        candidates = [base, f"{base}-{digest[:8]}"]
        candidates += [f"{candidates[1]}-{i}" for i in range(1, 100)]
        for stem in candidates:
            target = folder / f"{stem}{suffix}"
            if target.exists():
                try:
                    if same(target):
                        tmp.unlink()
                        tmp = None
                        return target, _file_sha256(target)
                except (ChangeSetError, OSError):
                    pass
                continue
            if not _publish_no_replace(tmp, target):
                continue
            tmp = None
            _fsync_dir(folder)
            if fault:
                fault("published")
            # Read back: USB sticks and network shares can acknowledge writes they did not do.
            # The very bytes written must come back (their hash: cheaper than decoding them).
            if _file_sha256(target) != digest:
                raise PublishError(f"{target} did not read back as written")
            return target, digest
        raise PublishError(f"no free file name for {base} in {folder}")
    except BaseException:
        # A real crash leaves the temp file behind (readers ignore it); an ordinary exception
        # cleans up after itself. Simulated crashes re-raise before reaching here.
        if tmp is not None and fault is None:
            with contextlib.suppress(OSError):
                tmp.unlink()
        raise


def _write_bytes(data: bytes) -> Callable[[BinaryIO], str]:
    def write(fh: BinaryIO) -> str:
        fh.write(data)
        return hashlib.sha256(data).hexdigest()

    return write


def publish(
    folder: Path,
    changeset: ChangeSet,
    key: TeamKey | None = None,
    *,
    fault: Callable[[str], None] | None = None,
) -> Path:
    """Write ``changeset`` into ``folder`` and return the published path.

    Same range already published with the same ops: no-op. Name taken by different or unreadable
    content (restored or cloned DB, corrupted file): a new unique name is used, never an overwrite.
    ``fault`` is a test hook called at named crash points ("temp-written", "fsynced", "published").
    """
    data = encode(changeset, key)
    base = changeset.file_name()[: -len(SUFFIX)]
    return _publish_file(folder, base, SUFFIX, _write_bytes(data),
                         lambda path: _same_changeset(decode(path.read_bytes(), key), changeset), fault)[0]


def publish_lines(
    folder: Path,
    device: str,
    incarnation: str,
    lines: Sequence[tuple[int, bytes]],
    key: TeamKey | None = None,
    *,
    fault: Callable[[str], None] | None = None,
) -> tuple[Path, str]:
    """Publish own ops as the local log stores them ((seq, op text), consecutive seqs); returns
    the path and the file's sha256. Same contract as ``publish``."""
    first, last = lines[0][0], lines[-1][0]
    data = encode_lines(device, incarnation, first, last, [text for _seq, text in lines], key)

    def same(path: Path) -> bool:
        found = read_changeset(path.read_bytes(), key)
        return (found.incarnation, found.seq_first, found.seq_last) == (incarnation, first, last) \
            and found.ops() == [op_from_dict(json.loads(text)) for _seq, text in lines]

    base = changeset_file_name(device, incarnation, first, last)[: -len(SUFFIX)]
    return _publish_file(folder, base, SUFFIX, _write_bytes(data), same, fault)


def _same_snapshot_header(path: Path, info: SnapshotInfo, key: TeamKey | None) -> bool:
    with open(path, "rb") as fh:
        found, _envelope = open_snapshot(fh, path.stat().st_size, key)
    return (found.incarnation, found.created, dict(found.coverage)) == (
        info.incarnation, info.created, dict(info.coverage))


def publish_snapshot(
    folder: Path,
    snapshot: Snapshot,
    key: TeamKey | None = None,
    *,
    fault: Callable[[str], None] | None = None,
) -> Path:
    """Publish a snapshot exactly like a change set (write-once, atomic, verified read-back).
    Self-validating by checksum, so no manifest is written (see app.sync.snapshot)."""
    data = encode_snapshot(snapshot, key)
    base = snapshot.file_name()[: -len(SNAPSHOT_SUFFIX)]
    return _publish_file(folder, base, SNAPSHOT_SUFFIX, _write_bytes(data),
                         lambda path: _same_snapshot_header(path, snapshot.info(), key), fault)[0]


def publish_snapshot_rows(
    folder: Path,
    info: SnapshotInfo,
    rows: Iterable[SnapshotRow | EncodedRow],
    key: TeamKey | None = None,
    *,
    fault: Callable[[str], None] | None = None,
) -> tuple[Path, str]:
    """Publish a snapshot written straight from ``rows`` (in (table, row) order) to the temp
    file, so its size is not held in memory; returns the path and the file's sha256."""
    def write(fh: BinaryIO) -> str:
        writer = SnapshotWriter(fh, info, key)
        for row in rows:
            if isinstance(row, SnapshotRow):
                writer.add(row)
            else:
                writer.add_encoded(row)
        return writer.finish()

    base = info.file_name()[: -len(SNAPSHOT_SUFFIX)]
    return _publish_file(folder, base, SNAPSHOT_SUFFIX, write,
                         lambda found: _same_snapshot_header(found, info, key), fault)


def replace_in_folder(target: Path, data: bytes) -> Path:
    """Write a small file into the shared folder atomically: a uniquely named temp file (which
    scans and other laptops ignore), fsync, then replace ``target``."""
    tmp = target.parent / f"{TEMP_PREFIX}{secrets.token_hex(8)}.part"
    try:
        with open(tmp, "xb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        share(tmp)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return target
