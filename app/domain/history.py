"""The append-only activity history of a lead: every change and every touch, and who made it:
a person, or Leadline itself (the daily re-score, the follow-up checks)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from enum import StrEnum

# What Leadline does on its own is recorded under this actor, never under whoever happens to be
# signed in: one fixed id on every laptop, so synced history names the same actor everywhere.
APP_ACTOR_ID = uuid.UUID("fc57b12a-ecbd-4bea-b0f4-0d9bef1509c5")
APP_ACTOR_NAME = "Leadline (automatic)"


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
    ORDER = "order"  # a customer order credited to the lead (customer import or review)

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
    ActivityKind.ORDER: "Customer order",
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
    automatic: bool = False  # done by Leadline itself, not by the person named

    @property
    def actor(self) -> str:
        """Who did it, as the timeline names them."""
        return APP_ACTOR_NAME if self.automatic else self.actor_name

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


@dataclass(frozen=True)
class AutomaticChange:
    """What an automatic job changed, for the notice that tells the user: the words, and the
    leads behind its link (``LeadQuery(lead_ids=...)`` lists exactly them)."""

    summary: str
    lead_ids: tuple[uuid.UUID, ...]

    def __repr__(self) -> str:  # the summary counts them: ids by the thousand stay out of logs
        return f"AutomaticChange({self.summary!r})"
