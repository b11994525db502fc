"""Conflicts a person must decide: which they are, the list of rows in conflict, review flags."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from app.domain.review import (
    ReviewCode,
    ReviewReason,
    parse_reasons,
    store_reasons,
    sync_conflict,
)
from app.services.sync import meta
from app.services.sync.batches import Batch, RowKey
from app.services.sync.report import SyncConflict
from app.sync.conflicts import EDIT_VS_DELETE, Conflict
from app.sync.merge import Replica
from app.sync.ops import FieldSet, RowDelete


def decisions(replica: Replica, among: Iterable[Conflict] | None = None) -> list[Conflict]:
    """The conflicts a person must decide (of ``among``, default every one the replica has
    loaded): two laptops that wrote the same value without seeing each other agree, so there is
    nothing to choose (the merge core still keeps both)."""
    out = []
    for conflict in replica.conflicts() if among is None else among:
        if conflict.field is not None:
            values = {json.dumps(version.value, sort_keys=True, default=str)
                      for i in conflict.heads
                      if (version := replica.version(i, conflict.field)) is not None}
            if len(values) < 2:
                continue
        out.append(conflict)
    return out


def version_value(op: FieldSet, field_name: str | None) -> Any:
    """What a head wrote: the field's value, or for a row (edited while deleted) the edit's
    value, or its fields and values when it changed several."""
    if field_name is not None:
        return op.values[field_name]
    if len(op.values) == 1:
        return next(iter(op.values.values()))
    return dict(op.values)


def reported_conflicts(replica: Replica, open_now: Sequence[Conflict] | None = None
                       ) -> list[SyncConflict]:
    """The decisions open after a sync (``open_now``, when already worked out), as its report
    lists them."""
    out: list[SyncConflict] = []
    for c in decisions(replica) if open_now is None else open_now:
        values: list[Any] = []
        for head in c.heads:
            op = replica.ops[head]
            if isinstance(op, FieldSet):
                values.append(version_value(op, c.field))
            elif isinstance(op, RowDelete):
                values.append("<deleted>")
        out.append(SyncConflict(c.table, c.row_id, c.field, tuple(values), c.kind))
    return out


def note_conflicts(batch: Batch, rows: set[RowKey] | None = None) -> None:
    """The list of rows in conflict follows these rows (default: every row the batch
    loaded; their state is known)."""
    rows = batch.loaded if rows is None else rows
    if not rows:
        return
    # Only rows with something to decide: a team that moved onto a server holds every row in
    # two agreeing versions, and re-reading them all at every sync would cost minutes.
    in_conflict = {(c.table, c.row_id)
                   for c in decisions(batch.replica, batch.replica.conflicts_of(rows))}
    before = set(meta.conflict_rows(batch.repo))
    after = (before - rows) | in_conflict
    if after != before:
        meta.put(batch.repo, meta.CONFLICT_ROWS, json.dumps(sorted(after)))


def _review_reason(conflict: Conflict) -> ReviewReason:
    what = conflict.field if conflict.kind != EDIT_VS_DELETE else "edited while deleted"
    return sync_conflict(what)


def refresh_flags(batch: Batch, candidates: set[str],
                  open_now: Sequence[Conflict] | None = None) -> None:
    """Flag every loaded lead with an open conflict; unflag the candidates whose conflicts
    are settled. Local on each laptop (the shadow keeps the flags), so flags never travel as
    edits."""
    open_now = decisions(batch.replica) if open_now is None else open_now
    for conflict in open_now:
        if conflict.table == "lead":
            flagged = batch.repo.flag_review(conflict.row_id, _review_reason(conflict))
            if flagged is not None:
                batch.keep_local("lead", conflict.row_id, {"needs_review": flagged[0],
                                                           "review_reason": flagged[1]})
    _unflag_settled(batch, sorted(candidates), open_now)


def _unflag_settled(batch: Batch, lead_ids: Sequence[str], open_now: Sequence[Conflict]
                    ) -> None:
    """The review flag of a sync conflict is derived on each laptop like the flag itself: a
    conflict decided here (in the inbox, by an edit or a delete) or on another laptop
    unflags the lead, without ops. (The candidates' ops are loaded: conflicts are known.)"""
    open_here = {(c.row_id, _review_reason(c)) for c in open_now if c.table == "lead"}
    for lead_id, stored in batch.repo.sync_review_reasons(lead_ids).items():
        reasons = parse_reasons(stored)
        kept = [r for r in reasons
                if r.code is not ReviewCode.SYNC_CONFLICT or (lead_id, r) in open_here]
        if kept != reasons:
            flag, text = batch.repo.set_review(lead_id, store_reasons(kept))
            batch.keep_local("lead", lead_id, {"needs_review": flag, "review_reason": text})
