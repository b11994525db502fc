"""The suppression list as checks on the way in see it: built once, dropped after every change.

Its own object so that scoring can read it without depending on SuppressionService, which writes
leads through LeadService; the composition root builds it first and hands it to both.
"""

from __future__ import annotations

from app.domain.data_quality import SuppressionIndex
from app.domain.erasure import ErasureIndex
from app.services.context import ServiceContext
from app.storage.repositories.erasure import ErasureRepository
from app.storage.repositories.suppression import SuppressionRepository


class SuppressionIndexCache:
    def __init__(self, context: ServiceContext) -> None:
        self.db = context.db
        self._index: SuppressionIndex | None = None

    def index(self) -> SuppressionIndex:
        """All live entries and erasure tombstones, for checks on capture, import and scoring."""
        if self._index is None:
            with self.db.read() as session:
                entries = SuppressionRepository(session).all()
                erased = ErasureIndex.of(ErasureRepository(session).tombstones())
            self._index = SuppressionIndex.of(entries, erased)
        return self._index

    def forget(self) -> None:
        """Entries or tombstones changed (an entry added or removed, an erasure, a sync)."""
        self._index = None
