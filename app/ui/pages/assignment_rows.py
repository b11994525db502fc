"""The assignment board's rows: what each one counts and the list it opens (one definition
for both, so a row's number is always its list's length)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QListWidgetItem,
)

from app.domain.leads import FOLLOW_UP_STATUSES, LeadQuery, SortKey
from app.services.routing_service import QueueCount, RepWorkload
from app.ui.wording import counted

ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # a board row's (kind, id)
ORPHANS_ROW, NOBODY_ROW, QUEUE_ROW, REP_ROW = "orphans", "nobody", "queue", "rep"
# Oldest first: the leads that have waited longest for an owner are handed out first.
OLDEST_FIRST = LeadQuery(sort=SortKey.CREATED, descending=False)
_ORPHANED = replace(OLDEST_FIRST, orphaned=True)
_NO_OWNER_NO_QUEUE = replace(_ORPHANED, unassigned=True, no_queue=True)
_WAITING = replace(OLDEST_FIRST, unassigned=True, statuses=tuple(sorted(FOLLOW_UP_STATUSES)))


@dataclass(frozen=True)
class BoardCounts:
    queues: list[QueueCount]
    orphans: int
    workload: list[RepWorkload]
    leads: int  # every live lead: tells an empty database from an empty list


def workload_text(open_leads: int, capacity: int | None) -> str:
    """A rep's open leads against their capacity, in words that stay clear far over it:
    "350 open leads · capacity 400", "12,124 open leads · capacity 400 (30× over)"."""
    leads = counted(open_leads, "open lead")
    if capacity is None:
        return leads
    if capacity == 0:
        return f"{leads} · capacity 0 (takes no new leads)"
    if open_leads < capacity:
        return f"{leads} · capacity {capacity:,}"
    if open_leads == capacity:
        return f"{leads} · at capacity"
    if open_leads < 2 * capacity:
        return f"{leads} · capacity {capacity:,} ({open_leads - capacity:,} over)"
    return f"{leads} · capacity {capacity:,} ({open_leads // capacity:,}× over)"


def list_for(kind: str, ident: uuid.UUID | None, name: str) -> tuple[LeadQuery, str, str]:
    """The list a board row opens: its query, title and what it says when empty."""
    if kind == NOBODY_ROW:
        return (_NO_OWNER_NO_QUEUE, "No owner, no queue: leads nobody will call, oldest first",
                "No lead is without both an owner and a queue.")
    if kind == ORPHANS_ROW:
        return (_ORPHANED, "Orphans: leads nobody can work (no owner and no queue, or an owner "
                "away or inactive), oldest first",
                "No orphans: every lead waiting for follow-up has someone to work it.")
    return (replace(_WAITING, queue_id=ident),
            f"{name}: leads waiting for an owner, oldest first",
            f"Nothing waiting in {name.removesuffix(' (catch-all)')}.")


def row_count(counts: BoardCounts, kind: str, ident: uuid.UUID | None) -> int | None:
    """How many leads a row's list holds, as the counts already know (they use the same
    definitions as the lists: a test holds them together)."""
    if kind == ORPHANS_ROW:
        return counts.orphans
    if kind == QUEUE_ROW:
        return next((c.open_leads for c in counts.queues
                     if c.queue is not None and c.queue.id == ident), None)
    return None


def first_row_to_work(counts: BoardCounts) -> tuple[str, uuid.UUID | None]:
    """The row ``first_to_work`` picks, from the counts alone (no widgets: worker threads)."""
    if counts.orphans:
        return ORPHANS_ROW, None
    return next(((QUEUE_ROW, c.queue.id) for c in counts.queues
                 if c.queue is not None and c.open_leads), (ORPHANS_ROW, None))


def first_to_work(rows: list[QListWidgetItem], counts: BoardCounts) -> QListWidgetItem:
    """Where the board opens: the orphans when there are any (the header counts them), else
    the first queue with leads waiting, else the (empty) orphans row."""
    if counts.orphans:
        return rows[0]
    waiting = {c.queue.id: c.open_leads for c in counts.queues if c.queue is not None}
    return next((r for r in rows if r.data(ROW_ROLE)[0] == QUEUE_ROW
                 and waiting.get(r.data(ROW_ROLE)[1])), rows[0])
