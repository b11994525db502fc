"""Events and campaigns: the shows that leads come from, with their dates, country and cost."""

from __future__ import annotations

import datetime as dt
import uuid

from app.domain.contact_data import normalise_country, parse_date, parse_money
from app.domain.errors import ConflictError, FieldError, NotFoundError, ValidationError
from app.domain.events import EventRecord
from app.domain.ids import new_id
from app.services.context import ServiceContext
from app.storage.orm import Event
from app.storage.repositories.events import EventRepository, event_record


class EventService:
    def __init__(self, context: ServiceContext) -> None:
        self.context = context
        self.db = context.db

    def add(self, name: str, *, country: str = "", starts: str | dt.date | None = None,
            ends: str | dt.date | None = None, cost: str | int | None = None,
            currency: str = "EUR", venue: str = "", city: str = "") -> EventRecord:
        """Validate everything first, so one message lists every problem."""
        errors: list[FieldError] = []
        name = name.strip()
        if not name:
            errors.append(FieldError("name", "is empty: give the event a name"))
        values: dict[str, object] = {}
        for field, parse, raw in (("country", normalise_country, country),
                                  ("starts", parse_date, starts), ("ends", parse_date, ends),
                                  ("cost", parse_money, cost)):
            if raw is None or raw == "" or not isinstance(raw, str):
                values[field] = raw if raw != "" else None
                continue
            try:
                values[field] = parse(raw)
            except ValueError as exc:
                errors.append(FieldError(field, str(exc)))
        starts_on, ends_on = values.get("starts"), values.get("ends")
        if isinstance(starts_on, dt.date) and isinstance(ends_on, dt.date) and ends_on < starts_on:
            errors.append(FieldError("ends", "is before the start date"))
        if errors:
            raise ValidationError(errors)
        with self.db.write() as session:
            repo = EventRepository(session)
            if repo.by_name(name):
                raise ConflictError(f"An event named {name} already exists")
            event = repo.add(Event(
                id=new_id(), name=name, country=values.get("country") or "",
                starts_on=starts_on, ends_on=ends_on, cost=values.get("cost"),
                currency=(currency or "EUR").upper()[:3], venue=venue, city=city,
                updated_at=self.context.clock(), device_id=self.context.device_id))
            return event_record(event)

    def events(self) -> list[EventRecord]:
        with self.db.read() as session:
            return EventRepository(session).all()

    def get(self, event_id: uuid.UUID) -> EventRecord:
        with self.db.read() as session:
            event = EventRepository(session).get(event_id)
            if event is None:
                raise NotFoundError(f"No event with id {event_id}")
            return event_record(event)

    def by_name(self, name: str) -> EventRecord:
        with self.db.read() as session:
            event = EventRepository(session).by_name(name)
            if event is None:
                raise NotFoundError(f"No event named '{name}'")
            return event_record(event)
