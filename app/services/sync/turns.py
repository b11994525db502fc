"""A sync's write turns: one short transaction per batch, then a moment for the other writers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

from sqlalchemy.orm import Session

from app.services.sync import meta
from app.services.sync.batches import Batch, Pace
from app.storage.db import Database
from app.storage.repositories.sync.repository import SyncRepository
from app.sync.clock import HybridClock

# Between two batch transactions (see turn).
_TURN_PAUSE_S = 0.002


@contextmanager
def turn(db: Database, pace: Pace | None = None) -> Iterator[Session]:
    """One batch's write transaction (its time sets the next batch's size), then a moment
    for the writers waiting behind it: the write turn is a lock, not a queue, and a sync
    taking it again at once could keep the window and the daily jobs waiting."""
    with db.write() as session:
        started = time.perf_counter()
        yield session
    if pace is not None:
        pace.took(time.perf_counter() - started)
    time.sleep(_TURN_PAUSE_S)


def transaction(db: Database, session: Session | None, pace: Pace
                ) -> AbstractContextManager[Session]:
    """A new write transaction of a batch (see ``turn``), or the caller's."""
    return turn(db, pace) if session is None else nullcontext(session)


def open_batch(session: Session, inc: str, clock: HybridClock) -> Batch:
    """A batch in ``session`` whose replica knows what the absorbed snapshots cover."""
    return Batch(session, inc, clock, meta.covered(SyncRepository(session)))
