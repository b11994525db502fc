"""Attribution (first touch, even split) and the conversion funnel: hand-computed examples,
totals equal to the imported revenue over generated data, and the queries on a database."""

from __future__ import annotations

import datetime as dt
import random
import uuid

import pytest

from app.domain.attribution import (
    MIXED,
    Cost,
    LeadFacts,
    Model,
    Order,
    Stage,
    add_money,
    analyse,
    credit_orders,
    stage_times,
)
from app.domain.leads import Channel, LeadStatus
from app.domain.reports import ReportFilters
from app.services.container import Services
from app.storage.db import Database
from app.storage.orm import CustomerOrderRow
from app.storage.repositories.attribution import AttributionRepository
from tests.conftest import FIXED_NOW, FakeClock

T0 = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)
FAIR, EXPO = uuid.uuid4(), uuid.uuid4()
EVENTS = {FAIR: ("Fair 2025", Cost(100_000, "EUR")), EXPO: ("Expo 2026", Cost(50_000, "EUR"))}


def _lead(days: float = 0, *, event: uuid.UUID | None = FAIR, status: LeadStatus = LeadStatus.INQUIRY,
          changes: tuple[tuple[float, str, str], ...] = (), channel: Channel = Channel.TRADE_SHOW,
          campaign: str = "", live: bool = True) -> LeadFacts:
    created = T0 + dt.timedelta(days=days)
    return LeadFacts(uuid.uuid4(), created, status, channel, event, campaign, None, live,
                     tuple((created + dt.timedelta(days=d), old, new) for d, old, new in changes))


def test_first_touch_credits_the_whole_order_to_its_lead() -> None:
    lead = _lead()
    order = Order(lead.id, dt.date(2025, 6, 1), 10_001, "EUR")
    [credit] = credit_orders([order], {}, Model.FIRST)
    assert (credit.lead_id, credit.amount, credit.currency) == (lead.id, 10_001, "EUR")


def test_even_split_gives_each_show_a_share_and_the_earliest_the_remainder() -> None:
    earliest = _lead(0, event=EXPO, live=False)  # merged into `matched`
    matched = _lead(10, event=FAIR)
    same_show_again = _lead(20, event=FAIR)  # a second capture at the lead's own show
    web = _lead(5, event=None, channel=Channel.WEB)  # no show: no share
    order = Order(matched.id, dt.date(2025, 6, 1), 10_001, "EUR")
    credits = credit_orders([order], {matched.id: [matched, earliest, same_show_again, web]},
                            Model.EVEN)
    assert [(c.lead_id, c.amount) for c in credits] == [(earliest.id, 5_001), (matched.id, 5_000)]
    assert sum(c.amount for c in credits) == order.amount


def test_even_split_of_a_lead_with_no_show_keeps_its_own_share() -> None:
    web = _lead(0, event=None, channel=Channel.WEB)
    fair = _lead(3, event=FAIR)
    credits = credit_orders([Order(web.id, dt.date(2025, 6, 1), 301, "USD")],
                            {web.id: [web, fair]}, Model.EVEN)
    assert [(c.lead_id, c.amount) for c in credits] == [(web.id, 151), (fair.id, 150)]


def test_stage_times_fill_skipped_stages_and_count_the_first_order_as_customer() -> None:
    lead = _lead(status=LeadStatus.LOST, changes=((2, "Inquiry", "MQL"), (9, "MQL", "Converted"),
                                                  (12, "Converted", "Lost")))
    times = stage_times(lead, dt.date(2025, 3, 21))
    assert times[Stage.MQL] == T0 + dt.timedelta(days=2)
    assert times[Stage.SQL] == times[Stage.OPPORTUNITY] == T0 + dt.timedelta(days=9)
    assert times[Stage.CUSTOMER] == dt.datetime(2025, 3, 21, tzinfo=dt.UTC)
    created_sql = _lead(status=LeadStatus.SQL)
    assert set(stage_times(created_sql)) == {Stage.LEAD, Stage.MQL, Stage.SQL}


def test_funnel_rates_medians_costs_and_return_by_hand() -> None:
    a = _lead(0, changes=((2, "Inquiry", "MQL"), (4, "MQL", "SQL"), (10, "SQL", "Converted")),
              status=LeadStatus.CONVERTED, campaign="Spring")
    b = _lead(1, changes=((5, "Inquiry", "MQL"),), status=LeadStatus.MQL)
    c = _lead(2)
    d = _lead(3, event=EXPO, status=LeadStatus.SQL)
    orders = [Order(a.id, dt.date(2025, 3, 31), 150_000, "EUR"),
              Order(a.id, dt.date(2025, 5, 1), 50_000, "EUR"),
              Order(d.id, dt.date(2026, 1, 1), 7_000, "USD")]
    leads = [a, b, c, d]
    facts = {lead.id: lead for lead in leads}
    credits = credit_orders(orders, {}, Model.FIRST)
    result = analyse(Model.FIRST, leads, orders, credits, facts, EVENTS)
    fair = {r.label: r for r in result.by_event}["Fair 2025"]
    assert fair.counts == (3, 2, 1, 1, 1)
    assert fair.rate(Stage.MQL) == pytest.approx(2 / 3)
    assert fair.days[0] == pytest.approx(3.5)  # lead → MQL: 2 and 5 days
    assert fair.days[1] == pytest.approx(2)  # MQL → SQL
    # Opportunity on day 10 at 09:00 → the first order's day (30) from midnight.
    assert fair.days[3] == pytest.approx(19.625)
    assert fair.revenue == (("EUR", 200_000),)
    assert fair.cost_per(Stage.LEAD) == 33_333 and fair.cost_per(Stage.CUSTOMER) == 100_000
    assert fair.roi == pytest.approx(1.0)
    assert fair.days_to_first_order == pytest.approx(29.625)
    expo = {r.label: r for r in result.by_event}["Expo 2026"]
    assert expo.roi == MIXED and expo.cost_per(Stage.SQL) == 50_000
    assert result.total == (("EUR", 200_000), ("USD", 7_000))
    assert {r.label for r in result.by_campaign} == {"Spring", "No campaign"}
    assert [r.label for r in result.by_year] == ["2025"]


