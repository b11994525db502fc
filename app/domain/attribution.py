"""Revenue attribution and conversion analysis: which show, source and campaign each matched
order is credited to (first touch, or an even split across every show the person was captured
at), and the funnel lead → MQL → SQL → opportunity → customer with rates, days and money.

Pure: the attribution repository reads the rows, these functions do every sum, so the ROI and
funnel reports and the dashboard take their revenue from the same calculation.
"""

from __future__ import annotations

import datetime as dt
import statistics
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

from app.domain.leads import Channel, LeadStatus
from app.domain.reports import Money, ReportFilters

MIXED = "mixed currencies"
NO_EVENT = "No event"
NO_CAMPAIGN = "No campaign"
_LAST = (NO_EVENT, NO_CAMPAIGN)  # rows without one come after the named ones
EVERYTHING = ReportFilters()


class Model(StrEnum):
    FIRST = "first"  # all of an order to the lead it was matched to (its show or source)
    EVEN = "even"  # an equal share to every show where the person was captured

    @property
    def label(self) -> str:
        return "first touch" if self is Model.FIRST else "even split across shows"


class Stage(IntEnum):
    LEAD = 0
    MQL = 1
    SQL = 2
    OPPORTUNITY = 3
    CUSTOMER = 4

    @property
    def label(self) -> str:
        return ("Lead", "MQL", "SQL", "Opportunity", "Customer")[self]


STAGES = tuple(Stage)  # iterating the enum class itself is slow, and this runs per lead
_STATUS_STAGE = {LeadStatus.MQL: Stage.MQL, LeadStatus.SQL: Stage.SQL,
                 LeadStatus.CONVERTED: Stage.OPPORTUNITY, LeadStatus.WON: Stage.CUSTOMER}
_LABEL_STAGE = {status.label: stage for status, stage in _STATUS_STAGE.items()}


def stage_of_status(status: LeadStatus) -> Stage:
    """The funnel stage a status stands for (exits such as lost or nurture: no stage)."""
    return _STATUS_STAGE.get(status, Stage.LEAD)


@dataclass(frozen=True)
class LeadFacts:
    """One lead as attribution and the funnel see it: where it came from and how far it got."""

    id: uuid.UUID
    created_at: dt.datetime
    status: LeadStatus
    channel: Channel
    event_id: uuid.UUID | None = None
    campaign: str = ""
    owner_id: uuid.UUID | None = None
    live: bool = True  # not deleted (merged leads are deleted but still a show's capture)
    # Status changes as (when, old status label, new status label), any order.
    changes: tuple[tuple[dt.datetime, str, str], ...] = ()


@dataclass(frozen=True)
class Order:
    """A matched order, already moved to the live lead its lead was merged into."""

    lead_id: uuid.UUID
    order_date: dt.date
    amount: int  # minor units of currency
    currency: str


@dataclass(frozen=True)
class Credit:
    """The part of one order credited to one lead's show or source."""

    lead_id: uuid.UUID
    amount: int
    currency: str


def credit_orders(orders: Iterable[Order], captures: Mapping[uuid.UUID, Sequence[LeadFacts]],
                  model: Model) -> list[Credit]:
    """Each order's credits; they add up to the order's amount exactly.

    First touch: all to the order's lead. Even split: ``captures[lead]`` are the person's
    leads (the lead itself, leads merged into it, live leads with the same email); every
    event among them gets ``amount // n`` and the earliest capture the remainder. The lead
    itself always counts, with or without an event.
    """
    out: list[Credit] = []
    for order in orders:
        if model is Model.FIRST:
            out.append(Credit(order.lead_id, order.amount, order.currency))
            continue
        shares = _share_leads(order.lead_id, captures.get(order.lead_id, ()))
        n = len(shares)
        base, remainder = divmod(order.amount, n)
        out += [Credit(lead_id, base + (remainder if i == 0 else 0), order.currency)
                for i, lead_id in enumerate(shares)]
    return out


def _share_leads(lead_id: uuid.UUID, captures: Sequence[LeadFacts]) -> list[uuid.UUID]:
    """One lead per show, earliest first: the order's own lead keeps its show (or its own
    share without one); any other show counts its earliest capture."""
    ordered = sorted(captures, key=lambda c: (c.created_at, c.id))
    own = next((c for c in ordered if c.id == lead_id), None)
    slots: dict[object, LeadFacts] = {}
    if own is not None:
        slots[own.event_id if own.event_id is not None else own.id] = own
    for capture in ordered:
        if capture.event_id is not None:
            slots.setdefault(capture.event_id, capture)
    chosen = [c.id for c in sorted(slots.values(), key=lambda c: (c.created_at, c.id))]
    return chosen if own is not None else [lead_id, *chosen]


