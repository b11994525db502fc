"""Create, edit, delete, find and list leads. Every change writes its history in the same transaction."""

from __future__ import annotations

import builtins
import datetime as dt
import uuid
from array import array
from collections.abc import Callable, Iterator, Sequence
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from app.domain.contact_data import format_money
from app.domain.errors import (
    ConflictError,
    EditConflictError,
    EditedValue,
    NotFoundError,
    ValidationError,
)
from app.domain.history import ActivityKind, ActivityRecord
from app.domain.ids import new_id
from app.domain.lead_validation import check_lead_rules, normalise_changes
from app.domain.leads import (
    FIELDS_BY_NAME,
    LEAD_FIELDS,
    REFERENCE_KINDS,
    Channel,
    FieldKind,
    LeadQuery,
    LeadRecord,
)
from app.domain.review import with_reasons
from app.services.context import ServiceContext
from app.storage.orm import Lead
from app.storage.repositories.events import EventRepository
from app.storage.repositories.exports import ExportRepository
from app.storage.repositories.history import HistoryRepository
from app.storage.repositories.leads import LeadRepository
from app.storage.repositories.people import PeopleRepository

_REFERENCE_COLUMNS = {"owner": "owner_id", "event": "event_id", "team": "team_id",
                      "queue": "queue_id"}
_HISTORY_KIND = {"status": ActivityKind.STATUS_CHANGED, "owner": ActivityKind.OWNER_CHANGED}


# Told about every lead written (session, the saved row, whether it was just created), inside
# the writer's transaction: scoring re-scores, routing routes new leads, cadences follow up.
# The row is the session's own, so an observer reads it as the writer left it, never again.
LeadSaved = Callable[[Session, Lead, bool], None]


