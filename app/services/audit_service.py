"""The audit trail (app/domain/audit.py): services record what left the app or changed many
records at once; admins read it in the window, with `main.py audit`, or as a CSV file."""

from __future__ import annotations

import csv
import uuid
from pathlib import Path

from app.domain.audit import AuditAction, AuditEntry
from app.exporters.spreadsheet_safety import safe_value
from app.files import atomic_write
from app.services.context import ServiceContext
from app.storage.repositories.audit import AuditRepository

CSV_COLUMNS = ("occurred_at", "action", "what", "records", "actor")


class AuditService:
    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    def record(self, action: AuditAction, what: str, records: int) -> uuid.UUID:
        """One entry, by whoever is signed in, now."""
        with self.context.db.write() as session:
            return self.add_to(AuditRepository(session), action, what, records)

    def add_to(self, repository: AuditRepository, action: AuditAction, what: str,
               records: int) -> uuid.UUID:
        """The entry added through the caller's repository, inside the caller's transaction,
        so an erasure and its entry are kept or rolled back together."""
        return repository.add(
            occurred_at=self.context.clock(), device_id=self.context.device_id,
            actor_id=self.context.current_user_id, action=action, what=what,
            records=max(0, records))

    def entries(self, *, limit: int | None = None, offset: int = 0,
                action: AuditAction | None = None) -> list[AuditEntry]:
        with self.context.db.read() as session:
            return list(AuditRepository(session).newest(limit=limit, offset=offset,
                                                        action=action))

    def count(self, action: AuditAction | None = None) -> int:
        with self.context.db.read() as session:
            return AuditRepository(session).count(action)

    def export_csv(self, target: Path) -> int:
        """The whole trail, newest first, into ``target`` (written atomically); recorded too."""
        entries = self.entries()
        with atomic_write(target, newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(CSV_COLUMNS)
            for entry in entries:
                # File names and people's names are typed by users: no cell may run as a formula.
                writer.writerow([entry.occurred_at.isoformat(), entry.action.value,
                                 safe_value(entry.what), entry.records,
                                 safe_value(entry.actor_name)])
        self.record(AuditAction.EXPORT, f"audit trail to CSV ({target.name})", len(entries))
        return len(entries)
