"""The "needs review" inbox: the open conflicts with every competing version, and deciding one."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from app.domain.errors import ConflictError, ValidationError
from app.domain.history import ActivityKind
from app.domain.leads import FIELDS_BY_NAME, FieldKind
from app.services.context import ServiceContext
from app.services.settings_service import SHARED_SETTINGS
from app.services.sync import lineage, meta
from app.services.sync.capture import capture
from app.services.sync.conflicts import decisions, version_value
from app.services.sync.merge import FollowUps, Merger, MergeRun
from app.services.sync.report import ConflictVersion, OpenConflict, SyncReport
from app.services.sync.turns import open_batch
from app.storage.repositories.history import HistoryRepository
from app.storage.repositories.sync.repository import SyncRepository
from app.sync.clock import HybridClock
from app.sync.conflicts import Conflict
from app.sync.merge import Replica
from app.sync.ops import FieldSet, Op, RowDelete

# Fields whose values are codes the app chooses from (a typed third value would be invalid).
_CODED_FIELDS = {"status", "rating", "channel", "consent", "kind", "availability", "role",
                 "routing_mode", "outcome"}

# Derived columns written together with their source field (decided together in the inbox).
_SOURCE_OF = {"phone_e164": "phone", "mobile_e164": "mobile"}


def _typing_allowed(table: str, field_name: str, offered: Sequence[Any]) -> bool:
    """A typed third value is stored as given, so only free text qualifies: never ids, codes,
    or values the app normalises or validates (emails, phone numbers, dates, amounts)."""
    if field_name.endswith("_id") or field_name in _CODED_FIELDS or field_name in _SOURCE_OF:
        return False
    if table == "lead":
        spec = FIELDS_BY_NAME.get(field_name)
        return spec is not None and spec.kind in (FieldKind.TEXT, FieldKind.LONG_TEXT)
    return all(isinstance(v, str | None) for v in offered)


def _lead_of(repo: SyncRepository, table: str, row_id: str) -> str | None:
    if table == "lead":
        return row_id
    if table in ("task", "activity", "answer"):
        return next(iter(repo.leads_of(table, [row_id])), None)
    return None


def _shown(value: Any) -> str:
    return "—" if value is None else str(value)


class Inbox:
    """Lists the conflicts a person must decide and records their decisions as edits that
    have seen every competing version, so a decision syncs and closes it on every laptop."""

    def __init__(self, context: ServiceContext, merger: Merger, follow_ups: FollowUps) -> None:
        self.context = context
        self.db = context.db
        self.merger = merger
        self.follow_ups = follow_ups

    def open_conflicts(self) -> list[OpenConflict]:
        """Every field edited on two laptops without either seeing the other, and every row
        edited on one while deleted on another, with all competing versions."""
        inc = lineage.incarnation(self.db) or "local"
        with self.db.read() as session:
            batch = open_batch(session, inc,
                               HybridClock(inc, lambda: lineage.wall_ms(self.context)))
            repo, replica = batch.repo, batch.replica
            batch.load(meta.conflict_rows(repo))
            found = decisions(replica)
            # A derived companion (phone_e164) is decided with its source field, not on its own.
            sources = {(c.table, c.row_id, c.field) for c in found}
            found = [c for c in found if c.field not in _SOURCE_OF
                     or (c.table, c.row_id, _SOURCE_OF[c.field]) not in sources]
            # An erasure is final: edits that raced it are scrubbed, never up for review.
            owner = {(c.table, c.row_id): _lead_of(repo, c.table, c.row_id) for c in found}
            erased = repo.erased_among(sorted({lead for lead in owner.values() if lead}))
            # The tasks of a lead whose owner is in conflict follow the lead's decision.
            owner_undecided = {c.row_id for c in found
                               if (c.table, c.field) == ("lead", "owner_id")}
            return [_describe(repo, replica, c) for c in found
                    if owner[(c.table, c.row_id)] not in erased
                    and not ((c.table, c.field) == ("task", "owner_id")
                             and owner[(c.table, c.row_id)] in owner_undecided)]

    def resolve_conflict(self, table: str, row_id: str, field_name: str | None,
                         value: Any) -> None:
        """Decide a conflict: ``value`` becomes the field's value as an edit that has seen every
        competing version. For an edit-vs-delete conflict (``field_name`` None) True keeps the
        row and False deletes it."""
        report = SyncReport()
        inc = lineage.decide(self.db, report)
        now = self.context.clock()
        clock = lineage.clock(self.context, inc)
        with self.db.write() as session:
            # Local edits not yet captured go first, so the decision supersedes them too.
            captured: set[str] = set()
            capture(self.context, inc, clock, session=session, leads=captured)
            batch = open_batch(session, inc, clock)
            repo, replica = batch.repo, batch.replica
            batch.load({*meta.conflict_rows(repo), (table, row_id),
                        *(("lead", r) for r in captured)})
            batch.captured_leads |= captured
            conflict = next((c for c in decisions(replica) if (c.table, c.row_id, c.field)
                             == (table, row_id, field_name)), None)
            if conflict is None:
                raise ConflictError("This conflict was already resolved (perhaps on another "
                                    "laptop); refresh the list.")
            op: Op
            if field_name is None:
                op = (replica.local_restore(table, row_id) if value
                      else replica.local_delete(table, row_id))
            else:
                _check_choice(replica, conflict.heads, table, field_name, value)
                op = replica.local_set(table, row_id, field_name, value, resolve=True)
            ops = [op, *_resolve_companions(replica, conflict, value)]
            touched = {(table, row_id)}
            if (table, field_name) == ("lead", "owner_id"):
                for task in decisions(replica):
                    if ((task.table, task.field) == ("task", "owner_id")
                            and _lead_of(repo, "task", task.row_id) == row_id
                            and value in [h.value for h in replica.heads("task", task.row_id,
                                                                         "owner_id")]):
                        ops.append(replica.local_set("task", task.row_id, "owner_id", value,
                                                     resolve=True))
                        touched.add(("task", task.row_id))
            repo.add_ops(ops)
            batch.captured_leads.update(o.row_id for o in ops if o.table == "lead")
            self.merger.after_apply(batch, touched, MergeRun.at(now))
            self.follow_ups.run_pending_in(session)
            lead_id = _lead_of(repo, table, row_id)
            if lead_id is not None:
                label = (FIELDS_BY_NAME[field_name].label if field_name in FIELDS_BY_NAME
                         else field_name or "the lead")
                decided = ("kept" if value else "deleted") if field_name is None else _shown(value)
                HistoryRepository(session).record(
                    uuid.UUID(lead_id), ActivityKind.FIELD_CHANGED, now=now,
                    device=self.context.device_id, actor=self.context.current_user_id,
                    field=field_name or "", new_value=decided,
                    text=f"Sync conflict on {label} resolved: {decided}")


def _resolve_companions(replica: Replica, conflict: Conflict, value: Any) -> list[Op]:
    """Decide the derived fields of the decided one (phone -> phone_e164) the same way:
    the companion version written by the laptop whose value was chosen."""
    out: list[Op] = []
    chosen = next((version for i in conflict.heads
                   if conflict.field is not None
                   and (version := replica.version(i, conflict.field)) is not None
                   and version.value == value), None)
    for companion, source in _SOURCE_OF.items():
        if source != conflict.field or chosen is None:
            continue
        heads = replica.heads(conflict.table, conflict.row_id, companion)
        if len(heads) < 2:
            continue
        same_author = next((h for h in heads if h.hlc.device == chosen.hlc.device), heads[0])
        out.append(replica.local_set(conflict.table, conflict.row_id, companion,
                                     same_author.value, resolve=True))
    return out


def _check_choice(replica: Replica, heads: Sequence[str], table: str, field_name: str,
                  value: Any) -> None:
    offered = [version.value for i in heads
               if (version := replica.version(i, field_name)) is not None]
    if value in offered:
        return
    if not (isinstance(value, str) and _typing_allowed(table, field_name, offered)):
        raise ValidationError.single(field_name, "choose one of the versions; a new value "
                                                 "can only be typed for text fields")


def _describe(repo: SyncRepository, replica: Replica, conflict: Conflict) -> OpenConflict:
    versions: list[ConflictVersion] = []
    for position, head in enumerate(conflict.heads):
        op = replica.ops[head]
        if isinstance(op, FieldSet):
            value: Any = version_value(op, conflict.field)
        elif isinstance(op, RowDelete):
            value = "<deleted>"
        else:
            value = "<kept>"
        when = dt.datetime.fromtimestamp(op.hlc.wall_ms / 1000, tz=dt.UTC)
        shown = position == 0 if conflict.field is not None else not isinstance(op, RowDelete)
        versions.append(ConflictVersion(value, op.hlc.device, when, shown))
    table, row_id = conflict.table, conflict.row_id
    lead_id = _lead_of(repo, table, row_id)
    title = repo.row_title(table, row_id)
    if table == "shared_setting":
        key = title.partition(": ")[2]
        title = f"Setting: {SHARED_SETTINGS[key].label}" if key in SHARED_SETTINGS else title
    if conflict.field is None:
        label = "Edited on one laptop, deleted on another"
    elif table == "lead" and conflict.field in FIELDS_BY_NAME:
        label = FIELDS_BY_NAME[conflict.field].label
    else:
        label = conflict.field.replace("_id", "").replace("_", " ").capitalize()
    offered = [v.value for v in versions]
    can_type = conflict.field is not None and _typing_allowed(table, conflict.field, offered)
    return OpenConflict(table, row_id, conflict.field, conflict.kind,
                        uuid.UUID(lead_id) if lead_id else None, title, label,
                        tuple(versions), can_type)
