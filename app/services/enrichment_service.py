"""Local enrichment: a company directory (domain → company, industry, size, country) fills the
blanks of leads with that email domain. Typed data is never overwritten; every filled value's
source (the directory file) is recorded in the lead's history."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app.domain.enrichment import DirectoryRow, blanks_to_fill, email_domain
from app.domain.history import ActivityKind
from app.importers.company_directory import read_directory
from app.services.context import ServiceContext
from app.services.lead_service import LeadService
from app.storage.repositories.enrichment import EnrichmentRepository
from app.storage.repositories.history import HistoryRepository


@dataclass(frozen=True)
class DirectoryImport:
    added: int
    updated: int
    problems: tuple[str, ...]
    leads_enriched: int


class EnrichmentService:
    def __init__(self, context: ServiceContext, leads: LeadService) -> None:
        self.context, self.leads = context, leads
        self.db = context.db
        self._directory: dict[str, DirectoryRow] | None = None
        self._sources: dict[str, str] = {}

    def directory(self) -> dict[str, DirectoryRow]:
        """Every entry by domain (cached; companies are few next to leads)."""
        if self._directory is None:
            with self.db.read() as session:
                repo = EnrichmentRepository(session)
                self._directory, self._sources = repo.directory(), repo.sources()
        return self._directory

    def fills_for(self, values: Mapping[str, Any]) -> tuple[dict[str, str], str]:
        """What the directory adds to these lead values, and the file it came from."""
        domain = email_domain(str(values.get("email") or ""))
        entry = self.directory().get(domain) if domain else None
        if entry is None:
            return {}, ""
        return blanks_to_fill(values, entry), self._sources.get(domain, "company directory")

    def import_directory(self, path: Path) -> DirectoryImport:
        """Load the file, then fill the blanks of every lead it covers; one transaction."""
        rows, problems = read_directory(path)
        now = self.context.clock()
        enriched = 0
        with self.db.write() as session:
            added, updated = EnrichmentRepository(session).upsert(
                rows, path.name, now, self.context.device_id)
            directory = {row.domain: row for row in rows}
            with self.db.read() as reader:  # streams; the writes go through the other session
                for lead_id, email, current in EnrichmentRepository(reader).leads_with_blanks():
                    entry = directory.get(email_domain(email))
                    fills = blanks_to_fill(current, entry) if entry else {}
                    if fills:
                        self.enrich_in(session, lead_id, fills, path.name)
                        enriched += 1
        self._directory = None
        return DirectoryImport(added, updated, tuple(problems), enriched)

    def enrich_in(self, session: Session, lead_id: uuid.UUID, fills: Mapping[str, str],
                  source: str) -> None:
        """Apply fills and say where they came from, inside the caller's transaction. A company
        filled this way is marked as the directory's suggestion, not what the person gave."""
        changes: dict[str, str] = dict(fills)
        if "company" in fills:
            changes["company_source"] = f"company directory ({source})"
        self.leads.update_in(session, lead_id, changes, lenient=True)
        now = self.context.clock()
        HistoryRepository(session).record(
            lead_id, ActivityKind.ENRICHED, now=now, device=self.context.device_id,
            actor=self.context.current_user_id,
            text=f"{', '.join(fills)} from the company directory ({source})")
