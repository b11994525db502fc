"""Import storage: duplicate lookups by chunk, import history, saved column mappings."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.storage.orm import Activity, ImportBatch, Lead, MappingTemplate


@dataclass(frozen=True)
class ExistingKeys:
    """Live leads already holding one of these emails, phones or (at the event) badge ids."""

    by_email: dict[str, uuid.UUID]
    by_phone: dict[str, uuid.UUID]
    by_badge: dict[str, uuid.UUID]


class ImportRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def existing_keys(self, emails: Collection[str], phones: Collection[str],
                      badges: Collection[str], event_id: uuid.UUID | None) -> ExistingKeys:
        """One indexed lookup per key kind for a chunk of rows (memory stays flat)."""
        live = Lead.deleted_at.is_(None)
        by_email: dict[str, uuid.UUID] = {}
        by_phone: dict[str, uuid.UUID] = {}
        by_badge: dict[str, uuid.UUID] = {}
        if emails:
            for lead_id, email in self.session.execute(
                    select(Lead.id, Lead.email).where(live, Lead.email.in_(list(emails)))):
                by_email.setdefault(email, lead_id)
        if phones:
            phone_list = list(phones)
            # Two indexed lookups; "phone IN … OR mobile IN …" would scan every lead.
            for column in (Lead.phone_e164, Lead.mobile_e164):
                for lead_id, number in self.session.execute(
                        select(Lead.id, column).where(live, column.in_(phone_list))):
                    by_phone.setdefault(number, lead_id)
        if badges and event_id is not None:
            for lead_id, badge in self.session.execute(
                    select(Lead.id, Lead.badge_id).where(
                        live, Lead.event_id == event_id, Lead.badge_id.in_(list(badges)))):
                by_badge.setdefault(badge, lead_id)
        return ExistingKeys(by_email, by_phone, by_badge)

    def batch(self, batch_id: uuid.UUID) -> ImportBatch | None:
        return self.session.get(ImportBatch, batch_id)

    def batches(self, limit: int = 200) -> list[ImportBatch]:
        return list(self.session.scalars(
            select(ImportBatch).order_by(ImportBatch.started_at.desc()).limit(limit)))

    def soft_delete_leads(self, lead_ids: Collection[uuid.UUID], now: dt.datetime,
                          device: uuid.UUID) -> None:
        """Move the leads an undone import created to the deleted ones (those not already)."""
        self.session.execute(update(Lead).where(Lead.id.in_(lead_ids), Lead.deleted_at.is_(None))
                             .values(deleted_at=now, updated_at=now, device_id=device))

    def batch_activities(self, batch_id: uuid.UUID) -> list[Activity]:
        """What a batch did to each lead: ``field`` is "created" or "filled"."""
        return list(self.session.scalars(select(Activity).where(Activity.batch_id == batch_id)))

    def templates(self) -> list[MappingTemplate]:
        return list(self.session.scalars(select(MappingTemplate).where(
            MappingTemplate.deleted_at.is_(None)).order_by(MappingTemplate.name)))

    def template_by_name(self, name: str) -> MappingTemplate | None:
        return next((t for t in self.templates() if t.name.lower() == name.strip().lower()),
                    None)

    def template_for_signature(self, signature: str) -> MappingTemplate | None:
        return self.session.scalars(select(MappingTemplate).where(
            MappingTemplate.signature == signature, MappingTemplate.deleted_at.is_(None))
            .order_by(MappingTemplate.updated_at.desc())).first()

    def save_template(self, template: MappingTemplate) -> MappingTemplate:
        self.session.add(template)
        self.session.flush()
        return template
