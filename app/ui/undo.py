"""Undoable lead operations. Each is performed first (so errors reach the user), then pushed."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from PySide6.QtGui import QUndoCommand

from app.domain.leads import FIELDS_BY_NAME, REFERENCE_KINDS, LeadRecord
from app.services.lead_service import LeadService
from app.services.merge_service import MergeService
from app.services.reassignment_service import RunResult
from app.services.routing_service import RoutingService

Notify = Callable[[LeadRecord], None]


def service_values(record: LeadRecord, names: list[str]) -> dict[str, Any]:
    """A record's values for ``names`` in the form the lead service takes back."""
    values: dict[str, Any] = {}
    for name in names:
        if FIELDS_BY_NAME[name].kind in REFERENCE_KINDS:
            values[name] = getattr(record, f"{name}_id") or ""
        else:
            value = getattr(record, name)
            values[name] = value.value if isinstance(value, StrEnum) else value
    return values


class _Done(QUndoCommand):
    """Skips the first redo: QUndoStack.push calls redo, but the work is already done."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self._first = True

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        self.apply()

    apply: Callable[[], None]  # each subclass re-applies its own operation


class UpdateLeadCommand(_Done):
    def __init__(self, leads: LeadService, before: LeadRecord, after: LeadRecord,
                 changed: list[str], notify: Notify) -> None:
        super().__init__(f"Edit {after.display_name}")
        self.leads, self.lead_id, self.notify = leads, after.id, notify
        self.old = service_values(before, changed)
        self.new = service_values(after, changed)

    def apply(self) -> None:
        self.notify(self.leads.update(self.lead_id, self.new, lenient=True))

    def undo(self) -> None:
        self.notify(self.leads.update(self.lead_id, self.old, lenient=True))


class DeleteLeadCommand(_Done):
    def __init__(self, leads: LeadService, lead_id: uuid.UUID, name: str,
                 notify: Notify) -> None:
        super().__init__(f"Delete {name}")
        self.leads, self.lead_id, self.notify = leads, lead_id, notify

    def apply(self) -> None:
        self.notify(self.leads.delete(self.lead_id))

    def undo(self) -> None:
        self.notify(self.leads.restore(self.lead_id))


class CreateLeadCommand(_Done):
    def __init__(self, leads: LeadService, record: LeadRecord, notify: Notify) -> None:
        super().__init__(f"New lead {record.display_name}")
        self.leads, self.lead_id, self.notify = leads, record.id, notify

    def apply(self) -> None:
        self.notify(self.leads.restore(self.lead_id))

    def undo(self) -> None:
        self.notify(self.leads.delete(self.lead_id))


class MergeLeadsCommand(_Done):
    """A merge done by MergeService; undo splits the two leads again, redo merges again."""

    def __init__(self, merges: MergeService, keep_id: uuid.UUID, other_id: uuid.UUID,
                 take: list[str], merged_id: uuid.UUID, notify: Callable[[], None]) -> None:
        super().__init__("Merge duplicates")
        self.merges, self.keep_id, self.other_id = merges, keep_id, other_id
        self.take, self.merged_id, self.notify_change = take, merged_id, notify

    def apply(self) -> None:
        self.merges.merge(self.keep_id, self.other_id, self.take)
        self.notify_change()

    def undo(self) -> None:
        self.merges.undo(self.merged_id)
        self.notify_change()


class AssignmentRunCommand(_Done):
    """An assignment run already recorded by RoutingService (a manager's assignment or rules
    re-applied). Undo reverts the run as a whole; redo performs the same step again, which
    records a new run, so the next undo reverts that one."""

    def __init__(self, text: str, routing: RoutingService, run_id: uuid.UUID,
                 again: Callable[[], RunResult], notify: Callable[[], None]) -> None:
        super().__init__(text)
        self.routing, self.run_id, self.again, self.notify_change = routing, run_id, again, notify

    def apply(self) -> None:
        result = self.again()
        if result.run_id is not None:
            self.run_id = result.run_id
        self.notify_change()

    def undo(self) -> None:
        self.routing.undo(self.run_id)
        self.notify_change()
