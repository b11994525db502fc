"""Booth capture storage: registration lists, the scan log, and badge lookups at an event."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, or_, select, true, update
from sqlalchemy.orm import Session

from app.domain.booth import ScanLogRecord
from app.domain.ids import new_id
from app.domain.review import ReviewCode, code_tag
from app.importers.badges.delimited import RegisteredId
from app.importers.badges.ids import RegistrationIndex, id_candidates, match_key
from app.storage.orm import Lead, Registration, ScanLog

REGISTRATION_FIELDS = ("first_name", "last_name", "title", "company", "email", "phone",
                       "mobile", "street", "postal_code", "city", "region", "country")


class BoothRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- registration lists -------------------------------------------------------------------
    def upsert_registrations(self, event_id: uuid.UUID,
                             rows: Sequence[tuple[str, dict[str, Any]]], now: dt.datetime,
                             device_id: uuid.UUID) -> tuple[int, int]:
        """Insert or refresh (badge id → person) rows; returns (added, updated).

        Callers pass a few thousand rows per transaction; only those rows' ids are read back.
        """
        existing = {r.badge_id: r for r in self.session.scalars(select(Registration).where(
            Registration.event_id == event_id,
            Registration.badge_id.in_({badge_id for badge_id, _ in rows})))}
        added = updated = 0
        for badge_id, fields in rows:
            values: dict[str, Any] = {k: str(fields.get(k, ""))[:_LIMITS.get(k, 200)]
                                      for k in REGISTRATION_FIELDS}
            values["birth_date"] = fields.get("birth_date")
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

    def registration(self, event_id: uuid.UUID, badge_id: str) -> dict[str, Any] | None:
        """The person registered under exactly this id (lead field → value), or None."""
        row = self.session.scalars(select(Registration).where(
            Registration.event_id == event_id, Registration.badge_id == badge_id)).first()
        return _person(row) if row is not None else None

    def registrations(self, event_id: uuid.UUID,
                      badge_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Registered id → person, for these exact ids."""
        rows = self.session.scalars(select(Registration).where(
            Registration.event_id == event_id, Registration.badge_id.in_(set(badge_ids))))
        return {row.badge_id: _person(row) for row in rows}

    def registered_ids(self, event_id: uuid.UUID) -> list[str]:
        return list(self.session.scalars(select(Registration.badge_id).where(
            Registration.event_id == event_id)))

    def people_for_badges(self, event_id: uuid.UUID,
                          scanned: Iterable[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        """Scanned id → (registered id, person) for the ids the event's list knows, matched
        like a scan (exact, then without vendor prefix, zero padding and letter case)."""
        wanted = set(scanned)
        people = self.registrations(event_id, wanted)
        found = {badge_id: (badge_id, people[badge_id]) for badge_id in wanted & people.keys()}
        missing = wanted - found.keys()
        if missing:
            index = RegistrationIndex(self.registered_ids(event_id))
            matched = {badge_id: index.find(badge_id) for badge_id in missing}
            loose = self.registrations(event_id, {m for m in matched.values() if m})
            found.update({badge_id: (registered, loose[registered])
                          for badge_id, registered in matched.items()
                          if registered and registered in loose})
        return found

    def match_registration(self, event_id: uuid.UUID, scanned: str) -> str | None:
        """The registered id a scanned id stands for: exact first, then without a vendor prefix
        and zero padding, in any letter case (app.importers.badges.ids)."""
        candidates = id_candidates(scanned)
        if not candidates:
            return None
        exact = set(self.session.scalars(select(Registration.badge_id).where(
            Registration.event_id == event_id, Registration.badge_id.in_(candidates))))
        for candidate in candidates:
            if candidate in exact:
                return candidate
        keys = {match_key(candidate) for candidate in candidates}
        return self.session.scalar(select(Registration.badge_id).where(
            Registration.event_id == event_id,
            func.lower(func.ltrim(Registration.badge_id, "0")).in_(keys))
            .order_by(Registration.badge_id).limit(1))

    def registration_lookup(self, event_id: uuid.UUID) -> RegisteredId | None:
        """The event's registration list as a lookup for the badge parser, remembering each
        answer (None when the event has no list)."""
        if not self.registration_count(event_id):
            return None
        seen: dict[str, str | None] = {}

        def registered(token: str) -> str | None:
            if token not in seen:
                seen[token] = self.match_registration(event_id, token)
            return seen[token]

        return registered

    def registration_count(self, event_id: uuid.UUID) -> int:
        return int(self.session.scalar(select(func.count()).select_from(Registration).where(
            Registration.event_id == event_id)) or 0)

    # -- leads at the event -------------------------------------------------------------------
    def lead_id_for_badge(self, event_id: uuid.UUID, *badge_ids: str) -> uuid.UUID | None:
        """The first lead captured at the event under any of these ids (as scanned, as registered)."""
        wanted = {badge_id for badge_id in badge_ids if badge_id}
        if not wanted:
            return None
        return self.session.scalar(select(Lead.id).where(
            Lead.badge_id.in_(wanted), Lead.event_id == event_id, Lead.deleted_at.is_(None))
            .order_by(Lead.created_at).limit(1))

    def lead_id_for_email(self, event_id: uuid.UUID, email: str) -> uuid.UUID | None:
        return self.session.scalar(select(Lead.id).where(
            Lead.email == email, Lead.event_id == event_id, Lead.deleted_at.is_(None))
            .order_by(Lead.created_at).limit(1))

    def waiting_leads(self, event_id: uuid.UUID, after_key: int,
                      limit: int) -> list[tuple[int, uuid.UUID, str]]:
        """(key, lead id, badge id) of badge-only leads still waiting for the registration list,
        in key order after ``after_key``: callers walk them a batch per transaction. Leads
        flagged before the awaiting_registration column existed carry the review reason."""
        rows = self.session.execute(select(Lead.key, Lead.id, Lead.badge_id).where(
            Lead.event_id == event_id, Lead.deleted_at.is_(None), Lead.badge_id != "",
            Lead.key > after_key,
            or_(Lead.awaiting_registration == true(),
                Lead.review_reason.contains(code_tag(ReviewCode.UNREGISTERED_BADGE),
                                           autoescape=True)))
            .order_by(Lead.key).limit(limit))
        return [(row[0], row[1], row[2]) for row in rows]

    def set_awaiting_registration(self, lead_id: uuid.UUID, awaiting: bool, now: dt.datetime,
                                  device_id: uuid.UUID) -> None:
        self.session.execute(update(Lead).where(Lead.id == lead_id).values(
            awaiting_registration=awaiting, updated_at=now, device_id=device_id))

    def waiting_count(self, event_id: uuid.UUID | None) -> int:
        """Badge-only leads waiting for their registration list (at one event, or anywhere)."""
        statement = select(func.count()).select_from(Lead).where(
            Lead.awaiting_registration == true(), Lead.deleted_at.is_(None))
        if event_id is not None:
            statement = statement.where(Lead.event_id == event_id)
        return int(self.session.scalar(statement) or 0)

    def waiting_by_event(self) -> list[tuple[uuid.UUID | None, int]]:
        """(event id, leads waiting) for every event with badge-only leads waiting."""
        rows = self.session.execute(select(Lead.event_id, func.count()).where(
            Lead.awaiting_registration == true(), Lead.deleted_at.is_(None))
            .group_by(Lead.event_id))
        return [(row[0], int(row[1])) for row in rows]

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
           "postal_code": 20, "city": 100, "region": 100, "country": 100}


def _person(row: Registration) -> dict[str, Any]:
    person: dict[str, Any] = {k: getattr(row, k) for k in REGISTRATION_FIELDS if getattr(row, k)}
    if row.birth_date is not None:
        person["birth_date"] = row.birth_date
    return person
