"""The suppression list, and the live leads an entry covers."""

from __future__ import annotations

import uuid

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.domain.data_quality import SuppressionKind, SuppressionReason, SuppressionRecord
from app.storage.orm import Lead, Suppression


class SuppressionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: Suppression) -> Suppression:
        self.session.add(row)
        self.session.flush()
        return row

    def find(self, kind: SuppressionKind, value: str) -> Suppression | None:
        return self.session.scalars(select(Suppression).where(
            Suppression.kind == kind.value, Suppression.value == value,
            Suppression.deleted_at.is_(None))).first()

    def get(self, entry_id: uuid.UUID) -> Suppression | None:
        return self.session.get(Suppression, entry_id)

    def all(self) -> list[SuppressionRecord]:
        rows = self.session.scalars(select(Suppression).where(Suppression.deleted_at.is_(None))
                                    .order_by(Suppression.kind, Suppression.value))
        return [SuppressionRecord(r.id, SuppressionKind(r.kind), r.value,
                                  SuppressionReason(r.reason), r.note, r.created_at)
                for r in rows]

    def covered_lead_ids(self, kind: SuppressionKind, value: str) -> list[uuid.UUID]:
        """Live leads this entry suppresses (company by name, ignoring case and spacing)."""
        live = Lead.deleted_at.is_(None)
        if kind is SuppressionKind.EMAIL:
            condition = Lead.email == value
        elif kind is SuppressionKind.DOMAIN:
            condition = Lead.email.endswith("@" + value)
        elif kind is SuppressionKind.PHONE:
            condition = or_(Lead.phone_e164 == value, Lead.mobile_e164 == value)
        else:
            condition = func.lower(func.trim(Lead.company)).startswith(value)
        return list(self.session.scalars(select(Lead.id).where(live, condition)))
