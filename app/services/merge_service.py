"""Merge two leads that are the same person, and undo a merge.

The survivor keeps its values except the fields chosen from the other lead and the blanks the
other can fill; the other lead's history, tasks and answers move over; the merged-away lead is
kept (soft-deleted) and points to the survivor. Everything undo needs is stored in the MERGED
history row, so an undo works after a restart too.

"Merge all" merges every group a duplicate scan finds, one ordinary merge per lead merged
away (each undoable on its own), and records the run once in the audit trail.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from app.domain.audit import AuditAction
from app.domain.contact_data import format_money
from app.domain.dedupe.clusters import MergeGroup, clusters, plan_group
from app.domain.dedupe.keys import DEFAULT_MIN_SCORE
from app.domain.errors import ConflictError, NotFoundError, ValidationError
from app.domain.history import ActivityKind
from app.domain.leads import (
    EDITABLE_FIELDS,
    FIELDS_BY_NAME,
    REFERENCE_KINDS,
    FieldKind,
    LeadRecord,
)
from app.domain.progress import CancelCheck, CancelledError, Progress, report
from app.services.audit_service import AuditService
from app.services.context import ServiceContext
from app.services.dedupe_service import DedupeService
from app.services.lead_service import LeadService
from app.storage.repositories.dedupe import dismissed_pairs
from app.storage.repositories.history import HistoryRepository
from app.storage.repositories.leads import LeadRepository
from app.storage.repositories.merge import MergeRepository

_NOT_MERGED = frozenset({"needs_review", "review_reason"})
_EMPTY = ("", None, 0, False)


@dataclass(frozen=True)
class MergeResult:
    survivor: LeadRecord
    merged_id: uuid.UUID
    fields_taken: tuple[str, ...]
    moved: int  # history rows, tasks and answers that now belong to the survivor


@dataclass(frozen=True)
class MergeAllResult:
    """What a merge-all did: per group the survivor and the leads merged into it."""

    groups: tuple[MergeGroup, ...]
    min_score: float

    @property
    def leads_merged(self) -> int:
        return sum(len(group.merged) for group in self.groups)


def service_value(record: LeadRecord, name: str) -> Any:
    """A record's value in the form LeadService.update takes back."""
    if FIELDS_BY_NAME[name].kind in REFERENCE_KINDS:
        ref = getattr(record, f"{name}_id")
        return str(ref) if ref else ""
    value = getattr(record, name)
    if isinstance(value, StrEnum):
        return value.value
    if FIELDS_BY_NAME[name].kind is FieldKind.MONEY:
        return format_money(value).replace(",", "") if value is not None else ""
    if FIELDS_BY_NAME[name].kind is FieldKind.DATE:
        return value.isoformat() if value else ""
    return value if value is not None else ""


