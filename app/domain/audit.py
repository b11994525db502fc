"""The audit trail: what left the app or changed many records at once, by whom and when.

An entry names the action, a line of what (a format, a file name, a filter: never a person's
name or contact data) and how many records; it is synced like history, so an admin on any
laptop sees the whole team's.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from enum import StrEnum


class AuditAction(StrEnum):
    EXPORT = "export"
    REPORT = "report"
    PRINT = "print"
    ERASURE = "erasure"
    MERGE_ALL = "merge_all"
    REASSIGN_ALL = "reassign_all"
    IMPORT_UNDO = "import_undo"
    CUSTOMER_IMPORT = "customer_import"

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]


ACTION_LABELS: dict[AuditAction, str] = {
    AuditAction.EXPORT: "Export",
    AuditAction.REPORT: "Report",
    AuditAction.PRINT: "Print",
    AuditAction.ERASURE: "Erasure",
    AuditAction.MERGE_ALL: "Merge all duplicates",
    AuditAction.REASSIGN_ALL: "Re-assign all",
    AuditAction.IMPORT_UNDO: "Import undone",
    AuditAction.CUSTOMER_IMPORT: "Customer import",
}


@dataclass(frozen=True)
class AuditEntry:
    id: uuid.UUID
    occurred_at: dt.datetime
    action: AuditAction
    what: str
    records: int
    actor_name: str  # "" when nobody was signed in

    def to_json(self) -> dict[str, object]:
        return {"id": str(self.id), "occurred_at": self.occurred_at.isoformat(),
                "action": self.action.value, "what": self.what, "records": self.records,
                "actor": self.actor_name or None}
