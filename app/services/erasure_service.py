"""Access and erasure requests: show a person everything stored about them, or forget them.

Erasure empties every personal field of the lead (and of leads merged into it), scrubs the
words from history, tasks, answers, scans, registrations and suppression entries, leaves an
anonymous tombstone, then compacts the search index and truncates the write-ahead log so
the old bytes are not left behind in the file either.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app.domain.audit import AuditAction
from app.domain.erasure import ERASED_SYNC_COLUMNS, ErasureReceipt, fingerprints_of
from app.domain.errors import ConflictError, LeadlineError, NotFoundError
from app.domain.history import ActivityKind
from app.domain.ids import new_id
from app.domain.progress import CancelCheck, Progress
from app.files import atomic_write
from app.paths import backups_dir_for
from app.services.audit_service import AuditService
from app.services.context import ServiceContext
from app.services.suppression_service import SuppressionService
from app.storage.orm import Tombstone
from app.storage.repositories.audit import AuditRepository
from app.storage.repositories.erasure import (
    ErasureRepository,
    compact_search_index,
    row_values,
    vacuum_erased,
)
from app.storage.repositories.history import HistoryRepository
from app.storage.repositories.sync.repository import SyncRepository

EXPORT_FORMATS = ("json", "pdf")


class ErasureService:
    def __init__(self, context: ServiceContext, suppressions: SuppressionService,
                 audit: AuditService) -> None:
        self.context, self.suppressions, self.audit = context, suppressions, audit
        self.db = context.db

    # -- access requests ------------------------------------------------------------------
    def export_person(self, lead_id: uuid.UUID) -> dict[str, Any]:
        """Everything stored about the person behind a lead, table by table, JSON-ready."""
        with self.db.read() as session:
            repo = ErasureRepository(session)
            family = repo.family(lead_id)
            if not family:
                raise NotFoundError(f"No lead with id {lead_id}")
            related = repo.related(family)
            prompts = repo.question_prompts(
                a.question_id for a in related["answer"])  # type: ignore[attr-defined]
            tables = {name: [_plain(row_values(row)) for row in rows]
                      for name, rows in related.items() if name != "dismissed_pair"}
        for answer in tables["answer"]:
            answer["question"] = prompts.get(uuid.UUID(answer["question_id"]), "")
        lead = tables["lead"][0]
        return {
            "subject": " ".join(filter(None, [lead["first_name"], lead["last_name"]]))
                       or lead["email"] or str(lead_id),
            "lead_id": str(lead_id),
            "generated_at": self.context.clock().isoformat(timespec="seconds"),
            "erased": lead.get("erased_at") is not None,
            "tables": tables,
        }

    def write_export(self, lead_id: uuid.UUID, path: Path, fmt: str | None = None) -> Path:
        """Write the access export as JSON or PDF (by ``fmt`` or the file suffix), atomically."""
        fmt = (fmt or path.suffix.lstrip(".") or "json").lower()
        if fmt not in EXPORT_FORMATS:
            raise LeadlineError(f"Cannot export as '{fmt}': choose json or pdf")
        data = self.export_person(lead_id)
        try:
            if fmt == "json":
                with atomic_write(path, encoding="utf-8") as handle:
                    json.dump(data, handle, indent=2, ensure_ascii=False)
            else:
                from app.reports.access_report import write_access_report

                with atomic_write(path, "wb") as handle:
                    write_access_report(data, handle)
        except OSError as exc:
            raise LeadlineError(f"Cannot write {path}: {exc.strerror}") from exc
        # Everything stored about a person left the app: the most sensitive export of all.
        self.audit.record(AuditAction.EXPORT, f"access request as {fmt} ({path.name})", 1)
        return path

    # -- erasure ----------------------------------------------------------------------------
    def erase(self, lead_id: uuid.UUID, reason: str = "") -> ErasureReceipt:
        """Forget the person behind a lead. Cannot be undone: callers confirm first. No backup
        is made first: it would keep exactly what the person asked to have forgotten."""
        now = self.context.clock()
        with self.db.write() as session:
            erased_ids, scrubbed = self._erase_in(session, lead_id, reason, now)
            self.audit.add_to(AuditRepository(session), AuditAction.ERASURE,
                              "1 person, on request", 1)
        compacted, truncated = self._tidy(scrubbed)
        return ErasureReceipt(lead_id, erased_ids, scrubbed, now,
                              self._older_backups(now), compacted, truncated)

    def erase_many(self, lead_ids: Sequence[uuid.UUID], reason: str,
                   progress: Progress | None = None, cancelled: CancelCheck | None = None
                   ) -> tuple[int, bool]:
        """Erase each person in a transaction of their own (a stop keeps those done), tidying
        the freed pages and the journal once at the end. Returns (erased, stopped early);
        leads already erased (another laptop's sync, a merge) are passed over. The caller
        records the audit entry for the whole run."""
        erased, scrubbed_all, stopped = 0, {}, False
        for done, lead_id in enumerate(lead_ids):
            if cancelled is not None and cancelled():
                stopped = True
                break
            try:
                with self.db.write() as session:
                    _ids, scrubbed = self._erase_in(session, lead_id, reason, self.context.clock())
            except (NotFoundError, ConflictError):
                continue
            erased += 1
            for table, rows in scrubbed.items():
                scrubbed_all[table] = scrubbed_all.get(table, 0) + rows
            if progress is not None:
                progress(done + 1, len(lead_ids))
        if erased:
            self._tidy(scrubbed_all)
        return erased, stopped

    def _erase_in(self, session: Session, lead_id: uuid.UUID, reason: str, now: dt.datetime
                  ) -> tuple[tuple[uuid.UUID, ...], dict[str, int]]:
        device = self.context.device_id
        repo = ErasureRepository(session)
        repo.zero_freed_pages()
        family = repo.family(lead_id)
        if not family:
            raise NotFoundError(f"No lead with id {lead_id}")
        if family[0].erased_at is not None:
            raise ConflictError(f"Lead {lead_id} was already erased on "
                                f"{family[0].erased_at.date().isoformat()}")
        prints: set[str] = set()
        for lead in family:
            prints |= fingerprints_of(row_values(lead))
        entries = repo.suppression_ids(family)
        orders = repo.orders_of(family)
        scrubbed = repo.scrub(family, now, device)
        repo.scrub_orders(orders, now, device)
        # Older versions in the sync log (kept for merging) and in the last-sent shadow.
        SyncRepository(session).purge_erased(
            [lead.id.hex for lead in family], ERASED_SYNC_COLUMNS,
            {"suppression": entries, "customer_order": [order.hex for order in orders]})
        repo.add_tombstone(Tombstone(
            id=new_id(), lead_id=lead_id, erased_at=now,
            actor_id=self.context.current_user_id, fingerprints=" ".join(sorted(prints)),
            reason=reason.strip()[:200], updated_at=now, device_id=device))
        HistoryRepository(session).record(lead_id, ActivityKind.ERASED, now=now, device=device,
                                          actor=self.context.current_user_id)
        return tuple(lead.id for lead in family), scrubbed

    def _tidy(self, scrubbed: dict[str, int]) -> tuple[bool, bool]:
        """Overwrite what the erasure freed (pages, search index, the server's dead rows) and
        empty the journal: (compacted, log truncated)."""
        self.suppressions.forget_index()
        compacted = self._compact() and vacuum_erased(self.db, scrubbed)
        return compacted, self._truncate_log()

    def _compact(self) -> bool:
        try:
            with self.db.write() as session:
                ErasureRepository(session).zero_freed_pages()
                compact_search_index(session)
            return True
        except LeadlineError:
            return False

    def _truncate_log(self) -> bool:
        """Checkpoint and empty the WAL, which still holds the pre-erasure pages."""
        return self.db.truncate_write_ahead_log()

    def _older_backups(self, now: dt.datetime) -> tuple[str, ...]:
        folder = backups_dir_for(self.db.path)
        if not folder.is_dir():
            return ()
        cutoff = now.timestamp()
        return tuple(str(p) for p in sorted(folder.iterdir())
                     if p.is_file() and p.stat().st_mtime <= cutoff)


def _plain(values: dict[str, Any]) -> dict[str, Any]:
    """JSON-ready values: ids and dates as ISO strings, enums as their value."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, uuid.UUID):
            value = str(value)
        elif isinstance(value, dt.datetime | dt.date):
            value = value.isoformat()
        elif hasattr(value, "value") and not isinstance(value, bool | int | str):
            value = value.value
        elif isinstance(value, str) and hasattr(value, "value"):
            value = str(value.value)
        out[key] = value
    return out
