"""Acknowledgement state files and safe compaction of the shared folder (SYNC.md 4.6, 4.12).

Each incarnation owns ``state-<incarnation>.json`` in the folder: its contiguous knowledge
(``Replica.known_through``) and when it last wrote it. It is the only file ever overwritten,
only by its owner, atomically (temp + fsync + ``os.replace``), and it is validated on read: a
corrupt, partial or foreign state file counts as "this device knows nothing" (it blocks
compaction while the file is recent), never as "knows everything".

A change file may be deleted only when ALL hold:

(a) a valid snapshot (decoded, checksum verified, readable with our key) covers its whole range;
(b) that snapshot was created at least ``grace_ms`` ago (its creation HLC against ``now_ms``; file
    mtimes are not used, cloud clients rewrite them);
(c) every non-retired device's state shows it has applied past the file. A device is retired when
    its state file has not been rewritten for ``retire_after_ms``; when it comes back it absorbs
    the snapshot (``Replica.absorb_snapshot``), a join that loses none of its own edits, which is
    why its acknowledgement is not needed. For the same reason a device with no state file in the
    folder (never wrote one, or the cloud hides it right now) is simply not waited for.

Snapshots: the ``keep_snapshots`` newest valid ones are always kept; an older one is deleted only
when a newer valid snapshot, itself at least ``grace_ms`` old, dominates its coverage. Files that
do not decode (newer app, another passphrase, still downloading, corrupt) are never deleted, and
nothing but change sets and snapshots is ever deleted.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.files import make_shared_folder
from app.sync.changeset import CHANGESET_ID_RE, decode
from app.sync.errors import ChangeSetError
from app.sync.publish import replace_in_folder
from app.sync.scan import is_candidate, parse_changeset_name, probe_snapshots
from app.sync.snapshot import dominates
from app.sync.snapshot_reader import FoundSnapshot, open_snapshot, validate_snapshot
from app.sync.teamkey import TeamKey

STATE_PREFIX = "state-"
STATE_SUFFIX = ".json"
STATE_MAGIC = "leadline-state"
STATE_FORMAT = 1
DAY_MS = 24 * 60 * 60 * 1000
GRACE_MS = 14 * DAY_MS
RETIRE_AFTER_MS = 60 * DAY_MS
SNAPSHOT_AFTER_FILES = 500
SNAPSHOT_AFTER_BYTES = 50 * 1024 * 1024
_RETRY_ERRNOS = {errno.EBUSY, errno.EACCES, errno.EPERM, errno.EAGAIN}


@dataclass(frozen=True, slots=True)
class DeviceState:
    incarnation: str
    device: str
    known_through: Mapping[str, int]
    updated_ms: int
    path: Path
    valid: bool = True
    reason: str = ""  # why an invalid file was not trusted

    def has_applied(self, incarnation: str, seq_last: int) -> bool:
        return self.valid and self.known_through.get(incarnation, 0) >= seq_last


def state_path(folder: Path, incarnation: str) -> Path:
    return folder / f"{STATE_PREFIX}{incarnation}{STATE_SUFFIX}"


def _state_digest(body: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def write_state(
    folder: Path, device: str, incarnation: str, known_through: Mapping[str, int], now_ms: int
) -> Path:
    """Atomically (re)write this incarnation's acknowledgement file. Write it only after the ops
    it claims are committed locally (``known_through`` of the replica that holds them)."""
    if not CHANGESET_ID_RE.match(device) or not CHANGESET_ID_RE.match(incarnation):
        raise ValueError("device/incarnation ids must be lower-case alnum")
    body: dict[str, Any] = {
        "magic": STATE_MAGIC,
        "format": STATE_FORMAT,
        "device": device,
        "inc": incarnation,
        "known_through": {k: int(v) for k, v in sorted(known_through.items()) if v > 0},
        "updated_ms": int(now_ms),
    }
    data = json.dumps({**body, "sha256": _state_digest(body)}, sort_keys=True, indent=1).encode() + b"\n"
    make_shared_folder(folder)
    target = replace_in_folder(state_path(folder, incarnation), data)
    # No directory fsync: whatever a crash leaves (the previous version, an empty or partial file)
    # reads as knowing the same or less, which only delays compaction.
    return target


def _parse_state(data: bytes, incarnation: str, path: Path) -> DeviceState:
    doc = json.loads(data)
    if not isinstance(doc, dict) or doc.get("magic") != STATE_MAGIC:
        raise ValueError("not a state file")
    if doc.get("format") != STATE_FORMAT:
        raise ValueError(f"unknown state format {doc.get('format')!r}")
    digest = doc.pop("sha256", None)
    if digest != _state_digest(doc):
        raise ValueError("checksum mismatch")
    device, inc = doc.get("device"), doc.get("inc")
    kt, updated = doc.get("known_through"), doc.get("updated_ms")
    if inc != incarnation or not isinstance(device, str):
        raise ValueError("incarnation does not match the file name")
    if not isinstance(kt, dict) or not all(
        isinstance(k, str) and isinstance(v, int) and not isinstance(v, bool) for k, v in kt.items()
    ):
        raise ValueError("bad known_through")
    if not isinstance(updated, int) or isinstance(updated, bool):
        raise ValueError("bad updated_ms")
    return DeviceState(inc, device, dict(kt), updated, path)


def read_states(folder: Path) -> dict[str, DeviceState]:
    """Every ``state-<inc>.json`` in ``folder``. An unreadable or invalid one is returned with
    ``valid=False``, empty knowledge and its file mtime as ``updated_ms`` (so it blocks compaction
    until it would count as retired)."""
    states: dict[str, DeviceState] = {}
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except FileNotFoundError:
        return states
    for entry in entries:
        name = entry.name
        if not (name.startswith(STATE_PREFIX) and name.endswith(STATE_SUFFIX)):
            continue
        inc = name[len(STATE_PREFIX) : -len(STATE_SUFFIX)]
        if not CHANGESET_ID_RE.match(inc):
            continue  # "state-x (conflicted copy).json": the owner's file is the real one
        path = Path(entry.path)
        try:
            states[inc] = _parse_state(path.read_bytes(), inc, path)
        except (OSError, ValueError) as exc:
            try:
                mtime_ms = int(path.stat().st_mtime * 1000)
            except OSError:
                mtime_ms = 2**62  # cannot even stat it: treat as fresh (blocks)
            states[inc] = DeviceState(inc, "", {}, mtime_ms, path, valid=False, reason=str(exc))
    return states


@dataclass(frozen=True, slots=True)
class Deletion:
    path: Path
    sha256: str  # content verified when planned; re-checked right before deleting
    reason: str


@dataclass(slots=True)
class CompactionPlan:
    delete_changes: list[Deletion] = field(default_factory=list)
    delete_snapshots: list[Deletion] = field(default_factory=list)
    # Change files kept, with the first rule that blocked their deletion ("a", "b", "c: inc").
    kept: list[tuple[Path, str]] = field(default_factory=list)
    undecodable: list[Path] = field(default_factory=list)  # never deleted
    retired: list[str] = field(default_factory=list)  # incarnations ignored by rule (c)

    @property
    def deletions(self) -> list[Deletion]:
        return self.delete_changes + self.delete_snapshots


def plan_compaction(
    folder: Path,
    key: TeamKey | None,
    now_ms: int,
    grace_ms: int = GRACE_MS,
    retire_after_ms: int = RETIRE_AFTER_MS,
    keep_snapshots: int = 2,
) -> CompactionPlan:
    """Decide which change files and snapshots may be deleted (rules in the module docstring).
    Reads the folder only; ``apply_compaction`` does the deleting."""
    plan = CompactionPlan()
    snaps = probe_snapshots(folder, key)
    plan.undecodable.extend(p for p, _reason in snaps.skipped)
    valid = [f for f in snaps.snapshots if _readable(f, key)]
    plan.undecodable.extend(f.path for f in snaps.snapshots if f not in valid)
    snaps.snapshots = valid
    aged: list[FoundSnapshot] = [
        f for f in snaps.snapshots if now_ms - f.info.created.wall_ms >= grace_ms
    ]
    states = read_states(folder)
    active = []
    for inc, st in sorted(states.items()):
        if now_ms - st.updated_ms > retire_after_ms:
            plan.retired.append(inc)
        else:
            active.append(st)

    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except FileNotFoundError:
        return plan
    for entry in entries:
        if not is_candidate(entry.name):
            continue
        path = Path(entry.path)
        # Kept whatever its content when its name already shows no snapshot (past the grace
        # period) covers it: reading it could not make it deletable. A name is only a hint,
        # so a file is decoded, and its content checked, before it is ever deleted.
        named = parse_changeset_name(entry.name)
        if named is not None and not any(f.info.covers(named[1], named[3])
                                         for f in snaps.snapshots):
            plan.kept.append((path, "a: no valid snapshot covers it"))
            continue
        if named is not None and not any(f.info.covers(named[1], named[3]) for f in aged):
            plan.kept.append((path, "b: covering snapshot younger than the grace period"))
            continue
        try:
            if not entry.is_file():
                continue
            data = path.read_bytes()
            cs = decode(data, key)
        except (OSError, ChangeSetError):
            plan.undecodable.append(path)
            continue
        inc, last = cs.incarnation, cs.seq_last
        if not any(f.info.covers(inc, last) for f in snaps.snapshots):
            plan.kept.append((path, "a: no valid snapshot covers it"))
            continue
        if not any(f.info.covers(inc, last) for f in aged):
            plan.kept.append((path, "b: covering snapshot younger than the grace period"))
            continue
        behind = [st.incarnation for st in active if not st.has_applied(inc, last)]
        if behind:
            plan.kept.append((path, f"c: not yet applied by {', '.join(behind)}"))
            continue
        plan.delete_changes.append(Deletion(path, hashlib.sha256(data).hexdigest(), "covered by a snapshot"))

    newest = snaps.snapshots  # newest first
    for i, found in enumerate(newest):
        if i < keep_snapshots:
            continue
        dominating = [
            n for n in newest[:i]
            if n in aged and dominates(n.info.coverage, found.info.coverage)
        ]
        if dominating:
            reason = f"dominated by {dominating[0].path.name}"
            plan.delete_snapshots.append(Deletion(found.path, found.sha256, reason))
    return plan


def _readable(found: FoundSnapshot, key: TeamKey | None) -> bool:
    """A snapshot every part of which reads (its rows read a line at a time): only such a one
    may stand in for the change files it covers."""
    try:
        with open(found.path, "rb") as fh:
            _info, envelope = open_snapshot(fh, found.path.stat().st_size, key)
            validate_snapshot(fh, envelope)
    except (OSError, ChangeSetError):
        return False
    return True


def apply_compaction(
    plan: CompactionPlan,
    retries: int = 5,
    sleep: Callable[[float], None] = time.sleep,
    fault: Callable[[Path], None] | None = None,
) -> list[Path]:
    """Delete the planned files. Each is re-read first and skipped unless its content still is
    what was planned. Transient errors (EBUSY, sharing violation, permission) are retried with a
    short back-off; a file already gone is fine. Returns the paths actually deleted. ``fault`` is
    a test hook called before each delete (may raise OSError to simulate EBUSY)."""
    deleted: list[Path] = []
    for item in plan.deletions:
        for attempt in range(retries + 1):
            try:
                if hashlib.sha256(item.path.read_bytes()).hexdigest() != item.sha256:
                    break  # replaced meanwhile: not what the plan verified
                if fault is not None:
                    fault(item.path)
                item.path.unlink()
                deleted.append(item.path)
                break
            except FileNotFoundError:
                break
            except OSError as exc:
                if exc.errno not in _RETRY_ERRNOS or attempt == retries:
                    break  # give up for now; the next compaction tries again
                sleep(0.05 * (attempt + 1))
    return deleted


@dataclass(frozen=True, slots=True)
class FolderStats:
    change_files: int  # all change-set files
    change_bytes: int
    uncovered_files: int  # not covered by the newest snapshot (by name)
    uncovered_bytes: int


def folder_stats(folder: Path, covered: Mapping[str, int] | None = None) -> FolderStats:
    """Counts by file name only (cheap). ``covered`` = coverage of the newest valid snapshot."""
    files = size = ufiles = usize = 0
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return FolderStats(0, 0, 0, 0)
    for entry in entries:
        if not is_candidate(entry.name):
            continue
        try:
            n = entry.stat().st_size
        except OSError:
            continue
        files += 1
        size += n
        parsed = parse_changeset_name(entry.name)
        if covered is None or parsed is None or parsed[3] > covered.get(parsed[1], 0):
            ufiles += 1
            usize += n
    return FolderStats(files, size, ufiles, usize)


def should_snapshot(
    stats: FolderStats, max_files: int = SNAPSHOT_AFTER_FILES, max_bytes: int = SNAPSHOT_AFTER_BYTES
) -> bool:
    """Policy: write a snapshot when more than ``max_files`` change files or ``max_bytes`` have
    accumulated since the newest snapshot."""
    return stats.uncovered_files > max_files or stats.uncovered_bytes > max_bytes


# -- what a device knows, kept incrementally -------------------------------------------------------
Ranges = dict[str, list[list[int]]]


def add_range(ranges: Ranges, incarnation: str, first: int, last: int) -> None:
    """Record that ops ``first..last`` of an incarnation are held (a change file's range, or
    1..n for own ops and absorbed coverage); overlapping and touching ranges are merged."""
    spans = sorted([*ranges.get(incarnation, []), [first, last]])
    merged: list[list[int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    ranges[incarnation] = merged


def through(ranges: Ranges) -> dict[str, int]:
    """Contiguous knowledge from the ranges: the end of the span that starts at 1."""
    return {inc: spans[0][1] for inc, spans in ranges.items() if spans and spans[0][0] <= 1}