class LeadService:
    def __init__(self, context: ServiceContext, on_saved: tuple[LeadSaved, ...] = ()) -> None:
        self.context = context
        self.db = context.db
        self.on_saved = on_saved

    def notify_saved(self, session: Session, lead: Lead, created: bool = False) -> None:
        """Let scoring, routing and cadences react to a save in ``session`` (before it commits)."""
        for observer in self.on_saved:
            observer(session, lead, created)

    def notify_changed(self, session: Session, lead_id: uuid.UUID, created: bool = False) -> None:
        """``notify_saved`` for a writer that holds only the lead's id (answers, follow-ups)."""
        lead = LeadRepository(session).find(lead_id)
        if lead is not None:
            self.notify_saved(session, lead, created)

    # -- reading ------------------------------------------------------------------------------
    def get(self, lead_id: uuid.UUID) -> LeadRecord:
        with self.db.read() as session:
            record = LeadRepository(session).record(lead_id)
        if record is None:
            raise NotFoundError(f"No lead with id {lead_id}")
        return record

    def count(self, query: LeadQuery, *, at_most: int | None = None) -> int:
        """How many leads match; ``at_most`` stops early so broad searches stay instant."""
        with self.db.read() as session:
            return LeadRepository(session).count(query, self.context.clock(), at_most)

    def list(self, query: LeadQuery, *, offset: int = 0, limit: int = 100) -> list[LeadRecord]:
        with self.db.read() as session:
            return LeadRepository(session).page(query, self.context.clock(), offset, limit)

    def search(self, text: str, *, limit: int = 50) -> builtins.list[LeadRecord]:
        return self.list(LeadQuery(search=text), limit=limit)

    def ordered_keys(self, query: LeadQuery) -> array[int]:
        """Local keys of every match in display order: the lazy list pages through these."""
        with self.db.read() as session:
            return LeadRepository(session).ordered_keys(query, self.context.clock())

    def records_for_keys(self, keys: Sequence[int]) -> builtins.list[LeadRecord]:
        with self.db.read() as session:
            return LeadRepository(session).records_for_keys(keys)

    def export_rows(self, query: LeadQuery, chunk: int
                    ) -> Iterator[tuple[int, builtins.list[dict[str, Any]]]]:
        """The ``lead_to_dict`` of every lead the query lists, in list order, a chunk at a time,
        each with the number of leads in all (one read transaction: what is counted is read)."""
        now = self.context.clock()
        with self.db.read() as session:
            total = LeadRepository(session).count(query, now)
            for batch in ExportRepository(session).lead_dicts(query, now, chunk):
                yield total, batch

    def history(self, lead_id: uuid.UUID) -> builtins.list[ActivityRecord]:
        with self.db.read() as session:
            return HistoryRepository(session).for_lead(lead_id)

    # -- writing ------------------------------------------------------------------------------
    def create(self, fields: dict[str, Any], *, lenient: bool = False,
               history_text: str = "") -> LeadRecord:
        """Validate and store a new lead. ``lenient`` keeps doubtful contact data for review."""
        with self.db.write() as session:
            return self.create_in(session, fields, lenient=lenient, history_text=history_text)

    def create_in(self, session: Session, fields: dict[str, Any], *, lenient: bool = False,
                  history_text: str = "", notify: bool = True) -> LeadRecord:
        """``create`` inside a transaction another service owns (booth capture, imports).

        ``notify=False`` leaves telling the observers to the caller, once its whole change is
        in (a booth capture adds answers first, so the lead is scored once)."""
        now = self.context.clock()
        resolved = _References(session)
        fields = dict(fields)
        company_source = str(fields.pop("company_source", "") or "")  # a guess's origin
        region = resolved.event_country(fields.get("event")) or self.context.default_country
        normalised = normalise_changes(fields, default_region=region, lenient=lenient)
        values = dict(normalised.values)
        values.setdefault("channel", Channel.TRADE_SHOW if values.get("event") else
                          Channel.OTHER)
        check_lead_rules(values)
        lead = Lead(id=new_id(), created_at=now, updated_at=now,
                    device_id=self.context.device_id,
                    captured_by_id=self.context.current_user_id)
        for name, value in values.items():
            _assign(lead, name, value, resolved)
        for column, value in normalised.derived.items():
            setattr(lead, column, value)
        lead.company_source = company_source if values.get("company") else ""
        if normalised.review_notes:
            lead.needs_review = True
            lead.review_reason = with_reasons(lead.review_reason, normalised.review_notes)
        if "consent" in values:
            lead.consent_at = now
        LeadRepository(session).add(lead)
        self._history(session, lead.id, ActivityKind.CREATED, now, text=history_text)
        if notify:
            self.notify_saved(session, lead, created=True)
        record = LeadRepository(session).record(lead.id)
        assert record is not None
        return record

    def update(self, lead_id: uuid.UUID, changes: dict[str, Any], *,
               lenient: bool = False, opened: LeadRecord | None = None) -> LeadRecord:
        """Apply field changes; one history row per field that really changed.

        ``opened``: the lead as the editor showed it. When someone else has saved it since,
        changes to other fields merge, and a field both changed raises EditConflictError
        (theirs and yours) instead of overwriting theirs; the check and the write are one
        transaction, so no save can slip in between.
        """
        with self.db.write() as session:
            return self.update_in(session, lead_id, changes, lenient=lenient, opened=opened)

    def update_in(self, session: Session, lead_id: uuid.UUID, changes: dict[str, Any], *,
                  lenient: bool = False, notify: bool = True,
                  opened: LeadRecord | None = None) -> LeadRecord:
        """``update`` inside a transaction another service owns (``notify`` as in create_in)."""
        self.change_in(session, lead_id, changes, lenient=lenient, notify=notify, opened=opened)
        record = LeadRepository(session).record(lead_id)
        assert record is not None
        return record

    def change_in(self, session: Session, lead_id: uuid.UUID, changes: dict[str, Any], *,
                  lenient: bool = False, notify: bool = True,
                  opened: LeadRecord | None = None, locked: Lead | None = None) -> None:
        """``update_in`` for a caller that needs no record back (a batch crediting thousands of
        leads saves reading each one again); ``locked``: the lead, found by the caller with
        ``for_update`` in this transaction."""
        now = self.context.clock()
        repo = LeadRepository(session)
        lead = locked if locked is not None and locked.id == lead_id else \
            repo.find(lead_id, for_update=True)
        if lead is None:
            raise NotFoundError(f"No lead with id {lead_id}")
        before = repo.record(lead_id)
        assert before is not None
        resolved = _References(session)
        changes = dict(changes)
        company_source = changes.pop("company_source", None)  # set only with a guessed company
        region = (str(changes.get("country") or "") or lead.country
                  or resolved.event_country(changes.get("event") or lead.event_id)
                  or self.context.default_country)
        normalised = normalise_changes(changes, default_region=region, lenient=lenient)
        if opened is not None and opened.updated_at != before.updated_at:
            self._refuse_overwrite(session, opened, before, normalised.values, resolved)
        merged = {f.name: before.value_of(f.name) for f in LEAD_FIELDS}
        merged.update(normalised.values)
        check_lead_rules(merged)
        for name, value in normalised.values.items():
            old_display = _display(name, _shown(before, name))
            _assign(lead, name, value, resolved)
            new_display = _display(name, resolved.display(name, value))
            if old_display != new_display:
                self._history(session, lead.id, _HISTORY_KIND.get(name, ActivityKind.FIELD_CHANGED),
                              now, field=name, old_value=old_display, new_value=new_display)
        for column, value in normalised.derived.items():
            setattr(lead, column, value)
        if company_source is not None:
            lead.company_source = str(company_source)
        elif normalised.values.get("company", before.company) != before.company:
            lead.company_source = ""  # a person typed the company: it is no longer a guess
        if normalised.review_notes:
            lead.needs_review = True
            lead.review_reason = with_reasons(lead.review_reason, normalised.review_notes)
        if "consent" in normalised.values and normalised.values["consent"] != before.consent:
            lead.consent_at = now
        if session.is_modified(lead):
            lead.updated_at = now
            lead.device_id = self.context.device_id
        session.flush()
        if notify:
            self.notify_saved(session, lead)

    @staticmethod
    def _refuse_overwrite(session: Session, opened: LeadRecord, stored: LeadRecord,
                          values: dict[str, Any], resolved: _References) -> None:
        """EditConflictError when a field edited here was also changed since ``opened``."""
        clashes = []
        for name, value in values.items():
            theirs, was = _display(name, _shown(stored, name)), _display(name, _shown(opened, name))
            yours = _display(name, resolved.display(name, value))
            if theirs != was and theirs != yours:
                clashes.append(EditedValue(name, FIELDS_BY_NAME[name].label, theirs, yours))
        if not clashes:
            return  # they changed other fields: both changes are kept
        fields = {clash.field for clash in clashes}
        last = next((a for a in HistoryRepository(session).for_lead(stored.id, limit=100)
                     if a.field in fields), None)
        raise EditConflictError(last.actor if last is not None and last.actor else "someone else",
                                last.occurred_at if last is not None else stored.updated_at,
                                tuple(clashes))

    def delete(self, lead_id: uuid.UUID) -> LeadRecord:
        """Soft delete: the lead leaves every list but keeps its history, and can be restored."""
        return self._set_deleted(lead_id, deleted=True)

    def restore(self, lead_id: uuid.UUID) -> LeadRecord:
        return self._set_deleted(lead_id, deleted=False)

    def _set_deleted(self, lead_id: uuid.UUID, *, deleted: bool) -> LeadRecord:
        now = self.context.clock()
        with self.db.write() as session:
            repo = LeadRepository(session)
            lead = repo.find(lead_id, include_deleted=True)
            if lead is None or (lead.deleted_at is not None) == deleted:
                what = "lead" if deleted else "restorable lead"
                raise NotFoundError(f"No {what} with id {lead_id}")
            if lead.erased_at is not None:
                raise ConflictError(f"Lead {lead_id} was erased on request on "
                                    f"{lead.erased_at.date().isoformat()}; it cannot come back")
            lead.deleted_at = now if deleted else None
            lead.updated_at = now
            lead.device_id = self.context.device_id
            kind = ActivityKind.DELETED if deleted else ActivityKind.RESTORED
            self._history(session, lead.id, kind, now)
            session.flush()
            record = repo.record(lead_id, include_deleted=True)
        assert record is not None
        return record

    def add_note(self, lead_id: uuid.UUID, text: str) -> ActivityRecord:
        text = text.strip()
        if not text:
            raise ValidationError.single("note", "is empty: type the note first")
        now = self.context.clock()
        with self.db.write() as session:
            lead = LeadRepository(session).find(lead_id)
            if lead is None:
                raise NotFoundError(f"No lead with id {lead_id}")
            self._history(session, lead_id, ActivityKind.NOTE, now, text=text)
            self.notify_saved(session, lead)
        return self.history(lead_id)[0]

    def _history(self, session: Session, lead_id: uuid.UUID, kind: ActivityKind, now: dt.datetime,
                 **values: str) -> None:
        HistoryRepository(session).record(lead_id, kind, now=now, device=self.context.device_id,
                                          actor=self.context.current_user_id, **values)


