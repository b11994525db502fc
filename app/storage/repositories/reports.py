"""Every query the printed reports run: aggregates in SQL, long lists streamed in chunks.

Stages count how far a lead got, from its current status and every status its history shows:
a lead that reached SQL and was lost later still counts as "SQL or beyond". "MQL or beyond" is
MQL, SQL, converted or won; an opportunity is converted or won; a customer is won (now).
Filters apply to live leads (not deleted): event, owner and the day the lead was created
(from/to, both inclusive).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from app.domain.attribution import add_money
from app.domain.history import ActivityKind
from app.domain.leads import CLOSED_STATUSES, Channel, FirstTouch, LeadStatus
from app.domain.reports import (
    AgeBand,
    DashboardNumbers,
    EventCount,
    LeadLine,
    Money,
    MonthRow,
    ReportFilters,
    RepRow,
    ReturnRow,
    ServiceLevelRow,
    SheetTask,
    SourceRow,
)
from app.storage.orm import Activity, Event, Lead, Task, User
from app.storage.portable import greatest, hours_between, year_month
from app.storage.repositories.attribution import AttributionRepository, lead_where
from app.storage.repositories.leads import first_touch_clause

# Funnel order; exits (nurture, lost, disqualified) are no stage of their own.
_STAGE_RANK = {LeadStatus.INQUIRY: 1, LeadStatus.SUSPECT: 2, LeadStatus.PROSPECT: 3,
               LeadStatus.MQL: 4, LeadStatus.SQL: 5, LeadStatus.CONVERTED: 6, LeadStatus.WON: 7}
MQL_PLUS = (LeadStatus.MQL, LeadStatus.SQL, LeadStatus.CONVERTED, LeadStatus.WON)
SQL_PLUS = (LeadStatus.SQL, LeadStatus.CONVERTED, LeadStatus.WON)
OPPORTUNITY = (LeadStatus.CONVERTED, LeadStatus.WON)
CONVERSION = OPPORTUNITY
_CLOSED = tuple(CLOSED_STATUSES)


DASHBOARD_TOP = 8
AGE_BANDS = (("0–7 days", 0, 8), ("8–30 days", 8, 31), ("31–90 days", 31, 91),
             ("Over 90 days", 91, None))


def _reached() -> ColumnElement[int]:
    """The highest funnel stage a lead was ever at: its status now, or one its history shows
    (status changes are written with the status's label)."""
    now = case({status.value: rank for status, rank in _STAGE_RANK.items()},
               value=func.lower(Lead.status), else_=0)
    by_label = case({status.label: rank for status, rank in _STAGE_RANK.items()},
                    value=Activity.new_value, else_=0)
    history = (select(func.coalesce(func.max(by_label), 0))
               .where(Activity.lead_id == Lead.id, Activity.kind == ActivityKind.STATUS_CHANGED)
               .scalar_subquery())
    return greatest(now, history)


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _open() -> ColumnElement[bool]:
    return Lead.status.not_in(_CLOSED)


def _name() -> ColumnElement[str]:
    return func.trim(Lead.first_name + literal(" ") + Lead.last_name)


class ReportRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _where(self, f: ReportFilters) -> list[ColumnElement[bool]]:
        return lead_where(f)

    def filter_names(self, f: ReportFilters) -> tuple[str, str]:
        """The event's name and the owner's "name (email)", for the title block."""
        event = self.session.get(Event, f.event_id) if f.event_id is not None else None
        owner = self.session.get(User, f.owner_id) if f.owner_id is not None else None
        return (event.name if event else "",
                f"{owner.name} ({owner.email})" if owner else "")

    def lead_count(self, f: ReportFilters) -> int:
        return int(self.session.scalar(select(func.count()).select_from(Lead)
                                       .where(*self._where(f))) or 0)

    # -- status ---------------------------------------------------------------------------------
    def status_counts(self, f: ReportFilters) -> dict[LeadStatus, int]:
        rows = self.session.execute(select(Lead.status, func.count()).where(*self._where(f))
                                    .group_by(Lead.status))
        return {LeadStatus(status): int(count) for status, count in rows}

    def owner_status_counts(self, f: ReportFilters) -> list[tuple[str, dict[LeadStatus, int]]]:
        """Per owner (by name; "Unassigned" last), the count of leads in each status."""
        rows = self.session.execute(
            select(User.name, Lead.status, func.count()).select_from(Lead)
            .outerjoin(User, User.id == Lead.owner_id).where(*self._where(f))
            .group_by(User.name, Lead.status))
        table: dict[str, dict[LeadStatus, int]] = {}
        for name, status, count in rows:
            table.setdefault(name or "", {})[LeadStatus(status)] = int(count)
        named = sorted((n, c) for n, c in table.items() if n)
        if "" in table:
            named.append(("Unassigned", table[""]))
        return named

    def source_rows(self, f: ReportFilters, now: dt.datetime) -> list[SourceRow]:
        """Per event, or per channel for leads that came from no event."""
        source = func.coalesce(Event.name, Lead.channel)
        rows = self.session.execute(
            select(source, Event.id.is_(None), func.count(), _count_if(_open()),
                   _count_if(and_(_open(), Lead.first_touch_at.is_(None))),
                   _count_if(and_(_open(), Lead.next_due_at < now)),
                   _count_if(Lead.status == LeadStatus.WON))
            .select_from(Lead).outerjoin(Event, Event.id == Lead.event_id)
            .where(*self._where(f)).group_by(source, Event.id.is_(None))
            .order_by(Event.id.is_(None), func.count().desc()))
        return [SourceRow(_source_label(name, no_event), int(n), int(o), int(u), int(d), int(w))
                for name, no_event, n, o, u, d, w in rows]

    def lead_lines(self, f: ReportFilters, *, chunk: int = 500) -> Iterator[list[LeadLine]]:
        """Every lead in the filters, by name, ``chunk`` at a time from one streaming cursor."""
        next_task = (select(Task.title).where(Task.lead_id == Lead.id, Task.done_at.is_(None),
                                              Task.deleted_at.is_(None))
                     .order_by(Task.due_at).limit(1).correlate(Lead).scalar_subquery())
        statement = (
            select(Lead.first_name, Lead.last_name, Lead.company, Lead.status, User.name,
                   Event.name, Lead.channel, Lead.last_touch_at, Lead.next_due_at, next_task,
                   Lead.company_source)
            .select_from(Lead).outerjoin(User, User.id == Lead.owner_id)
            .outerjoin(Event, Event.id == Lead.event_id).where(*self._where(f))
            .order_by(Lead.last_name, Lead.first_name, Lead.key))
        result = self.session.execute(statement.execution_options(yield_per=chunk))
        for partition in result.partitions(chunk):
            yield [LeadLine(f"{first} {last}".strip(), company, LeadStatus(status), owner or "",
                            event or _source_label(channel, True), last_touch, next_due,
                            step or "", company_source or "")
                   for first, last, company, status, owner, event, channel, last_touch,
                   next_due, step, company_source in partition]

    # -- reps -----------------------------------------------------------------------------------
    def rep_rows(self, f: ReportFilters, now: dt.datetime) -> list[RepRow]:
        where = [*self._where(f), Lead.owner_id.is_not(None)]
        measured = and_(Lead.first_touch_due_at.is_not(None),
                        or_(Lead.first_touch_at.is_not(None), Lead.first_touch_due_at < now))
        met = and_(Lead.first_touch_due_at.is_not(None), Lead.first_touch_at.is_not(None),
                   Lead.first_touch_at <= Lead.first_touch_due_at)
        leads = self.session.execute(
            select(Lead.owner_id, func.count(), _count_if(Lead.first_touch_at.is_not(None)),
                   _count_if(measured), _count_if(met),
                   _count_if(Lead.status.in_(CONVERSION)))
            .where(*where).group_by(Lead.owner_id)).all()
        hours: dict[uuid.UUID, list[float]] = {}
        for owner, value in self.session.execute(
                select(Lead.owner_id, hours_between(Lead.first_touch_at, Lead.created_at))
                .where(*where, Lead.first_touch_at.is_not(None))):
            hours.setdefault(owner, []).append(max(float(value), 0.0))
        task_lead = aliased(Lead)
        task_where: list[ColumnElement[bool]] = [Task.owner_id.is_not(None),
                                                 task_lead.deleted_at.is_(None),
                                                 *self._task_lead_where(f, task_lead)]
        overdue = dict(self.session.execute(
            select(Task.owner_id, func.count()).join(task_lead, task_lead.id == Task.lead_id)
            .where(*task_where, Task.done_at.is_(None), Task.deleted_at.is_(None),
                   Task.due_at < now).group_by(Task.owner_id)).all())
        skipped = dict(self.session.execute(
            select(Task.owner_id, func.count()).join(task_lead, task_lead.id == Task.lead_id)
            .where(*task_where, Task.cadence_id.is_not(None), Task.deleted_at.is_not(None))
            .group_by(Task.owner_id)).all())
        users = {u.id: u for u in self.session.scalars(select(User))}
        owners: set[uuid.UUID] = {row[0] for row in leads if row[0] is not None}
        owners |= {o for o in (*overdue, *skipped) if o is not None}
        if f.owner_id is not None:
            owners &= {f.owner_id}
        by_owner = {row[0]: row for row in leads}
        out: list[RepRow] = []
        for owner in owners:
            row = by_owner.get(owner)
            user = users.get(owner)
            out.append(RepRow(
                owner, user.name if user else str(owner), user.email if user else "",
                int(row[1]) if row else 0, int(row[2]) if row else 0,
                int(row[3]) if row else 0, int(row[4]) if row else 0,
                int(row[5]) if row else 0, int(overdue.get(owner, 0)),
                int(skipped.get(owner, 0)), tuple(sorted(hours.get(owner, [])))))
        return sorted(out, key=lambda r: r.name.casefold())

    def _task_lead_where(self, f: ReportFilters, lead: type[Lead]) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = []
        if f.event_id is not None:
            clauses.append(lead.event_id == f.event_id)
        if f.owner_id is not None:
            clauses.append(Task.owner_id == f.owner_id)
        if f.created_from is not None:
            clauses.append(lead.created_at >= f.created_from)
        if f.created_before is not None:
            clauses.append(lead.created_at < f.created_before)
        return clauses

    # -- return on events and sources -------------------------------------------------------------
    def _stage_columns(self) -> list[ColumnElement[int]]:
        reached = _reached()
        return [func.count(), _count_if(reached >= _STAGE_RANK[LeadStatus.MQL]),
                _count_if(reached >= _STAGE_RANK[LeadStatus.SQL]),
                _count_if(reached >= _STAGE_RANK[LeadStatus.CONVERTED]),
                _count_if(Lead.status == LeadStatus.WON),
                func.coalesce(func.sum(case((Lead.status == LeadStatus.WON,
                                              func.coalesce(Lead.deal_value, 0)), else_=0)), 0)]

    def return_rows(self, f: ReportFilters) -> list[ReturnRow]:
        """One row per event (with its cost), then one per channel for leads with no event;
        revenue is the matched orders credited to each (first touch)."""
        revenue = AttributionRepository(self.session).first_touch_revenue(
            f, lambda lead: lead.event_id or lead.channel)
        events = self.session.execute(
            select(Event.id, Event.name, Event.cost, Event.currency, *self._stage_columns())
            .select_from(Lead).join(Event, Event.id == Lead.event_id)
            .where(*self._where(f)).group_by(Event.id).order_by(Event.name))
        out = [ReturnRow(name, True, cost, (currency or "EUR").upper(),
                         *(int(v) for v in values), revenues=revenue.get(event_id, ()))
               for event_id, name, cost, currency, *values in events]
        channels = self.session.execute(
            select(Lead.channel, *self._stage_columns())
            .where(*self._where(f), Lead.event_id.is_(None)).group_by(Lead.channel)
            .order_by(Lead.channel))
        for channel, *values in channels:
            money = revenue.get(Channel(channel), ())
            out.append(ReturnRow(_source_label(channel, True), False, None,
                                 money[0][0] if len(money) == 1 else "",
                                 *(int(v) for v in values), revenues=money))
        return out

    # -- funnel by month --------------------------------------------------------------------------
    def month_rows(self, f: ReportFilters) -> list[MonthRow]:
        month = year_month(Lead.created_at)
        rows = self.session.execute(
            select(month, *self._stage_columns()[:5], _count_if(Lead.status == LeadStatus.LOST))
            .where(*self._where(f)).group_by(month).order_by(month))
        revenue = AttributionRepository(self.session).first_touch_revenue(
            f, lambda lead: lead.created_at.astimezone(dt.UTC).strftime("%Y-%m"))
        return [MonthRow(m, *(int(v) for v in values), revenues=revenue.get(m, ()))
                for m, *values in rows]

    # -- dashboard ------------------------------------------------------------------------------
    def dashboard(self, now: dt.datetime, filters: ReportFilters | None = None,
                  top: int = DASHBOARD_TOP) -> DashboardNumbers:
        """The dashboard's chart numbers for the leads in ``filters`` (all live leads without);
        each matches a LeadQuery the list can show (see DashboardNumbers.filters)."""
        f = filters if filters is not None else ReportFilters()
        where = self._where(f)
        statuses = dict(self.session.execute(
            select(Lead.status, func.count()).where(*where).group_by(Lead.status)).all())
        by_status = tuple((s, int(statuses.get(s, 0))) for s in LeadStatus)
        total = sum(n for _s, n in by_status)
        open_ = sum(n for s, n in by_status if s not in CLOSED_STATUSES)
        channels = self.session.execute(
            select(Lead.channel, func.count()).where(*where).group_by(Lead.channel)
            .order_by(func.count().desc(), Lead.channel)).all()
        events = self.session.execute(
            select(Event.id, Event.name, func.count()).select_from(Lead)
            .join(Event, Event.id == Lead.event_id)
            .where(*where).group_by(Event.id, Event.name)
            .order_by(func.count().desc(), Event.name)).all()
        with_event = sum(int(n) for _i, _n, n in events)
        shown = tuple(EventCount(i, name, int(n)) for i, name, n in events[:top])
        levels = self.session.execute(
            select(Lead.owner_id, User.name,
                   _count_if(first_touch_clause(FirstTouch.MET, now)),
                   _count_if(first_touch_clause(FirstTouch.MISSED, now)),
                   _count_if(first_touch_clause(FirstTouch.PENDING, now)))
            .select_from(Lead).outerjoin(User, User.id == Lead.owner_id)
            .where(*where, Lead.first_touch_due_at.is_not(None))
            .group_by(Lead.owner_id, User.name)).all()
        rows = [ServiceLevelRow(owner, name or "Unassigned", int(m), int(x), int(p))
                for owner, name, m, x, p in levels]
        rows = sorted(rows, key=lambda r: -(r.met + r.missed + r.pending))[:top]
        rows.sort(key=lambda r: (r.owner_id is None, r.name.casefold()))
        bands = [(label, now - dt.timedelta(days=hi) if hi is not None else None,
                  now - dt.timedelta(days=lo) if lo else None) for label, lo, hi in AGE_BANDS]
        ages = self.session.execute(select(*[
            _count_if(and_(*([Lead.created_at >= since] if since is not None else []),
                           *([Lead.created_at < before] if before is not None else []),
                           literal(True)))
            for _label, since, before in bands]).select_from(Lead).where(*where, _open())).one()
        revenue = AttributionRepository(self.session).first_touch_revenue(
            f, lambda lead: (lead.channel, lead.event_id))
        return DashboardNumbers(
            now, total, open_, by_status,
            tuple((Channel(c), int(n)) for c, n in channels), shown,
            with_event - sum(e.leads for e in shown), total - with_event, tuple(rows),
            tuple(AgeBand(label, since, before, int(n))
                  for (label, since, before), n in zip(bands, ages, strict=True)), f,
            _summed(revenue, 0), _summed(revenue, 1))

    # -- follow-up sheet --------------------------------------------------------------------------
    def sheet_owners(self, f: ReportFilters, until: dt.datetime,
                     due_from: dt.datetime | None) -> list[tuple[uuid.UUID, str, str]]:
        """Reps with open tasks in the window (or the one asked for), by name."""
        if f.owner_id is not None:
            user = self.session.get(User, f.owner_id)
            return [(f.owner_id, user.name if user else "", user.email if user else "")]
        statement = (select(User.id, User.name, User.email).join(Task, Task.owner_id == User.id)
                     .join(Lead, Lead.id == Task.lead_id)
                     .where(*self._sheet_where(f, until, due_from)).distinct()
                     .order_by(User.name))
        return [(i, n, e) for i, n, e in self.session.execute(statement)]

    def _sheet_where(self, f: ReportFilters, until: dt.datetime,
                     due_from: dt.datetime | None) -> list[ColumnElement[bool]]:
        clauses = [Task.done_at.is_(None), Task.deleted_at.is_(None), Task.due_at < until,
                   Lead.deleted_at.is_(None)]
        if due_from is not None:
            clauses.append(Task.due_at >= due_from)
        if f.event_id is not None:
            clauses.append(Lead.event_id == f.event_id)
        return clauses

    def sheet_tasks(self, owner_id: uuid.UUID, f: ReportFilters, until: dt.datetime,
                    due_from: dt.datetime | None) -> list[SheetTask]:
        statement = (
            select(Task.owner_id, Task.due_at, Task.kind, Task.title, Task.cadence_step,
                   _name(), Lead.company, Lead.phone, Lead.mobile, Lead.email, Lead.status,
                   Lead.rating)
            .join(Lead, Lead.id == Task.lead_id)
            .where(Task.owner_id == owner_id, *self._sheet_where(f, until, due_from))
            .order_by(Task.due_at, Lead.last_name))
        out = []
        for owner, due, kind, title, step, name, company, phone, mobile, email, status, rating \
                in self.session.execute(statement):
            out.append(SheetTask(owner or owner_id, due, str(getattr(kind, "value", kind)), title, step,
                                 name, company, phone or mobile, email, LeadStatus(status),
                                 str(getattr(rating, "value", rating or ""))))
        return out


def _summed(revenue: dict[object, Money], part: int) -> tuple[tuple[Any, Money], ...]:
    """Revenue keyed (channel, event) added up per channel (``part`` 0) or event (1)."""
    grouped: dict[Any, list[tuple[str, int]]] = {}
    for key, money in revenue.items():
        value = key[part]  # type: ignore[index]
        if value is not None:
            grouped.setdefault(value, []).extend(money)
    return tuple((k, add_money(v)) for k, v in grouped.items())


def _source_label(name: object, is_channel: bool) -> str:
    if not is_channel:
        return str(name)
    value = str(getattr(name, "value", name) or "other")
    return "Source: " + value.replace("_", " ").capitalize()
