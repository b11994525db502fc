"""Erasure reaches every laptop through the sync and is never undone by one."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from app.domain.erasure import ERASED_SYNC_COLUMNS
from app.services.context import ServiceContext
from app.services.sync.batches import Batch, RowKey
from app.storage.repositories.erasure import ErasureRepository
from app.sync.ops import Append, Op


class Erasures:
    """Scrubs erased people from what a merge writes: tombstones that arrive, and versions of
    an erased person's rows that arrive after the erasure."""

    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    def enforce(self, batch: Batch, touched: set[RowKey], now: dt.datetime) -> set[RowKey]:
        """A tombstone that arrives erases the person here; versions of an erased person's rows
        that arrive later (edits made elsewhere before the erasure was seen) are scrubbed as
        they land, in the table, in the log and in the shadow. Returns the touched rows that
        belong to erased people."""
        repo = batch.repo
        by_table: dict[str, list[str]] = {}
        for table, row_id in touched:
            by_table.setdefault(table, []).append(row_id)
        owners: dict[RowKey, str] = {}
        for table in ("task", "activity", "answer", "card_picture"):
            for row_id, lead_id in repo.lead_of_rows(table, by_table.get(table, [])).items():
                owners[(table, row_id)] = lead_id
        lead_ids = set(by_table.get("lead", [])) | set(owners.values())
        arrived = repo.tombstoned_leads(by_table.get("tombstone", []))
        erased = repo.erased_among(sorted(lead_ids | arrived))
        to_erase = sorted(arrived - erased)
        affected = sorted(erased | set(to_erase))
        if not affected:
            return set()
        family_ids: set[str] = set()
        for lead_id in affected:
            family_ids |= self._erase_here(batch, lead_id, now)
        return {(t, r) for (t, r) in touched if r in family_ids
                or owners.get((t, r)) in family_ids}

    def erase_arriving(self, batch: Batch, received: Sequence[Op]) -> None:
        """Before merging: a person erased elsewhere is scrubbed here while this laptop still
        holds their email and phone, so rows found by them (do-not-contact entries) go too."""
        leads = {str(op.values.get("lead_id")) for op in received
                 if isinstance(op, Append) and op.table == "tombstone"}
        now = self.context.clock()
        for lead_id in sorted(leads - batch.repo.erased_among(sorted(leads))):
            self._erase_here(batch, lead_id, now)

    def _erase_here(self, batch: Batch, lead_id: str, now: dt.datetime) -> set[str]:
        """Scrub an erased person on this laptop (idempotent); returns the family's lead ids."""
        erasure = ErasureRepository(batch.session)
        family = erasure.family(uuid.UUID(lead_id))
        if not family:
            return set()
        ids = sorted(lead.id.hex for lead in family)
        entries = erasure.suppression_ids(family)
        erasure.scrub(family, now, self.context.device_id)
        batch.session.flush()
        batch.repo.purge_erased(ids, ERASED_SYNC_COLUMNS, {"suppression": entries})
        return set(ids)
