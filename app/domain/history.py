"""The append-only activity history of a lead: every change and every touch."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from enum import StrEnum


class ActivityKind(StrEnum):
    CREATED = "created"
    FIELD_CHANGED = "field_changed"
    STATUS_CHANGED = "status_changed"
    OWNER_CHANGED = "owner_changed"
    NOTE = "note"
    CALL = "call"
    EMAIL = "email"
    MEETING = "meeting"
    TASK_CREATED = "task_created"
    TASK_DONE = "task_done"
    IMPORTED = "imported"
    MERGED = "merged"
    DELETED = "deleted"
    RESTORED = "restored"
    ENRICHED = "enriched"  # blanks filled from the company directory, with the file named
    ERASED = "erased"  # the person asked to be forgotten; only this anonymous line remains

    @property
    def label(self) -> str:
        return _LABELS.get(self, self.value.replace("_", " ").capitalize())

    @property
    def is_touch(self) -> bool:
        """A contact with the person (counts for first/last touch)."""
        return self in (ActivityKind.CALL, ActivityKind.EMAIL, ActivityKind.MEETING)


_LABELS = {
    ActivityKind.FIELD_CHANGED: "Changed",
    ActivityKind.STATUS_CHANGED: "Status",
    ActivityKind.OWNER_CHANGED: "Owner",
    ActivityKind.TASK_CREATED: "Task planned",
    ActivityKind.TASK_DONE: "Task done",
    ActivityKind.ERASED: "Erased on request",
}


@dataclass(frozen=True)
class ActivityRecord:
    id: uuid.UUID
    lead_id: uuid.UUID
    kind: ActivityKind
    occurred_at: dt.datetime
    field: str = ""
    old_value: str = ""
    new_value: str = ""
    text: str = ""
    outcome: str = ""
    actor_name: str = ""

    @property
    def summary(self) -> str:
        """One line for a timeline: what happened, in plain words."""
        from app.domain.leads import FIELDS_BY_NAME

        if self.kind in (ActivityKind.FIELD_CHANGED, ActivityKind.STATUS_CHANGED,
                         ActivityKind.OWNER_CHANGED):
            label = FIELDS_BY_NAME[self.field].label if self.field in FIELDS_BY_NAME else self.field
            old = self.old_value or "(empty)"
            new = self.new_value or "(empty)"
            return f"{label}: {old} → {new}"
        head = self.kind.label
        if self.outcome:
            head += f" ({self.outcome.replace('_', ' ')})"
        return f"{head}: {self.text}" if self.text else head
