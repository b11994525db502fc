"""The company directory, and the leads whose blanks it can fill."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.enrichment import ENRICHABLE, DirectoryRow
from app.domain.ids import new_id
from app.storage.orm import CompanyDirectoryEntry, Lead


class EnrichmentRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def upsert(self, rows: Iterable[DirectoryRow], source: str, now: dt.datetime,
               device_id: uuid.UUID) -> tuple[int, int]:
        existing = {e.domain: e for e in self.session.scalars(select(CompanyDirectoryEntry))}
        added = updated = 0
        for row in rows:
            entry = existing.get(row.domain)
            values = {f: getattr(row, f) for f in ENRICHABLE}
            if entry is None:
                entry = CompanyDirectoryEntry(id=new_id(), domain=row.domain, source=source,
                                              imported_at=now, updated_at=now,
                                              device_id=device_id, **values)
                self.session.add(entry)
                existing[row.domain] = entry
                added += 1
            else:
                for field, value in values.items():
                    if value:
                        setattr(entry, field, value)
                entry.source, entry.imported_at, entry.updated_at = source, now, now
                entry.device_id = device_id
                updated += 1
        self.session.flush()
        return added, updated

    def directory(self) -> dict[str, DirectoryRow]:
        return {e.domain: DirectoryRow(e.domain, e.company, e.industry, e.company_size,
                                       e.country)
                for e in self.session.scalars(select(CompanyDirectoryEntry))}

    def sources(self) -> dict[str, str]:
        return dict(self.session.execute(
            select(CompanyDirectoryEntry.domain, CompanyDirectoryEntry.source)).all())

    def leads_with_blanks(self, batch: int = 20_000) -> Iterator[tuple[uuid.UUID, str, dict]]:
        """(id, email, current enrichable values) of live leads with an email and a blank."""
        blank = (Lead.company == "") | (Lead.industry == "") | (Lead.company_size == "") | (
            Lead.country == "")
        statement = (select(Lead.id, Lead.email, Lead.company, Lead.industry, Lead.company_size,
                            Lead.country)
                     .where(Lead.deleted_at.is_(None), Lead.email != "", blank)
                     .execution_options(yield_per=batch))
        for row in self.session.execute(statement):
            yield row[0], row[1], dict(zip(ENRICHABLE, row[2:], strict=True))
