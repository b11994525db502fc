"""Publishing and reading change-set files in a shared folder (SYNC.md 4.6-4.8).

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
import os
import re
import secrets
from collections.abc import Callable, Container, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from app.sync.changeset import (
    ChangeSet,
    ChangeSetError,
    EmptyFile,
    NewerFormat,
    TeamKey,
    TruncatedFile,
    WrongPassphrase,
    decode,
    encode,
)
from app.sync.snapshot import (
    SNAPSHOT_SUFFIX,
    FoundSnapshot,
    Snapshot,
    SnapshotScan,
    decode_snapshot,
    encode_snapshot,
)

SUFFIX = ".lsync"
TEMP_PREFIX = ".tmp-"
# errno values meaning "this file system cannot hard-link" (FAT/exFAT, some SMB mounts).
_Decoded = TypeVar("_Decoded")
_CHANGESET_NAME_RE = re.compile(r"^([a-z0-9]{1,40})-([a-z0-9]{1,40})-(\d{10})-(\d{10})")
_NO_LINK_ERRNOS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK, errno.ENOSYS}


class PublishError(OSError):
    """The published file did not read back identical (medium lied about the write)."""


@dataclass(slots=True)
class ScanResult:
    changesets: list[ChangeSet] = field(default_factory=list)
    # (path, reason) for every file not applied; reason starts with a kind: "truncated",
    # "empty", "checksum", "not-sync", "newer-format", "wrong-passphrase", "invalid", "unreadable".
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    # Byte-identical copies (cloud "conflicted copy" names): harmless, listed for diagnostics.
    duplicates: list[Path] = field(default_factory=list)
    # Not read because their name shows a seq range that ``covered`` (snapshot coverage) includes.
    covered_files: list[Path] = field(default_factory=list)
    folder_missing: bool = False
    # sha256 of each file decoded successfully: the caller's "processed files" index, passed
    # back as ``skip`` on the next scan so unchanged files are not decoded again.
    accepted: set[str] = field(default_factory=set)

    def skipped_kind(self, kind: str) -> list[Path]:
        return [p for p, reason in self.skipped if reason.split(":", 1)[0] == kind]

    @property
    def needs_update(self) -> bool:
        """Files from a newer app are present: tell the user (they are kept, never deleted)."""
        return bool(self.skipped_kind("newer-format"))

    @property
    def wrong_passphrase(self) -> list[Path]:
        return self.skipped_kind("wrong-passphrase")


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


def _publish_bytes(
    folder: Path,
    base: str,
    suffix: str,
    data: bytes,
    same: Callable[[bytes], bool],
    fault: Callable[[str], None] | None,
) -> Path:
    """Publish ``data`` as ``base+suffix`` (or a hash-suffixed variant when that name holds other
    content): temp file, fsync, no-replace link, directory fsync, read-back. ``same(bytes)`` says
    whether existing content already is this file (then nothing is written)."""
    folder.mkdir(parents=True, exist_ok=True)
    candidates = [base, f"{base}-{hashlib.sha256(data).hexdigest()[:8]}"]
    candidates += [f"{candidates[1]}-{i}" for i in range(1, 100)]
    tmp: Path | None = None
    try:
        for stem in candidates:
            target = folder / f"{stem}{suffix}"
            if target.exists():
                try:
                    if same(target.read_bytes()):
                        return target
                except (ChangeSetError, OSError):
                    pass
                continue
            if tmp is None:
                tmp = folder / f"{TEMP_PREFIX}{secrets.token_hex(8)}.part"
                with open(tmp, "xb") as fh:
                    fh.write(data)
                    if fault:
                        fault("temp-written")
                    fh.flush()
                    os.fsync(fh.fileno())
                if fault:
                    fault("fsynced")
            if not _publish_no_replace(tmp, target):
                continue
            tmp = None
            _fsync_dir(folder)
            if fault:
                fault("published")
            # Read back: USB sticks and network shares can acknowledge writes they did not do.
            # The very bytes written must come back (cheaper and stricter than decoding them).
            if target.read_bytes() != data:
                raise PublishError(f"{target} did not read back as written")
            return target
        raise PublishError(f"no free file name for {base} in {folder}")
    except BaseException:
        # A real crash leaves the temp file behind (readers ignore it); an ordinary exception
        # cleans up after itself. Simulated crashes re-raise before reaching here.
        if tmp is not None and fault is None:
            with contextlib.suppress(OSError):
                tmp.unlink()
        raise


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
    return _publish_bytes(
        folder, base, SUFFIX, data, lambda raw: _same_changeset(decode(raw, key), changeset), fault
    )


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

    def same(raw: bytes) -> bool:
        found = decode_snapshot(raw, key)
        return (found.incarnation, found.created, dict(found.coverage), found.ops, found.superseded) == (
            snapshot.incarnation, snapshot.created, dict(snapshot.coverage), snapshot.ops, snapshot.superseded
        )

    return _publish_bytes(folder, base, SNAPSHOT_SUFFIX, data, same, fault)


def _reason(exc: BaseException) -> str:
    kinds: list[tuple[type[BaseException], str]] = [
        (EmptyFile, "empty"),
        (TruncatedFile, "truncated"),
        (NewerFormat, "newer-format"),
        (WrongPassphrase, "wrong-passphrase"),
    ]
    for cls, kind in kinds:
        if isinstance(exc, cls):
            return f"{kind}: {exc}"
    names = {
        "ChecksumMismatch": "checksum",
        "NotASyncFile": "not-sync",
        "InvalidChangeSet": "invalid",
        "InvalidSnapshot": "invalid",
    }
    return f"{names.get(type(exc).__name__, 'unreadable')}: {exc}"


def is_candidate(name: str) -> bool:
    """Own temp files and hidden/Syncthing temp files are ignored; any other name containing
    .lsync is read by content, whatever a cloud client appended ("(conflicted copy …)", " (1)",
    ".sync-conflict-…", "-LAPTOP2")."""
    return not name.startswith((".", "~")) and SUFFIX in name


def parse_changeset_name(name: str) -> tuple[str, str, int, int] | None:
    """(device, incarnation, seq_first, seq_last) encoded in a change-set file name (whatever a
    cloud client appended after it), None for other names. A hint only: content decides."""
    m = _CHANGESET_NAME_RE.match(name)
    if not m or SUFFIX not in name:
        return None
    return m.group(1), m.group(2), int(m.group(3)), int(m.group(4))


def scan(
    folder: Path,
    key: TeamKey | None = None,
    skip: Container[str] = (),
    *,
    covered: Mapping[str, int] | None = None,
) -> ScanResult:
    """Read every change-set file in ``folder`` (except contents whose sha256 is in ``skip``);
    never deletes or modifies anything. With ``covered`` (the replica's snapshot coverage,
    ``Replica.covered``), files whose *name* shows a range it covers are not even opened: their
    ops would all be ignored as covered (listed in ``covered_files``). Snapshots (.lsnap) and
    state files are not change sets and are never read here."""
    result = ScanResult()
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except FileNotFoundError:
        result.folder_missing = True
        return result
    wanted: list[os.DirEntry[str]] = []
    for entry in entries:
        if not is_candidate(entry.name):
            continue
        if covered:
            parsed = parse_changeset_name(entry.name)
            if parsed is not None and parsed[3] <= covered.get(parsed[1], 0):
                result.covered_files.append(Path(entry.path))
                continue
        wanted.append(entry)
    for _path, digest, cs in _decoded(wanted, skip, lambda data: decode(data, key),
                                      result.skipped, result.duplicates):
        result.accepted.add(digest)
        result.changesets.append(cs)
    return result


def _decoded(entries: Iterable[os.DirEntry[str]], skip: Container[str],
             decoder: Callable[[bytes], _Decoded], skipped: list[tuple[Path, str]],
             duplicates: list[Path]) -> Iterator[tuple[Path, str, _Decoded]]:
    """Read and decode files, each content once: unreadable and invalid files go to ``skipped``
    with a reason, copies of a content already read to ``duplicates``, contents whose sha256
    is in ``skip`` are passed over."""
    seen: set[str] = set()
    for entry in entries:
        path = Path(entry.path)
        try:
            if not entry.is_file():
                continue
            data = path.read_bytes()
        except OSError as exc:  # placeholder not hydrated, EBUSY, permission: retry next sync
            skipped.append((path, f"unreadable: {exc}"))
            continue
        digest = hashlib.sha256(data).hexdigest()
        if digest in skip:
            continue
        if digest in seen:
            duplicates.append(path)
            continue
        try:
            found = decoder(data)
        except ChangeSetError as exc:
            skipped.append((path, _reason(exc)))
            continue
        seen.add(digest)
        yield path, digest, found


def is_snapshot_candidate(name: str) -> bool:
    return not name.startswith((".", "~")) and SNAPSHOT_SUFFIX in name


def scan_snapshots(folder: Path, key: TeamKey | None = None, skip: Container[str] = ()) -> SnapshotScan:
    """Read and verify every snapshot file in ``folder`` (except contents whose sha256 is in
    ``skip``, e.g. snapshots already absorbed): valid ones newest first (by creation HLC), the
    rest with reasons (same kinds as ``scan``). Never deletes or modifies anything."""
    result = SnapshotScan()
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except FileNotFoundError:
        return result
    wanted = [entry for entry in entries if is_snapshot_candidate(entry.name)]
    for path, digest, snap in _decoded(wanted, skip, lambda data: decode_snapshot(data, key),
                                       result.skipped, result.duplicates):
        result.snapshots.append(FoundSnapshot(path, snap, digest))
    result.snapshots.sort(key=lambda f: (f.snapshot.created, f.path.name), reverse=True)
    return result
