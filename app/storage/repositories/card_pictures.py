"""Business-card pictures of a lead: stored with a capture, read for the lead's detail pane."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.card_pictures import (
    PICTURE_MIME,
    CardPicture,
    CardPictureRecord,
    CardSide,
    picture_bytes,
)
from app.storage.orm import CardPictureRow


class CardPictureRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, lead_id: uuid.UUID, pictures: Sequence[CardPicture], now: dt.datetime,
            device: uuid.UUID) -> None:
        """Keep these sides with the lead; a side it already has is replaced (a card read again
        after a better photo), so a lead has at most one front and one back."""
        if not pictures:
            return
        sides = {picture.side.value for picture in pictures}
        for row in self.session.scalars(select(CardPictureRow).where(
                CardPictureRow.lead_id == lead_id, CardPictureRow.side.in_(sides),
                CardPictureRow.deleted_at.is_(None))):
            row.data, row.deleted_at, row.updated_at, row.device_id = "", now, now, device
        for picture in pictures:
            self.session.add(CardPictureRow(
                lead_id=lead_id, side=picture.side.value, mime=PICTURE_MIME,
                width=picture.width, height=picture.height, data=picture.stored,
                taken_at=now, updated_at=now, device_id=device))

    def of_lead(self, lead_id: uuid.UUID) -> list[CardPictureRecord]:
        """The lead's live sides, front first."""
        rows = self.session.scalars(select(CardPictureRow).where(
            CardPictureRow.lead_id == lead_id, CardPictureRow.deleted_at.is_(None))
            .order_by(CardPictureRow.side.desc(), CardPictureRow.taken_at))
        return [CardPictureRecord(row.id, row.lead_id, CardSide(row.side), row.width,
                                  row.height, picture_bytes(row.data), row.taken_at)
                for row in rows]
