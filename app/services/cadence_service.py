"""Follow-up cadences: the templates, the team's working calendar, and the tasks a cadence
puts on an owner's list.

A lead's cadence starts the moment it gets an owner (one task per step, rendered with the
lead's name and show); a new owner takes over the open tasks; a stopping status ends it. The
first-touch deadline (service level by rating) is set when the lead is captured. All of this
runs inside the transaction of the change that caused it (lead observers), so a lead is never
owned without its follow-up plan.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session

from app.domain.cadences import (
    DEFAULT_CADENCES,
    STOPPING_STATUSES,
    Cadence,
    check_cadence,
    choose_cadence,
    plan_steps,
    render,
)
from app.domain.errors import NotFoundError, ValidationError
from app.domain.history import APP_ACTOR_ID, ActivityKind
from app.domain.ids import new_id
from app.domain.leads import LeadRecord, LeadStatus, Rating
from app.domain.service_levels import (
    SLA_STATUSES,
    EscalationMode,
    ServiceLevels,
    first_touch_deadline,
)
from app.domain.working_time import WorkingCalendar
from app.services.context import ServiceContext
from app.services.settings_service import SettingsService
from app.storage.orm import CadenceRow, Lead, Task
from app.storage.repositories.bulk_rows import utc_text
from app.storage.repositories.history import HistoryRepository
from app.storage.repositories.leads import LeadRepository
from app.storage.repositories.tasks import TaskRepository, cadence_json, cadence_of


class CadenceService:
    def __init__(self, context: ServiceContext, settings: SettingsService) -> None:
        self.context, self.settings = context, settings
        self.db = context.db
        self._cadences: list[Cadence] | None = None

    # -- the team's calendar and service levels -----------------------------------------------
    def calendar(self) -> WorkingCalendar:
        get, text = self.settings.get_int, self.settings.get_str
        try:
            return WorkingCalendar(
                timezone=text("calendar.timezone"), country=text("calendar.country"),
                subdivision=text("calendar.subdivision") or None,
                day_start=dt.time(get("calendar.day_start")),
                day_end=dt.time(get("calendar.day_end")))
        except (ValidationError, ValueError):
            return WorkingCalendar()  # a bad stored setting must not stop follow-up

    def service_levels(self) -> ServiceLevels:
        get = self.settings.get_int
        try:
            mode = EscalationMode(self.settings.get_str("sla.escalation"))
        except ValueError:
            mode = EscalationMode.MANAGER_QUEUE
        return ServiceLevels(get("sla.hot_days"), get("sla.warm_days"), get("sla.cold_days"),
                             mode)

    # -- templates ------------------------------------------------------------------------------
    def cadences(self) -> list[Cadence]:
        """The team's cadences; the defaults until an admin saves their own."""
        if self._cadences is None:
            with self.db.read() as session:
                rows = TaskRepository(session).cadence_rows(include_deleted=True)
                live = [cadence_of(r) for r in rows if r.deleted_at is None and r.enabled]
            self._cadences = live if rows else list(DEFAULT_CADENCES)
        return list(self._cadences)

    def save_cadence(self, cadence: Cadence) -> Cadence:
        check_cadence(cadence)
        now, device = self.context.clock(), self.context.device_id
        steps, scope = cadence_json(cadence)
        with self.db.write() as session:
            repo = TaskRepository(session)
            if not repo.cadence_rows(include_deleted=True):
                self._seed_defaults(session, exclude=cadence.id)
            row = repo.cadence_row(cadence.id)
            if row is None:
                session.add(CadenceRow(id=cadence.id, name=cadence.name, steps=steps, scope=scope,
                                       enabled=True, updated_at=now, device_id=device))
            else:
                row.name, row.steps, row.scope, row.deleted_at = (cadence.name, steps, scope,
                                                                  None)
                row.updated_at, row.device_id = now, device
        self._cadences = None
        return cadence

    def delete_cadence(self, cadence_id: uuid.UUID) -> None:
        now = self.context.clock()
        with self.db.write() as session:
            repo = TaskRepository(session)
            if not repo.cadence_rows(include_deleted=True):
                self._seed_defaults(session)
            row = repo.cadence_row(cadence_id)
            if row is None or row.deleted_at is not None:
                raise NotFoundError(f"No cadence with id {cadence_id}")
            row.deleted_at = row.updated_at = now
            row.device_id = self.context.device_id
        self._cadences = None

    def _seed_defaults(self, session: Session, exclude: uuid.UUID | None = None) -> None:
        """Store the default cadences before the first edit, so editing one keeps the others."""
        now, device = self.context.clock(), self.context.device_id
        for cadence in DEFAULT_CADENCES:
            if cadence.id == exclude:
                continue
            steps, scope = cadence_json(cadence)
            session.add(CadenceRow(id=cadence.id, name=cadence.name, steps=steps, scope=scope,
                                   enabled=True, updated_at=now, device_id=device))
        session.flush()

    def forget(self) -> None:
        self._cadences = None

    # -- keeping each lead's follow-up in step -------------------------------------------------
    def lead_saved(self, session: Session, lead: Lead, _created: bool = False) -> None:
        """After any change to a lead: deadline on capture, cadence on first owner, open tasks
        follow a new owner, a stopping status ends the cadence; next_due_at kept current."""
        session.flush()
        leads, tasks, lead_id = LeadRepository(session), TaskRepository(session), lead.id
        now = self.context.clock()
        if (lead.first_touch_due_at is None and lead.first_touch_at is None
                and lead.status in SLA_STATUSES):
            lead.first_touch_due_at = first_touch_deadline(
                lead.rating, lead.created_at, self.service_levels(), self.calendar())
        open_tasks = tasks.open_for_lead(lead_id)
        if lead.status in STOPPING_STATUSES or not lead.status.is_open:
            self._stop(session, lead, [t for t in open_tasks if t.cadence_id is not None],
                       f"Cadence stopped: lead is {lead.status.label}", now)
        elif lead.do_not_contact:
            # Suppressed or opted out: no emails or calls may go out, so no cadence either.
            self._stop(session, lead, [t for t in open_tasks if t.cadence_id is not None],
                       "Cadence stopped: do not contact", now)
        elif lead.owner_id is not None and not tasks.has_any_tasks(lead_id):
            record = leads.record(lead_id)
            assert record is not None
            self._start(session, record, now, self.context.current_user_id)
            session.flush()
        else:
            for task in open_tasks:
                if task.owner_id != lead.owner_id:
                    task.owner_id, task.updated_at = lead.owner_id, now
                    task.device_id = self.context.device_id
        session.flush()
        lead.next_due_at = tasks.next_due(lead_id)
        session.flush()

    def _start(self, session: Session, lead: LeadRecord, now: dt.datetime,
               actor: uuid.UUID | None,
               owner_names: dict[uuid.UUID | None, str] | None = None) -> None:
        cadence = choose_cadence(lead, self.cadences())
        if cadence is None or not cadence.steps:
            return
        known = {} if owner_names is None else owner_names
        if lead.owner_id not in known:
            owner = TaskRepository(session).user(lead.owner_id)
            known[lead.owner_id] = owner.name if owner else ""
        owner_name = known[lead.owner_id]
        device = self.context.device_id
        for planned in plan_steps(cadence, now, self.calendar()):
            session.add(Task(
                id=new_id(), lead_id=lead.id, owner_id=lead.owner_id, kind=planned.kind,
                title=render(planned.title_template, lead, owner_name)[:200],
                notes=render(planned.body_template, lead, owner_name),
                due_at=planned.due_at, cadence_step=planned.step_index, cadence_id=cadence.id,
                created_at=now, updated_at=now, device_id=device))
        HistoryRepository(session).record(
            lead.id, ActivityKind.TASK_CREATED, now=now, device=device, actor=actor,
            text=f"Cadence '{cadence.name}' started for {owner_name or 'the owner'}: "
                 f"{len(cadence.steps)} steps")

    def _stop(self, session: Session, lead: Lead, cadence_tasks: Sequence[Task], why: str,
              now: dt.datetime) -> None:
        if not cadence_tasks:
            return
        for task in cadence_tasks:
            task.deleted_at = task.updated_at = now
            task.device_id = self.context.device_id
        HistoryRepository(session).record(
            lead.id, ActivityKind.NOTE, now=now, device=self.context.device_id,
            actor=self.context.current_user_id,
            text=f"{why}; {len(cadence_tasks)} planned step(s) cancelled")

    def stop_in(self, session: Session, lead_id: uuid.UUID, why: str) -> int:
        """End the lead's cadence (a meeting set, not interested…): open steps are cancelled."""
        lead = LeadRepository(session).find(lead_id)
        if lead is None:
            return 0
        steps = [t for t in TaskRepository(session).open_for_lead(lead_id)
                 if t.cadence_id is not None]
        self._stop(session, lead, steps, why, self.context.clock())
        return len(steps)

    def first_touch_deadlines(self) -> Callable[[Rating | None, LeadStatus, dt.datetime],
                                                dt.datetime | None]:
        """The first-touch deadline of a lead about to be written in bulk (None: its status
        has none), reading the settings once: an import stores each deadline with its lead, in
        the import's own transaction."""
        levels, calendar = self.service_levels(), self.calendar()

        def deadline(rating: Rating | None, status: LeadStatus,
                     captured_at: dt.datetime) -> dt.datetime | None:
            if status not in SLA_STATUSES:
                return None
            return first_touch_deadline(rating, captured_at, levels, calendar)
        return deadline

    def after_import(self, lead_ids: Sequence[uuid.UUID]) -> None:
        """New leads written in bulk, with their deadlines: cadences for those routed to an
        owner, 500 leads a transaction so memory stays flat however large the file; a crash
        between them is healed by the next follow-up check (``FollowUpService`` restores
        missing obligations)."""
        for start in range(0, len(lead_ids), 500):
            chunk = list(lead_ids[start:start + 500])
            with self.db.write() as session:
                self.after_moves(session, chunk)

    def after_sync(self, session: Session, lead_ids: Sequence[uuid.UUID]) -> None:
        """Leads changed by a sync: open tasks follow the merged owner, and a cadence started
        on two laptops while offline keeps one task per step. Deterministic, so laptops agree."""
        now, device = utc_text(self.context.clock()), self.context.device_id.hex
        tasks = TaskRepository(session)
        for start in range(0, len(lead_ids), 500):
            chunk = lead_ids[start:start + 500]
            tasks.follow_owner(chunk, now, device)
            tasks.drop_twin_steps(chunk, now, device)
            tasks.refresh_next_due(chunk)

    def after_moves(self, session: Session, lead_ids: Sequence[uuid.UUID], *,
                    automatic: bool = False) -> None:
        """After a bulk assignment (rules re-applied, a manager's drag and drop, an escalation):
        each lead's open tasks follow its new owner, and leads owned for the first time start a
        cadence, started by the app when ``automatic``. Set-based per 500 leads, so re-applying
        rules to a million leads stays practical."""
        now = self.context.clock()
        actor = APP_ACTOR_ID if automatic else self.context.current_user_id
        tasks, leads = TaskRepository(session), LeadRepository(session)
        pursued = [s for s in LeadStatus if s.is_open and s not in STOPPING_STATUSES]
        for start in range(0, len(lead_ids), 500):
            chunk = lead_ids[start:start + 500]
            tasks.follow_owner(chunk, utc_text(now), self.context.device_id.hex)
            candidates = tasks.never_followed_up(chunk, pursued)
            barred = leads.do_not_contact_among(candidates)
            fresh = [i for i in candidates if i not in barred]
            if fresh:
                keys = leads.keys_for_ids(fresh)
                owner_names: dict[uuid.UUID | None, str] = {}  # a few reps own a whole import
                for record in leads.records_for_keys(list(keys.values())):
                    self._start(session, record, now, actor, owner_names)
                session.flush()
            tasks.refresh_next_due(chunk)
