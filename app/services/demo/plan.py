"""The rows of one demo run: the missing organisation now, the leads lazily in chunks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from app.services.demo.leads import LeadFactory, LeadRows
from app.services.demo.organisation import Rows, Show

DEFAULT_CHUNK_SIZE = 5_000


@dataclass
class DemoPlan:
    """Rows for one demo run, built lazily so a million leads never sit in memory at once.

    ``organisation`` holds the users, teams, queues and events still missing; ``chunks``
    yields the leads with their tasks and history in creation order.
    """

    leads: int
    organisation: Rows
    _factory: LeadFactory
    _schedule: Iterator[tuple[dt.datetime, Show | None]]

    @property
    def new_users(self) -> int:
        return len(self.organisation.get("user", []))

    @property
    def new_events(self) -> int:
        return len(self.organisation.get("event", []))

    def chunks(self, size: int = DEFAULT_CHUNK_SIZE) -> Iterator[Rows]:
        """Batches of ``size`` leads (the last may be smaller), each with its tasks and history."""
        rows = LeadRows()
        for created, show in self._schedule:
            self._factory.add(rows, created, show)
            if len(rows.leads) >= size:
                yield rows.as_batch()
                rows = LeadRows()
        if rows.leads:
            yield rows.as_batch()