def add_money(credits: Iterable[tuple[str, int]]) -> Money:
    """Amounts added up per currency; different currencies are never added together."""
    totals: dict[str, int] = {}
    for currency, amount in credits:
        totals[currency] = totals.get(currency, 0) + amount
    return tuple(sorted(totals.items()))


def in_scope(lead: LeadFacts, filters: ReportFilters) -> bool:
    """The report filters (event, owner, day created) applied to one lead."""
    return ((filters.event_id is None or lead.event_id == filters.event_id)
            and (filters.owner_id is None or lead.owner_id == filters.owner_id)
            and (filters.created_from is None or lead.created_at >= filters.created_from)
            and (filters.created_before is None or lead.created_at < filters.created_before))


# -- stages and days -------------------------------------------------------------------------
def stage_times(lead: LeadFacts, first_order: dt.date | None = None
                ) -> dict[Stage, dt.datetime]:
    """When the lead first reached each stage it reached. A stage skipped counts as reached
    when a later one was; the stage it was created at (and those before) from the day it was
    created; customer is the first order's day, or when it was won if that was earlier."""
    changes = sorted(lead.changes)
    start = stage_of_status(lead.status) if not changes else \
        _LABEL_STAGE.get(changes[0][1], Stage.LEAD)
    first = {s: lead.created_at for s in STAGES if s <= start}
    steps = [(when, _LABEL_STAGE.get(new, Stage.LEAD)) for when, _old, new in changes]
    if changes:  # the status now, should a change to it have gone unrecorded
        steps.append((changes[-1][0], stage_of_status(lead.status)))
    for when, stage in steps:
        for s in STAGES:
            if s <= stage and s not in first:
                first[s] = max(when, lead.created_at)
    if first_order is not None:
        ordered = max(dt.datetime.combine(first_order, dt.time(), tzinfo=dt.UTC),
                      lead.created_at)
        for s in STAGES:  # an order makes a customer of a lead that never got further in here
            first[s] = min(first.get(s, ordered), ordered)
    return first


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def _days(later: dt.datetime, earlier: dt.datetime) -> float:
    return max((later - earlier).total_seconds() / 86400, 0.0)


# -- the funnel --------------------------------------------------------------------------------
@dataclass(frozen=True)
class FunnelRow:
    """One event, source, campaign or year: its funnel, days between stages and money."""

    label: str
    counts: tuple[int, int, int, int, int]  # leads, MQL+, SQL+, opportunities, customers
    days: tuple[float | None, float | None, float | None, float | None]  # medians per step
    revenue: Money = ()
    cost: int | None = None
    cost_currency: str = ""
    days_to_first_order: float | None = None  # median, capture to first order

    @property
    def leads(self) -> int:
        return self.counts[Stage.LEAD]

    def count(self, stage: Stage) -> int:
        return self.counts[stage]

    def rate(self, stage: Stage) -> float | None:
        """The share of the previous stage that reached ``stage``."""
        previous = self.counts[stage - 1]
        return self.counts[stage] / previous if stage and previous else None

    def cost_per(self, stage: Stage) -> int | None:
        """Cost per lead, SQL or customer in minor units of the cost's currency (rounded)."""
        count = self.counts[stage]
        return round(self.cost / count) if self.cost is not None and count else None

    @property
    def single_revenue(self) -> int | None:
        """Revenue in the cost's currency; None when some is in another currency."""
        if not self.revenue:
            return 0
        if len(self.revenue) == 1 and self.revenue[0][0] == self.cost_currency:
            return self.revenue[0][1]
        return None

    @property
    def roi(self) -> float | str | None:
        """(revenue − cost) ÷ cost; MIXED when revenue is in another currency; None without a
        cost."""
        if not self.cost:
            return None
        revenue = self.single_revenue
        if revenue is None:
            return MIXED
        return (revenue - self.cost) / self.cost


def format_return(value: float | str | None, *, signed: bool = False) -> str:
    """A return on cost as a percentage ("24%", or "+24%" ``signed``), MIXED as it is, "–"
    without a cost: the printed reports and the dashboard say it the same way."""
    if isinstance(value, str):
        return value
    if value is None:
        return "–"
    return f"{100 * value:+,.0f}%" if signed else f"{100 * value:,.0f}%"


@dataclass(frozen=True)
class Cost:
    amount: int | None
    currency: str


@dataclass
class _Group:
    times: list[dict[Stage, dt.datetime]] = field(default_factory=list)
    first_orders: list[float] = field(default_factory=list)
    revenue: list[tuple[str, int]] = field(default_factory=list)


