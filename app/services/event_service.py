"""Events and campaigns: the shows that leads come from, with their dates, country and cost.

Which event a screen starts on is decided here, once, for every screen that asks (booth
capture, import): ``EventService.default_event`` / ``suggested_event``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from app.domain.contact_data import normalise_country, parse_date, parse_money
from app.domain.errors import ConflictError, FieldError, NotFoundError, ValidationError
from app.domain.events import EventRecord
from app.domain.ids import new_id
from app.services.context import ServiceContext
from app.storage.orm import Event
from app.storage.repositories.events import EventRepository, event_record

#: app_meta key: the event this database's user last worked with (booth, import), per database.
LAST_USED_EVENT_KEY = "last_used_event_id"


def runs_on(event: EventRecord, day: dt.date) -> bool:
    """Whether the event is on that day; an event with one date lasts that one day."""
    first, last = event.starts_on or event.ends_on, event.ends_on or event.starts_on
    return first is not None and last is not None and first <= day <= last


def choose_default_event(events: Sequence[EventRecord], today: dt.date,
                         last_used_id: uuid.UUID | None) -> EventRecord | None:
    """The event running today, else the one last used if it still exists, else None.

    Of several running today, the last used wins, then the shortest (the show you stand at
    rather than the year-long campaign around it), then the latest start, then the name.
    """
    last_used = next((e for e in events if e.id == last_used_id), None) if last_used_id else None
    running = [e for e in events if runs_on(e, today)]
    if not running:
        return last_used
    if last_used in running:
        return last_used

    def span(event: EventRecord) -> tuple[int, int, str]:
        first = event.starts_on or event.ends_on
        last = event.ends_on or event.starts_on
        assert first is not None and last is not None  # running events have a date
        return (last - first).days, -first.toordinal(), event.name.casefold()

    return min(running, key=span)


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

    # -- which event a screen starts on -------------------------------------------------------
    def default_event(self, today: dt.date, last_used_id: uuid.UUID | None) -> EventRecord | None:
        """The event running ``today`` (start <= today <= end), else ``last_used_id`` if that
        event still exists, else None: the screen then asks the user to choose."""
        return choose_default_event(self.events(), today, last_used_id)

    def suggested_event(self) -> EventRecord | None:
        """``default_event`` for today (the services' clock, local date) and the event last used
        in this database: what the booth and the import wizard preselect."""
        return self.default_event(self.context.clock().astimezone().date(), self.last_used_id())

    def last_used_id(self) -> uuid.UUID | None:
        stored = self.context.db.get_local(LAST_USED_EVENT_KEY)
        try:
            return uuid.UUID(stored) if stored else None
        except ValueError:
            return None  # a damaged value only costs the suggestion

    def remember_used(self, event_id: uuid.UUID | None) -> None:
        """The user chose or captured into this event: suggest it next time (this database only)."""
        if event_id != self.last_used_id():
            self.context.db.set_local(LAST_USED_EVENT_KEY, str(event_id) if event_id else None)

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