class _References:
    """Resolves owner/event/team/queue given as id, email or name, within one session."""

    def __init__(self, session: Session) -> None:
        self.people = PeopleRepository(session)
        self.events = EventRepository(session)
        self._names: dict[uuid.UUID, str] = {}

    def resolve(self, field_name: str, raw: Any) -> uuid.UUID | None:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        as_id = raw if isinstance(raw, uuid.UUID) else _maybe_uuid(str(raw))
        found = self._lookup(field_name, as_id, str(raw))
        if found is None:
            raise ValidationError.single(field_name, _unknown_reference(field_name, str(raw)))
        found_id, name = found
        self._names[found_id] = name
        return found_id

    def _lookup(self, field_name: str, as_id: uuid.UUID | None, text: str
                ) -> tuple[uuid.UUID, str] | None:
        if field_name == "owner":
            user = self.people.user(as_id) if as_id else self.people.user_by_email(text)
            return (user.id, user.name) if user and user.deleted_at is None else None
        if field_name == "event":
            event = self.events.get(as_id) if as_id else self.events.by_name(text)
            return (event.id, event.name) if event and event.deleted_at is None else None
        if field_name == "team":
            team = self.people.team(as_id) if as_id else self.people.team_by_name(text)
            return (team.id, team.name) if team and team.deleted_at is None else None
        queue = self.people.queue(as_id) if as_id else self.people.queue_by_name(text)
        return (queue.id, queue.name) if queue and queue.deleted_at is None else None

    def display(self, field_name: str, raw: Any) -> Any:
        if FIELDS_BY_NAME[field_name].kind not in REFERENCE_KINDS:
            return raw
        ref_id = self.resolve(field_name, raw)
        return self._names.get(ref_id, "") if ref_id else ""

    def event_country(self, raw: Any) -> str:
        if not raw:
            return ""
        try:
            event_id = self.resolve("event", raw)
        except ValidationError:
            return ""
        event = self.events.get(event_id) if event_id else None
        return event.country if event else ""


def _assign(lead: Lead, name: str, value: Any, references: _References) -> None:
    column = _REFERENCE_COLUMNS.get(name)
    if column:
        setattr(lead, column, references.resolve(name, value))
    else:
        setattr(lead, name, value)


def _shown(record: LeadRecord, field_name: str) -> Any:
    return record.owner_name if field_name == "owner" else record.value_of(field_name)


def _maybe_uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text.strip())
    except ValueError:
        return None


def _unknown_reference(field_name: str, text: str) -> str:
    return {
        "owner": f"no user with email '{text}' (add one with: users add)",
        "event": f"no event named '{text}' (add one with: events add)",
        "team": f"no team named '{text}'",
        "queue": f"no queue named '{text}'",
    }[field_name]


def _display(field_name: str, value: Any) -> str:
    """How a value reads in the history timeline and reports."""
    if value is None or value == "":
        return ""
    kind = FIELDS_BY_NAME[field_name].kind
    if isinstance(value, StrEnum):
        return str(getattr(value, "label", value.value))
    if kind is FieldKind.BOOLEAN:
        return "yes" if value else "no"
    if kind is FieldKind.MONEY:
        return format_money(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
