"""The one repository the sync services use: every part of sync's SQL on one connection."""

from __future__ import annotations

from app.storage.repositories.sync.erased_rows import ErasedRows
from app.storage.repositories.sync.review_flags import ReviewFlags
from app.storage.repositories.sync.synced_rows import SyncedRows


class SyncRepository(ErasedRows, SyncedRows, ReviewFlags):
    """Op log, replica state, synced rows, review flags and erasure, sharing one transaction."""
