"""Booth capture storage: registration lists, the scan log, and badge lookups at an event."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.booth import PENDING_REGISTRATION, ScanLogRecord
from app.domain.ids import new_id
from app.storage.orm import Lead, Registration, ScanLog

REGISTRATION_FIELDS = ("first_name", "last_name", "title", "company", "email", "phone",
                       "mobile", "city", "country")


class BoothRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- registration lists -------------------------------------------------------------------
    def upsert_registrations(self, event_id: uuid.UUID,
                             rows: Iterable[tuple[str, dict[str, str]]], now: dt.datetime,
                             device_id: uuid.UUID) -> tuple[int, int]:
        """Insert or refresh (badge id → person) rows; returns (added, updated)."""
        existing = {r.badge_id: r for r in self.session.scalars(
            select(Registration).where(Registration.event_id == event_id))}
        added = updated = 0
        for badge_id, fields in rows:
            values = {k: fields.get(k, "")[:_LIMITS.get(k, 200)] for k in REGISTRATION_FIELDS}
            row = existing.get(badge_id)
            if row is None:
                row = Registration(id=new_id(), event_id=event_id, badge_id=badge_id,
                                   imported_at=now, updated_at=now, device_id=device_id,
                                   **values)
                self.session.add(row)
                existing[badge_id] = row
                added += 1
            else:
                for key, value in values.items():
                    setattr(row, key, value)
                row.imported_at, row.updated_at, row.device_id = now, now, device_id
                updated += 1
        self.session.flush()
        return added, updated

    def registration(self, event_id: uuid.UUID, badge_id: str) -> dict[str, str] | None:
        row = self.session.scalars(select(Registration).where(
            Registration.event_id == event_id, Registration.badge_id == badge_id)).first()
        if row is None:
            return None
        return {k: getattr(row, k) for k in REGISTRATION_FIELDS if getattr(row, k)}

    def registration_count(self, event_id: uuid.UUID) -> int:
        return int(self.session.scalar(select(func.count()).select_from(Registration).where(
            Registration.event_id == event_id)) or 0)

    # -- leads at the event -------------------------------------------------------------------
    def lead_id_for_badge(self, event_id: uuid.UUID, badge_id: str) -> uuid.UUID | None:
        return self.session.scalar(select(Lead.id).where(
            Lead.badge_id == badge_id, Lead.event_id == event_id, Lead.deleted_at.is_(None))
            .order_by(Lead.created_at).limit(1))

    def lead_id_for_email(self, event_id: uuid.UUID, email: str) -> uuid.UUID | None:
        return self.session.scalar(select(Lead.id).where(
            Lead.email == email, Lead.event_id == event_id, Lead.deleted_at.is_(None))
            .order_by(Lead.created_at).limit(1))

    def pending_leads(self, event_id: uuid.UUID) -> list[tuple[uuid.UUID, str]]:
        """(lead id, badge id) of badge-only leads still waiting for the registration list."""
        rows = self.session.execute(select(Lead.id, Lead.badge_id).where(
            Lead.event_id == event_id, Lead.deleted_at.is_(None), Lead.badge_id != "",
            Lead.review_reason.contains(PENDING_REGISTRATION)))
        return [(row[0], row[1]) for row in rows]

    def captured_count(self, event_id: uuid.UUID, user_id: uuid.UUID | None,
                       since: dt.datetime) -> int:
        statement = select(func.count()).select_from(Lead).where(
            Lead.event_id == event_id, Lead.deleted_at.is_(None), Lead.created_at >= since)
        if user_id is not None:
            statement = statement.where(Lead.captured_by_id == user_id)
        return int(self.session.scalar(statement) or 0)

    def recent_capture_ids(self, event_id: uuid.UUID, user_id: uuid.UUID | None,
                           limit: int) -> list[uuid.UUID]:
        statement = select(Lead.id).where(Lead.event_id == event_id, Lead.deleted_at.is_(None))
        if user_id is not None:
            statement = statement.where(Lead.captured_by_id == user_id)
        newest_first = (Lead.created_at.desc(), Lead.key.desc())
        return list(self.session.scalars(statement.order_by(*newest_first).limit(limit)))

    # -- scan log -----------------------------------------------------------------------------
    def log_scan(self, *, event_id: uuid.UUID | None, raw: str, outcome: str, reason: str,
                 lead_id: uuid.UUID | None, user_id: uuid.UUID | None, now: dt.datetime,
                 device_id: uuid.UUID) -> None:
        self.session.add(ScanLog(id=new_id(), event_id=event_id, raw=raw, outcome=outcome,
                                 reason=reason[:500], lead_id=lead_id, captured_by_id=user_id,
                                 scanned_at=now, updated_at=now, device_id=device_id))

    def scan_log(self, event_id: uuid.UUID | None, limit: int) -> list[ScanLogRecord]:
        statement = select(ScanLog)
        if event_id is not None:
            statement = statement.where(ScanLog.event_id == event_id)
        rows = self.session.scalars(statement.order_by(ScanLog.scanned_at.desc()).limit(limit))
        return [ScanLogRecord(r.id, r.raw, r.outcome, r.reason, r.scanned_at, r.lead_id,
                              r.event_id) for r in rows]


_LIMITS = {"first_name": 100, "last_name": 100, "email": 254, "phone": 50, "mobile": 50,
           "city": 100, "country": 100}
