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
import json
import os
import re
import secrets
from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, TypeVar

from app.sync.changeset import MAGIC as CHANGESET_MAGIC
from app.sync.changeset import (
    READ_BLOCK,
    ChangeSet,
    ChangeSetError,
    EmptyFile,
    InvalidChangeSet,
    NewerFormat,
    TeamKey,
    TruncatedFile,
    WrongPassphrase,
    changeset_file_name,
    decode,
    encode,
    encode_lines,
    open_envelope,
    read_changeset,
)
from app.sync.ops import op_from_dict
from app.sync.snapshot import (
    SNAPSHOT_SUFFIX,
    EncodedRow,
    FoundSnapshot,
    Snapshot,
    SnapshotInfo,
    SnapshotRow,
    SnapshotScan,
    SnapshotWriter,
    decode_snapshot,
    encode_snapshot,
    open_snapshot,
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
    folder.mkdir(parents=True, exist_ok=True)
    tmp: Path | None = folder / f"{TEMP_PREFIX}{secrets.token_hex(8)}.part"
    assert tmp is not None
    try:
        with open(tmp, "xb") as fh:
            digest = write(fh)
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


def describe_error(exc: BaseException) -> str:
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




def replace_in_folder(target: Path, data: bytes) -> Path:
    """Write a small file into the shared folder atomically: a uniquely named temp file (which
    scans and other laptops ignore), fsync, then replace ``target``."""
    tmp = target.parent / f"{TEMP_PREFIX}{secrets.token_hex(8)}.part"
    try:
        with open(tmp, "xb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return target

def _uncovered_changesets(folder: Path, covered: Mapping[str, int] | None,
                          result: ScanResult | ProbeResult) -> list[os.DirEntry[str]] | None:
    """The folder's change-set files in name order, less those whose name shows a range the
    snapshot coverage already holds (listed in ``result.covered_files``); None if the folder
    is missing (``result.folder_missing`` set)."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except FileNotFoundError:
        result.folder_missing = True
        return None
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
    return wanted

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
    wanted = _uncovered_changesets(folder, covered, result)
    if wanted is None:
        return result
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
            skipped.append((path, describe_error(exc)))
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
        result.snapshots.append(FoundSnapshot(path, snap.info(), digest, snap))
    result.snapshots.sort(key=lambda f: (f.info.created, f.path.name), reverse=True)
    return result


@dataclass(frozen=True, slots=True)
class FoundFile:
    """A verified change-set file of the folder (checksum, header and passphrase checked), not
    decoded yet: the merge reads it when its turn comes."""

    path: Path
    sha256: str
    device: str
    incarnation: str
    seq_first: int
    seq_last: int


@dataclass(slots=True)
class ProbeResult:
    """``scan`` without decoding: the files to merge, and why others are not (same reasons)."""

    files: list[FoundFile] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    duplicates: list[Path] = field(default_factory=list)
    covered_files: list[Path] = field(default_factory=list)
    folder_missing: bool = False

    def skipped_kind(self, kind: str) -> list[Path]:
        return [p for p, reason in self.skipped if reason.split(":", 1)[0] == kind]

    @property
    def wrong_passphrase(self) -> list[Path]:
        return self.skipped_kind("wrong-passphrase")


def _probed(entries: Iterable[os.DirEntry[str]], skip: Container[str],
            probe_one: Callable[[BinaryIO, int], _Decoded], skipped: list[tuple[Path, str]],
            duplicates: list[Path]) -> Iterator[tuple[Path, str, _Decoded]]:
    """Like ``_decoded``, reading each file in blocks rather than into memory (``probe_one``
    gets the open file and its size)."""
    seen: set[str] = set()
    for entry in entries:
        path = Path(entry.path)
        try:
            if not entry.is_file():
                continue
            with open(path, "rb") as fh:
                size = os.fstat(fh.fileno()).st_size
                digest = _stream_digest(fh)
                if digest in skip:
                    continue
                if digest in seen:
                    duplicates.append(path)
                    continue
                try:
                    found = probe_one(fh, size)
                except ChangeSetError as exc:
                    skipped.append((path, describe_error(exc)))
                    continue
        except OSError as exc:  # placeholder not hydrated, EBUSY, permission: retry next sync
            skipped.append((path, f"unreadable: {exc}"))
            continue
        seen.add(digest)
        yield path, digest, found


def _stream_digest(fh: BinaryIO) -> str:
    digest = hashlib.sha256()
    fh.seek(0)
    while block := fh.read(READ_BLOCK):
        digest.update(block)
    return digest.hexdigest()


def _changeset_header(fh: BinaryIO, size: int, key: TeamKey | None) -> tuple[str, str, int, int]:
    header = open_envelope(fh, size, CHANGESET_MAGIC, key).header
    device, inc = header.get("device"), header.get("inc")
    first, last = header.get("seq_first"), header.get("seq_last")
    if not isinstance(device, str) or not isinstance(inc, str) or not isinstance(first, int) \
            or not isinstance(last, int) or isinstance(first, bool) or isinstance(last, bool):
        raise InvalidChangeSet("header lacks device, incarnation or sequence range")
    return device, inc, first, last


def probe(
    folder: Path,
    key: TeamKey | None = None,
    skip: Container[str] = (),
    *,
    covered: Mapping[str, int] | None = None,
) -> ProbeResult:
    """``scan`` that verifies each change-set file's envelope and header but decodes none of
    their ops (``read_changeset`` does, one file at a time). Never deletes or modifies anything."""
    result = ProbeResult()
    wanted = _uncovered_changesets(folder, covered, result)
    if wanted is None:
        return result
    for path, digest, (device, inc, first, last) in _probed(
            wanted, skip, lambda fh, size: _changeset_header(fh, size, key), result.skipped,
            result.duplicates):
        result.files.append(FoundFile(path, digest, device, inc, first, last))
    return result


def probe_snapshots(folder: Path, key: TeamKey | None = None, skip: Container[str] = ()) -> SnapshotScan:
    """``scan_snapshots`` reading only each file's checksum and header (snapshots can be big):
    their rows are read when absorbed (``open_snapshot``, ``iter_snapshot_rows``)."""
    result = SnapshotScan()
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except FileNotFoundError:
        return result
    wanted = [entry for entry in entries if is_snapshot_candidate(entry.name)]
    for path, digest, info in _probed(wanted, skip, lambda fh, size: open_snapshot(fh, size, key)[0],
                                      result.skipped, result.duplicates):
        result.snapshots.append(FoundSnapshot(path, info, digest))
    result.snapshots.sort(key=lambda f: (f.info.created, f.path.name), reverse=True)
    return result