def test_filters_narrow_the_funnel_and_the_revenue_alike() -> None:
    a, d = _lead(0), _lead(400, event=EXPO)
    orders = [Order(a.id, dt.date(2025, 4, 1), 100, "EUR"),
              Order(d.id, dt.date(2026, 6, 1), 200, "EUR")]
    credits = credit_orders(orders, {}, Model.FIRST)
    only_expo = ReportFilters(event_id=EXPO)
    result = analyse(Model.FIRST, [a, d], orders, credits, {a.id: a, d.id: d}, EVENTS, only_expo)
    assert result.total == (("EUR", 200),)
    assert [r.label for r in result.by_event] == ["Expo 2026"]


@pytest.mark.parametrize("model", list(Model))
def test_credited_revenue_always_adds_up_to_the_orders(model: Model) -> None:
    rng = random.Random(20261207)
    for _round in range(40):
        events = [uuid.uuid4() for _ in range(rng.randint(1, 5))]
        people = [[_lead(rng.uniform(0, 700), event=rng.choice([*events, None]),
                         live=rng.random() < 0.7) for _ in range(rng.randint(1, 4))]
                  for _ in range(rng.randint(1, 30))]
        orders = [Order(rng.choice(person).id, dt.date(2026, 1, 1), rng.randint(0, 10**7),
                        rng.choice(["EUR", "USD"]))
                  for person in people for _ in range(rng.randint(0, 3))]
        captures = {lead.id: person for person in people for lead in person}
        facts = {lead.id: lead for person in people for lead in person}
        credits = credit_orders(orders, captures, model)
        assert add_money((c.currency, c.amount) for c in credits) == \
            add_money((o.currency, o.amount) for o in orders)
        named = {e: (f"E{i}", Cost(1, "EUR")) for i, e in enumerate(events)}
        leads = [lead for person in people for lead in person]
        result = analyse(model, leads, orders, credits, facts, named)
        for table in (result.by_event, result.by_source, result.by_campaign, result.by_year):
            assert add_money(m for row in table for m in row.revenue) == result.total
        assert result.total == add_money((o.currency, o.amount) for o in orders)


# -- on a database ---------------------------------------------------------------------------
def add_order(db: Database, lead_id: uuid.UUID | None, amount: int, *, currency: str = "EUR",
              day: dt.date = dt.date(2026, 10, 1), status: str = "matched",
              deleted: bool = False) -> None:
    with db.write() as session:
        session.add(CustomerOrderRow(
            order_key=uuid.uuid4().hex, order_date=day, amount=amount, currency=currency,
            lead_id=lead_id, match_status=status, imported_at=FIXED_NOW, updated_at=FIXED_NOW,
            device_id=db.device_id, deleted_at=FIXED_NOW if deleted else None))


@pytest.mark.both_databases
def test_queries_follow_merges_and_count_only_matched_live_orders(
        services: Services, db: Database, clock: FakeClock) -> None:
    services.events.add("Fair 2025", country="DE", cost="1000.00", currency="EUR")
    services.events.add("Expo 2026", country="DE", cost="500.00", currency="EUR")
    merged = services.leads.create({"last_name": "Merged", "email": "ann.old@acme.example",
                                    "event": "Fair 2025"})
    clock.advance(days=1)
    kept = services.leads.create({"last_name": "Kept", "email": "ann@acme.example",
                                  "event": "Expo 2026"})
    clock.advance(days=1)
    twin = services.leads.create({"last_name": "Twin", "email": "ANN@acme.example",
                                  "event": "Fair 2025"})
    services.merges.merge(kept.id, merged.id)
    add_order(db, merged.id, 30_001)  # matched before the merge: follows it to `kept`
    add_order(db, kept.id, 1_000, currency="usd")
    add_order(db, kept.id, 999, status="review")
    add_order(db, kept.id, 999, deleted=True)
    add_order(db, None, 999)
    with db.read() as session:
        repo = AttributionRepository(session)
        assert {(o.lead_id, o.amount) for o in repo.orders()} == {(kept.id, 30_001),
                                                                   (kept.id, 1_000)}
        captured = {f.id for f in repo.captures([kept.id])[kept.id]}
        assert captured == {kept.id, merged.id, twin.id}
    first = services.attribution.analysis(Model.FIRST)
    even = services.attribution.analysis(Model.EVEN)
    assert first.total == even.total == (("EUR", 30_001), ("USD", 1_000))
    first_events = {r.label: r.revenue for r in first.by_event}
    assert first_events["Expo 2026"] == (("EUR", 30_001), ("USD", 1_000))
    even_events = {r.label: r.revenue for r in even.by_event}
    # Two shows: the merged lead (Fair, earlier than `twin`) and `kept` (Expo).
    assert even_events["Fair 2025"] == (("EUR", 15_001), ("USD", 500))
    assert even_events["Expo 2026"] == (("EUR", 15_000), ("USD", 500))
