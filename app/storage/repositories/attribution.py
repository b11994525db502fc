"""The rows attribution needs: matched orders, the leads they credit and each person's other
captures, and the live leads of the funnel with their status changes (app/domain/attribution.py
does every sum)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import String, func, null, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from app.domain.attribution import (
    Cost,
    Credit,
    LeadFacts,
    Model,
    Order,
    credit_orders,
    revenue_by,
)
from app.domain.history import ActivityKind
from app.domain.leads import Channel, LeadStatus
from app.domain.reports import Money, ReportFilters
from app.storage.orm import Activity, CustomerOrderRow, Event, Lead
from app.storage.portable import id_in

MATCHED = "matched"
# Emails per IN list: each list is one scan of the leads (lower(email) has no index), and
# 5,000 stays far below SQLite's 32,766 parameters.
_EMAIL_CHUNK = 5_000


class AttributionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # -- orders and the leads they credit -------------------------------------------------------
    def orders(self) -> list[Order]:
        """Every matched, live order, its lead moved to the live lead it was merged into."""
        rows = self.session.execute(
            select(CustomerOrderRow.lead_id, CustomerOrderRow.order_date,
                   CustomerOrderRow.amount, CustomerOrderRow.currency)
            .where(CustomerOrderRow.match_status == MATCHED,
                   CustomerOrderRow.lead_id.is_not(None), CustomerOrderRow.deleted_at.is_(None))
        ).all()
        survivor = self._survivors({lead_id for lead_id, *_rest in rows})
        return [Order(survivor.get(lead_id, lead_id), day, int(amount), currency.upper())
                for lead_id, day, amount, currency in rows]

    def _survivors(self, ids: set[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
        """Merged lead → the lead it ended up in (merges chain: A into B, B later into C)."""
        into: dict[uuid.UUID, uuid.UUID] = {}
        frontier = list(ids)
        seen = set(ids)
        while frontier:
            step = dict(self.session.execute(
                select(Lead.id, Lead.merged_into_id)
                .where(id_in(Lead.id, frontier), Lead.merged_into_id.is_not(None))).all())
            into.update(step)
            frontier = [t for t in step.values() if t not in seen]
            seen.update(frontier)
        out: dict[uuid.UUID, uuid.UUID] = {}
        for start in ids:
            end, hops = start, 0
            while end in into and hops < len(into) + 1:
                end, hops = into[end], hops + 1
            out[start] = end
        return out

    def captures(self, lead_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[LeadFacts]]:
        """Per lead: itself, every lead merged into it (any depth) and the live leads with the
        same email (any case): each time and show the person was captured."""
        ids = list(set(lead_ids))
        if not ids:
            return {}
        own = self._facts([id_in(Lead.id, ids)], with_email=True)
        out: dict[uuid.UUID, dict[uuid.UUID, LeadFacts]] = {i: {} for i in ids}
        emails: dict[str, set[uuid.UUID]] = {}
        for facts, email in own:
            out[facts.id][facts.id] = facts
            if email:
                emails.setdefault(str(email).lower(), set()).add(facts.id)
        # Merged leads are few: one pass over them all beats a scan per level of merging.
        children: dict[uuid.UUID, list[LeadFacts]] = {}
        for facts, parent in self._facts([Lead.merged_into_id.is_not(None)], with_parent=True):
            children.setdefault(parent, []).append(facts)  # type: ignore[arg-type]
        for i in ids:
            frontier = [i]
            while frontier:
                below = [c for parent in frontier for c in children.get(parent, ())
                         if c.id not in out[i]]
                out[i].update((c.id, c) for c in below)
                frontier = [c.id for c in below]
        keys = sorted(emails)
        for start in range(0, len(keys), _EMAIL_CHUNK):
            chunk = keys[start:start + _EMAIL_CHUNK]
            for facts, email in self._facts([func.lower(Lead.email).in_(chunk),
                                             Lead.deleted_at.is_(None)], with_email=True):
                for i in emails.get(str(email).lower(), ()):
                    out[i][facts.id] = facts
        return {i: list(found.values()) for i, found in out.items()}

    def lead_facts(self, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, LeadFacts]:
        listed = list(set(ids))
        if not listed:
            return {}
        return {f.id: f for f, _extra in self._facts([id_in(Lead.id, listed)])}

    def _facts(self, where: Sequence[ColumnElement[bool]], *, with_parent: bool = False,
               with_email: bool = False,
               changes: dict[str, list[tuple[dt.datetime, str, str]]] | None = None
               ) -> list[tuple[LeadFacts, object]]:
        """The leads ``where`` says, each with its status ``changes`` (keyed by id hex) and
        the lead it was merged into, or its email, as the second item."""
        # Ids, statuses and channels come back raw and are converted once per distinct value:
        # at 100,000 leads the per-row conversions were most of the report's time.
        extra = Lead.merged_into_id if with_parent else Lead.email if with_email else null()
        rows = self.session.execute(
            select(_raw(Lead.id), Lead.created_at, _raw(Lead.status), _raw(Lead.channel),
                   _raw(Lead.event_id), Lead.campaign, _raw(Lead.owner_id),
                   Lead.deleted_at.is_(None), extra).where(*where))
        ids, statuses, channels = _Ids(), _Cached(LeadStatus), _Cached(Channel)
        found = changes or {}
        return [(LeadFacts(ids.one(i), created, statuses.one(status), channels.one(channel),
                           ids.shared(event), campaign or "", ids.shared(owner), bool(live),
                           tuple(found.get(_id_key(i), ()))), other)
                for i, created, status, channel, event, campaign, owner, live, other in rows]

    # -- the funnel ---------------------------------------------------------------------------
    def funnel_leads(self, filters: ReportFilters) -> list[LeadFacts]:
        """The live leads in ``filters``, each with its status changes."""
        where = lead_where(filters)
        changes: dict[str, list[tuple[dt.datetime, str, str]]] = {}
        for lead_id, when, old, new in self.session.execute(
                select(_raw(Activity.lead_id), Activity.occurred_at, Activity.old_value,
                       Activity.new_value).join(Lead, Lead.id == Activity.lead_id)
                .where(*where, Activity.kind == ActivityKind.STATUS_CHANGED)):
            changes.setdefault(_id_key(lead_id), []).append((when, old, new))
        return [f for f, _extra in self._facts(where, changes=changes)]

    def events(self) -> dict[uuid.UUID, tuple[str, Cost]]:
        """Every event's name and cost."""
        return {i: (name, Cost(cost, (currency or "EUR").upper()))
                for i, name, cost, currency in self.session.execute(
                    select(Event.id, Event.name, Event.cost, Event.currency))}

    # -- revenue for the other reports ----------------------------------------------------------
    def credits(self, model: Model) -> tuple[list[Order], list[Credit],
                                              dict[uuid.UUID, LeadFacts]]:
        """Every matched order, its credits under ``model``, and the facts of every lead
        credited."""
        orders = self.orders()
        if model is Model.FIRST:
            credits = credit_orders(orders, {}, model)
            return orders, credits, self.lead_facts(c.lead_id for c in credits)
        captures = self.captures({o.lead_id for o in orders})
        credits = credit_orders(orders, captures, model)
        facts = {f.id: f for found in captures.values() for f in found}
        missing = {c.lead_id for c in credits} - facts.keys()
        facts.update(self.lead_facts(missing))
        return orders, credits, facts

    def first_touch_revenue(self, filters: ReportFilters,
                            key: Callable[[LeadFacts], object]) -> dict[object, Money]:
        """First-touch revenue per ``key`` of the lead each order is credited to, within the
        report ``filters``: what the ROI and funnel reports and the dashboard show."""
        _orders, credits, facts = self.credits(Model.FIRST)
        return revenue_by(credits, facts, key, filters)


