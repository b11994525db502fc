"""What a sync run reports: its counts, warnings and the conflicts it left for review."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.domain.errors import LeadlineError

# Told what a sync is doing, for a status line ("Merging received changes: 1,200").
Progress = Callable[[str], None]


class SyncFolderError(LeadlineError):
    """The shared folder is missing or cannot be written: nothing was exchanged."""


@dataclass(frozen=True)
class SyncConflict:
    table: str
    row_id: str
    field: str | None  # None: edited on one laptop while deleted on another
    values: tuple[Any, ...]  # the competing values, the displayed one first
    kind: str

    def to_json(self) -> dict[str, Any]:
        return {"table": self.table, "row_id": self.row_id, "field": self.field,
                "values": list(self.values), "kind": self.kind}


@dataclass(frozen=True)
class ConflictVersion:
    """One competing version of a field (or, for an edit-vs-delete conflict, of the row)."""

    value: Any  # for a row: "<deleted>" or "<kept>"
    device: str  # the incarnation that wrote it
    written_at: dt.datetime  # UTC, from the op's hybrid clock
    shown: bool  # the value the app displays until someone decides


@dataclass(frozen=True)
class OpenConflict:
    """An entry of the "needs review" inbox."""

    table: str
    row_id: str
    field: str | None  # None: edited on one laptop while deleted on another
    kind: str
    lead_id: uuid.UUID | None  # the lead the row belongs to
    title: str
    field_label: str
    versions: tuple[ConflictVersion, ...]
    can_type: bool = False  # a value other than the versions may be typed (free text only)


@dataclass
class SyncReport:
    sent_ops: int = 0
    received_ops: int = 0
    files_read: int = 0
    files_skipped: list[tuple[str, str]] = field(default_factory=list)  # (file name, reason)
    conflicts: list[SyncConflict] = field(default_factory=list)
    clock_ahead: bool = False
    published: Path | None = None
    incarnation: str = ""
    new_incarnation: bool = False
    # Every readable-looking file was refused for the passphrase: nothing is written into the
    # folder (no change set, snapshot or state file) but a note saying so, without any data.
    passphrase_rejected: bool = False
    # Other laptops that tried to sync with another passphrase recently (their notes); one of
    # the warnings says so.
    refused_laptops: int = 0
    warnings: list[str] = field(default_factory=list)
    snapshots_absorbed: int = 0
    snapshot_written: Path | None = None
    files_compacted: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "sent_ops": self.sent_ops, "received_ops": self.received_ops,
            "files_read": self.files_read,
            "files_skipped": [{"file": n, "reason": r} for n, r in self.files_skipped],
            "conflicts": [c.to_json() for c in self.conflicts],
            "clock_ahead": self.clock_ahead,
            "published": str(self.published) if self.published else None,
            "incarnation": self.incarnation, "new_incarnation": self.new_incarnation,
            "passphrase_rejected": self.passphrase_rejected,
            "refused_laptops": self.refused_laptops, "warnings": self.warnings,
            "snapshots_absorbed": self.snapshots_absorbed,
            "snapshot_written": str(self.snapshot_written) if self.snapshot_written else None,
            "files_compacted": self.files_compacted,
        }


def refused_warning(count: int, last: dt.datetime) -> str:
    who = "a laptop" if count == 1 else f"{count} laptops"
    return (f"{who} tried to sync with another passphrase (last {last:%Y-%m-%d %H:%M} UTC) "
            "and reads and sends nothing until given the team's passphrase")
