"""Reading the shared folder: its change sets and snapshots, verified, and why others are skipped.

An empty or missing folder simply yields nothing, and nothing here ever deletes or modifies a
file (SYNC.md 4.7-4.8): a file that cannot be used now is listed with its reason and read again
on a later scan.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Container, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, TypeVar

from app.sync.changeset import FORMAT_VERSION, SUFFIX, ChangeSet, decode
from app.sync.changeset import MAGIC as CHANGESET_MAGIC
from app.sync.envelope import READ_BLOCK, open_envelope
from app.sync.errors import (
    ChangeSetError,
    EmptyFile,
    InvalidChangeSet,
    NewerFormat,
    TruncatedFile,
    WrongPassphrase,
)
from app.sync.snapshot import SNAPSHOT_SUFFIX
from app.sync.snapshot_reader import FoundSnapshot, SnapshotScan, decode_snapshot, open_snapshot
from app.sync.teamkey import TeamKey

_Decoded = TypeVar("_Decoded")
_CHANGESET_NAME_RE = re.compile(r"^([a-z0-9]{1,40})-([a-z0-9]{1,40})-(\d{10})-(\d{10})")


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
    header = open_envelope(fh, size, CHANGESET_MAGIC, key, supported=FORMAT_VERSION).header
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
