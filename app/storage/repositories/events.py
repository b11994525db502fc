"""Events and campaigns."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.events import EventRecord
from app.storage.orm import Event


class EventRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, event: Event) -> Event:
        self.session.add(event)
        self.session.flush()
        return event

    def get(self, event_id: uuid.UUID) -> Event | None:
        return self.session.get(Event, event_id)

    def by_name(self, name: str) -> Event | None:
        statement = select(Event).where(func.lower(Event.name) == name.strip().lower(),
                                        Event.deleted_at.is_(None))
        return self.session.scalars(statement).first()

    def all(self) -> list[EventRecord]:
        statement = (select(Event).where(Event.deleted_at.is_(None))
                     .order_by(Event.starts_on.desc().nulls_last(), Event.name))
        return [event_record(e) for e in self.session.scalars(statement)]


def event_record(event: Event) -> EventRecord:
    return EventRecord(
        id=event.id, name=event.name, starts_on=event.starts_on, ends_on=event.ends_on,
        venue=event.venue, city=event.city, country=event.country, cost=event.cost,
        currency=event.currency, badge_layout=event.badge_layout,
    )
