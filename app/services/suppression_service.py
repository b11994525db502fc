"""The suppression list: who must not be contacted, why and since when; checked on the way in.

Adding an entry also marks the leads it covers do-not-contact, with a history row each, in the
same transaction. Imported and exported as CSV (kind, value, reason, note).
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from app.domain.data_quality import (
    SuppressionIndex,
    SuppressionKind,
    SuppressionReason,
    SuppressionRecord,
    company_key,
    normalise_suppression,
)
from app.domain.errors import ConflictError, FieldError, LeadlineError, NotFoundError, ValidationError
from app.domain.ids import new_id
from app.domain.review import ReviewCode, ReviewReason, with_reasons
from app.files import atomic_write
from app.services.context import ServiceContext
from app.services.lead_service import LeadService
from app.services.suppression_index import SuppressionIndexCache
from app.storage.orm import Suppression
from app.storage.repositories.leads import LeadRepository
from app.storage.repositories.suppression import SuppressionRepository


@dataclass(frozen=True)
class SuppressionImport:
    added: int
    already_listed: int
    invalid: tuple[str, ...]  # "row 4: email: 'x@' is not a valid email address…"
    leads_flagged: int


class SuppressionService:
    def __init__(self, context: ServiceContext, leads: LeadService,
                 index_cache: SuppressionIndexCache) -> None:
        self.context, self.leads, self.index_cache = context, leads, index_cache
        self.db = context.db

    def entries(self) -> list[SuppressionRecord]:
        with self.db.read() as session:
            return SuppressionRepository(session).all()

    def index(self) -> SuppressionIndex:
        """All live entries for checks on capture and import; rebuilt after every change."""
        return self.index_cache.index()

    def forget_index(self) -> None:
        """Entries or tombstones changed behind this service's back (erasure, sync)."""
        self.index_cache.forget()

    def add(self, kind: SuppressionKind | str, value: str,
            reason: SuppressionReason | str = SuppressionReason.OTHER,
            note: str = "") -> tuple[SuppressionRecord, int]:
        """List someone; returns the entry and how many existing leads it now covers."""
        kind, reason = _kind(kind), _reason(reason)
        try:
            stored = normalise_suppression(kind, value, self.context.default_country or None)
        except ValueError as exc:
            raise ValidationError.single("value", str(exc)) from None
        if stored != value.strip() and not note.strip():
            note = f"as typed: {value.strip()}"  # the stored key alone can read oddly (globex)
        with self.db.write() as session:
            repo = SuppressionRepository(session)
            if repo.find(kind, stored) is not None:
                raise ConflictError(f"{kind.value} {stored} is already on the suppression list")
            row = repo.add(Suppression(
                id=new_id(), kind=kind.value, value=stored, reason=reason.value,
                note=note.strip()[:500], created_at=self.context.clock(),
                actor_id=self.context.current_user_id, updated_at=self.context.clock(),
                device_id=self.context.device_id))
            flagged = self._flag_covered(session, kind, stored, reason)
        self.index_cache.forget()
        return SuppressionRecord(row.id, kind, stored, reason, row.note, row.created_at), flagged

    def _flag_covered(self, session: Session, kind: SuppressionKind, value: str,
                      reason: SuppressionReason) -> int:
        repo = SuppressionRepository(session)
        leads = LeadRepository(session)
        flagged = 0
        for lead_id in repo.covered_lead_ids(kind, value):
            record = leads.record(lead_id)
            if record is None or record.do_not_contact:
                continue
            if kind is SuppressionKind.COMPANY and company_key(record.company) != value:
                continue  # the prefix match in SQL was only a pre-filter
            note = ReviewReason(ReviewCode.SUPPRESSED, f"on the suppression list: {reason.label} "
                                                       f"({kind.value} {value})")
            reasons = with_reasons(record.review_reason, [note])
            self.leads.update_in(session, lead_id, {
                "do_not_contact": True, "needs_review": True, "review_reason": reasons})
            flagged += 1
        return flagged

    def remove(self, entry_id: uuid.UUID) -> None:
        """Take an entry off the list (leads stay do-not-contact until someone decides)."""
        with self.db.write() as session:
            row = SuppressionRepository(session).get(entry_id)
            if row is None or row.deleted_at is not None:
                raise NotFoundError(f"No suppression entry with id {entry_id}")
            row.deleted_at = row.updated_at = self.context.clock()
            row.device_id = self.context.device_id
        self.index_cache.forget()

    def import_file(self, path: Path) -> SuppressionImport:
        """CSV with kind,value,reason,note columns, or one column of emails/domains/phones."""
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError:
            text = path.read_bytes().decode("cp1252", errors="replace")
        except OSError as exc:
            raise LeadlineError(f"Cannot read {path}: {exc.strerror}") from exc
        rows = list(csv.reader(io.StringIO(text)))
        header = [h.strip().lower() for h in rows[0]] if rows else []
        has_header = "value" in header
        added = listed = flagged = 0
        invalid: list[str] = []
        for number, row in enumerate(rows[1:] if has_header else rows, start=2 if has_header
                                     else 1):
            cells = dict(zip(header, row, strict=False)) if has_header else {
                "value": row[0] if row else ""}
            value = (cells.get("value") or "").strip()
            if not value:
                continue
            try:
                kind = _kind(cells.get("kind") or _guess_kind(value))
                _record, covered = self.add(kind, value, cells.get("reason") or "other",
                                            cells.get("note") or "")
            except ConflictError:
                listed += 1
                continue
            except ValidationError as error:
                invalid.append(f"row {number}: {error}")
                continue
            added += 1
            flagged += covered
        return SuppressionImport(added, listed, tuple(invalid), flagged)

    def export_file(self, path: Path) -> int:
        """Write the list as CSV (UTF-8 with BOM so Excel opens it right), atomically."""
        entries = self.entries()
        with atomic_write(path, encoding="utf-8-sig", newline="") as handle:
            out = csv.writer(handle)
            out.writerow(["kind", "value", "reason", "note", "since"])
            for entry in entries:
                since = entry.created_at.date().isoformat() if entry.created_at else ""
                out.writerow([entry.kind.value, entry.value, entry.reason.value, entry.note,
                              since])
        return len(entries)


def _kind(kind: SuppressionKind | str) -> SuppressionKind:
    try:
        return SuppressionKind(str(kind).strip().lower())
    except ValueError:
        allowed = ", ".join(k.value for k in SuppressionKind)
        raise ValidationError([FieldError("kind", f"'{kind}' is not one of: {allowed}")]) from None


def _reason(reason: SuppressionReason | str) -> SuppressionReason:
    try:
        return SuppressionReason(str(reason).strip().lower().replace(" ", "_").replace("-", "_"))
    except ValueError:
        allowed = ", ".join(r.value for r in SuppressionReason)
        raise ValidationError.single("reason", f"'{reason}' is not one of: {allowed}") from None


def _guess_kind(value: str) -> SuppressionKind:
    if "@" in value.strip("@"):
        return SuppressionKind.EMAIL
    if value.startswith("@") or ("." in value and " " not in value and
                                 not any(c.isdigit() for c in value.split(".")[-1])):
        return SuppressionKind.DOMAIN
    if sum(c.isdigit() for c in value) >= 6:
        return SuppressionKind.PHONE
    return SuppressionKind.COMPANY