def funnel_rows(leads: Iterable[tuple[LeadFacts, dict[Stage, dt.datetime], float | None]],
                credits: Iterable[Credit], facts: Mapping[uuid.UUID, LeadFacts],
                key: Callable[[LeadFacts], str], *, filters: ReportFilters = EVERYTHING,
                costs: Mapping[str, Cost] | None = None) -> list[FunnelRow]:
    """One row per ``key`` of the ``leads`` (each with its stage times and days from capture
    to first order), plus any key credited revenue only; ``facts`` describes every credited
    lead, ``filters`` says which credits count."""
    groups: dict[str, _Group] = {}
    for lead, times, to_order in leads:
        group = groups.setdefault(key(lead), _Group())
        group.times.append(times)
        if to_order is not None:
            group.first_orders.append(to_order)
    for credit in credits:
        lead = facts.get(credit.lead_id)
        if lead is None or not in_scope(lead, filters):
            continue
        groups.setdefault(key(lead), _Group()).revenue.append((credit.currency, credit.amount))
    rows = []
    for label, group in groups.items():
        counts = tuple(sum(1 for t in group.times if s in t) for s in STAGES)
        days = tuple(median([_days(t[s], t[STAGES[s - 1]]) for t in group.times if s in t])
                     for s in STAGES[1:])
        cost = (costs or {}).get(label, Cost(None, ""))
        rows.append(FunnelRow(label, counts, days,  # type: ignore[arg-type]
                              add_money(group.revenue), cost.amount, cost.currency,
                              median(group.first_orders)))
    return sorted(rows, key=lambda r: (r.label in _LAST, r.label.casefold()))


def first_order_days(orders: Iterable[Order]) -> dict[uuid.UUID, dt.date]:
    """Each lead's first order day."""
    first: dict[uuid.UUID, dt.date] = {}
    for order in orders:
        if order.lead_id not in first or order.order_date < first[order.lead_id]:
            first[order.lead_id] = order.order_date
    return first


def source_label(channel: Channel) -> str:
    return "Source: " + channel.label


def revenue_by(credits: Iterable[Credit], facts: Mapping[uuid.UUID, LeadFacts],
               key: Callable[[LeadFacts], object], filters: ReportFilters = EVERYTHING
               ) -> dict[object, Money]:
    """Credited revenue per ``key`` of the credited lead, per currency, within ``filters``."""
    grouped: dict[object, list[tuple[str, int]]] = {}
    for credit in credits:
        lead = facts.get(credit.lead_id)
        if lead is not None and in_scope(lead, filters):
            grouped.setdefault(key(lead), []).append((credit.currency, credit.amount))
    return {k: add_money(v) for k, v in grouped.items()}


@dataclass(frozen=True)
class Attribution:
    """The attribution and conversion analysis, as the printed report shows it."""

    model: Model
    total: Money  # every matched order in scope, credited
    by_event: tuple[FunnelRow, ...]
    by_source: tuple[FunnelRow, ...]
    by_campaign: tuple[FunnelRow, ...]
    by_year: tuple[FunnelRow, ...]

    @property
    def rows(self) -> int:
        return len(self.by_event) + len(self.by_source) + len(self.by_campaign)


def analyse(model: Model, leads: Sequence[LeadFacts], orders: Sequence[Order],
            credits: Sequence[Credit], facts: Mapping[uuid.UUID, LeadFacts],
            events: Mapping[uuid.UUID, tuple[str, Cost]],
            filters: ReportFilters = EVERYTHING) -> Attribution:
    """The funnel and credited revenue per event (with its cost), source, campaign and year
    created (UTC), for the ``leads`` and credited leads in ``filters``."""
    first = first_order_days(orders)
    measured = []
    for lead in leads:
        if lead.live and in_scope(lead, filters):
            ordered = first.get(lead.id)
            to_order = None if ordered is None else _days(
                dt.datetime.combine(ordered, dt.time(), tzinfo=dt.UTC), lead.created_at)
            measured.append((lead, stage_times(lead, ordered), to_order))

    def event(lead: LeadFacts) -> str:
        return events[lead.event_id][0] if lead.event_id in events else NO_EVENT

    costs = {name: cost for name, cost in events.values()}

    def rows(key: Callable[[LeadFacts], str],
             costs: Mapping[str, Cost] | None = None) -> tuple[FunnelRow, ...]:
        return tuple(funnel_rows(measured, credits, facts, key, filters=filters, costs=costs))

    total = add_money((c.currency, c.amount) for c in credits
                      if c.lead_id in facts and in_scope(facts[c.lead_id], filters))
    return Attribution(model, total, rows(event, costs=costs),
                       rows(lambda lead: source_label(lead.channel)),
                       rows(lambda lead: lead.campaign or NO_CAMPAIGN),
                       rows(lambda lead: str(lead.created_at.astimezone(dt.UTC).year)))