def _raw(column: Any) -> ColumnElement[Any]:
    """The column's value as the driver returns it, without SQLAlchemy's per-row conversion."""
    return type_coerce(column, String)


def _id_key(value: object) -> str:
    """A raw id (SQLite: 32 hex digits; PostgreSQL: a UUID) as 32 hex digits."""
    return value.hex if isinstance(value, uuid.UUID) else str(value).replace("-", "").lower()


class _Ids:
    def __init__(self) -> None:
        self._seen: dict[object, uuid.UUID] = {}

    def one(self, value: object) -> uuid.UUID:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))

    def shared(self, value: object) -> uuid.UUID | None:
        """An id many rows repeat (event, owner): converted once."""
        if value is None:
            return None
        found = self._seen.get(value)
        if found is None:
            found = self._seen[value] = self.one(value)
        return found


class _Cached:
    def __init__(self, enum: type[LeadStatus] | type[Channel]) -> None:
        self.enum, self._seen = enum, {}  # type: ignore[var-annotated]

    def one(self, value: object) -> Any:
        found = self._seen.get(value)
        if found is None:
            found = self._seen[value] = self.enum(str(value).lower())
        return found


def lead_where(f: ReportFilters) -> list[ColumnElement[bool]]:
    """The report filters as SQL on live leads (every report's, and in_scope's, meaning)."""
    clauses: list[ColumnElement[bool]] = [Lead.deleted_at.is_(None)]
    if f.event_id is not None:
        clauses.append(Lead.event_id == f.event_id)
    if f.owner_id is not None:
        clauses.append(Lead.owner_id == f.owner_id)
    if f.created_from is not None:
        clauses.append(Lead.created_at >= f.created_from)
    if f.created_before is not None:
        clauses.append(Lead.created_at < f.created_before)
    return clauses