class MergeService:
    def __init__(self, context: ServiceContext, leads: LeadService, dedupe: DedupeService,
                 audit: AuditService,
                 before_big_operation: Callable[[str], object] | None = None) -> None:
        self.context, self.leads, self.dedupe, self.audit = context, leads, dedupe, audit
        self.before_big_operation = before_big_operation
        self.db = context.db

    def merge(self, keep_id: uuid.UUID, other_id: uuid.UUID,
              take: Iterable[str] = ()) -> MergeResult:
        """Merge ``other`` into ``keep``; ``take`` names fields whose value comes from ``other``."""
        take = tuple(take)
        unknown = [name for name in take if name not in FIELDS_BY_NAME]
        if unknown:
            raise ValidationError.single("take", f"not lead fields: {', '.join(unknown)}")
        if keep_id == other_id:
            raise ValidationError.single("other", "a lead cannot be merged with itself")
        now, device, actor = self.context.clock(), self.context.device_id, \
            self.context.current_user_id
        with self.db.write() as session:
            repo = LeadRepository(session)
            keep, other = repo.record(keep_id), repo.record(other_id)
            if keep is None or other is None:
                raise NotFoundError(f"No lead with id {keep_id if keep is None else other_id}")
            changes: dict[str, Any] = {}
            for spec in EDITABLE_FIELDS:
                if spec.name in _NOT_MERGED:
                    continue
                mine, theirs = service_value(keep, spec.name), service_value(other, spec.name)
                fills_blank = mine in _EMPTY and theirs not in _EMPTY
                if (spec.name in take or fills_blank) and mine != theirs:
                    changes[spec.name] = theirs
            previous = {name: service_value(keep, name) for name in changes}
            survivor = self.leads.update_in(session, keep_id, changes, lenient=True)
            merging = MergeRepository(session)
            moved = merging.move_children(other_id, keep_id)
            merging.mark_merged(other_id, keep_id, now, device)
            payload = {"other": str(other_id), "previous": previous, "moved": moved}
            history = HistoryRepository(session)
            for lead_id, text in ((keep_id, f"Merged with {other.display_name}"),
                                  (other_id, f"Merged into {keep.display_name}")):
                history.record(lead_id, ActivityKind.MERGED, now=now, device=device, actor=actor,
                               text=text, field="merge",
                               new_value=json.dumps(payload) if lead_id == keep_id else "")
        count = sum(len(ids) for ids in moved.values())
        return MergeResult(self.leads.get(survivor.id), other_id, tuple(changes), count)

    def undo(self, merged_id: uuid.UUID) -> LeadRecord:
        """Split a merge again: the other lead comes back with its history, tasks and answers."""
        now, device = self.context.clock(), self.context.device_id
        with self.db.write() as session:
            other = LeadRepository(session).find(merged_id, include_deleted=True)
            if other is None or other.merged_into_id is None:
                raise NotFoundError(f"Lead {merged_id} is not merged into another lead")
            if other.erased_at is not None:
                raise ConflictError("This person was erased on request; the merge cannot be undone")
            keep_id = other.merged_into_id
            merging = MergeRepository(session)
            record = merging.merge_record(keep_id, merged_id)
            if record is None:
                raise ConflictError("The record of this merge is missing; it cannot be undone")
            payload = json.loads(record.new_value)
            merging.move_back(payload["moved"], merged_id)
            merging.mark_merged(merged_id, None, now, device)
            record.new_value = ""  # this merge is undone: it cannot be undone twice
            self.leads.update_in(session, keep_id, payload["previous"], lenient=True)
            HistoryRepository(session).record(
                keep_id, ActivityKind.RESTORED, now=now, device=device,
                actor=self.context.current_user_id,
                text=f"Merge with {other.first_name} {other.last_name} undone".strip())
        return self.leads.get(merged_id)

    def plan_merge_all(self, min_score: float = DEFAULT_MIN_SCORE,
                       progress: Progress | None = None,
                       cancelled: CancelCheck | None = None) -> list[MergeGroup]:
        """The groups a merge-all would merge now: the scan's pairs joined into people, each
        with its survivor (see ``survivor_rule``). Two leads marked "not a duplicate" never end
        up in one group, not even through a third lead that matches both."""
        pairs = self.dedupe.scan(min_score=min_score, progress=progress, cancelled=cancelled)
        with self.db.read() as session:
            groups = clusters(pairs, apart=dismissed_pairs(session))
            repo = LeadRepository(session)
            plan = []
            for members in groups:
                records = [r for r in map(repo.record, members) if r is not None]
                if len(records) > 1:
                    plan.append(plan_group(records))
        return plan

    def merge_all(self, min_score: float = DEFAULT_MIN_SCORE, progress: Progress | None = None,
                  cancelled: CancelCheck | None = None) -> MergeAllResult:
        """Merge every group of likely duplicates at ``min_score`` or above into its survivor.

        Each lead merged away is one ordinary merge (``undo`` / ``dedupe unmerge`` splits it
        again). The scan is the first half of ``progress``, the merges the second; a cancel
        between groups keeps the groups already merged and raises CancelledError saying so.
        The run is one audit entry, also when it was stopped.
        """
        scan_progress = None if progress is None else lambda done, total: progress(done, total * 2)
        try:
            plan = self.plan_merge_all(min_score, scan_progress, cancelled)
        except CancelledError:
            raise CancelledError("Stopped while looking for duplicates: nothing was merged.") \
                from None
        if plan and self.before_big_operation is not None:
            self.before_big_operation("merge")
        done: list[MergeGroup] = []
        try:
            for index, group in enumerate(plan):
                if cancelled is not None and cancelled():
                    merged = sum(len(g.merged) for g in done)
                    raise CancelledError(
                        f"Stopped after {index:,} of {len(plan):,} groups: the {merged:,} merges "
                        "done are kept, and each can be undone.")
                merged_ids = []
                for other_id in group.merged:
                    try:
                        self.merge(group.survivor, other_id)
                    except NotFoundError:  # merged or deleted since the scan: nothing to do
                        continue
                    merged_ids.append(other_id)
                if merged_ids:
                    done.append(MergeGroup(group.survivor, tuple(merged_ids)))
                report(progress, len(plan) + index + 1, len(plan) * 2)
        finally:  # also after a stop or an error: the merges done so far are recorded
            groups = f"{len(plan):,} groups" if len(done) == len(plan) else \
                f"{len(done):,} of {len(plan):,} groups"
            self.audit.record(AuditAction.MERGE_ALL, f"min score {min_score:g}: {groups}",
                              sum(len(g.merged) for g in done))
        return MergeAllResult(tuple(done), min_score)
