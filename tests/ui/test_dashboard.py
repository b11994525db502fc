"""The dashboard: its numbers agree with the lead list, bars open the leads behind them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from app.domain.leads import Channel, FirstTouch, LeadQuery, LeadStatus
from app.domain.people import Role, UserRecord
from app.domain.tasks import TaskKind
from app.services.container import Services
from app.ui.dashboard_page import AGE, EVENT, FUNNEL, SERVICE, SOURCE, bars_for
from app.ui.main_window import DASHBOARD, LEADS, MainWindow


@pytest.fixture
def admin(services: Services) -> UserRecord:
    user = services.people.add_user("Ada Admin", "ada@example.com", Role.ADMIN)
    return services.people.sign_in(user.id)


def _lead(services: Services, i: int, **fields: Any) -> Any:
    return services.leads.create({"first_name": f"P{i}", "last_name": "Example",
                                  "company": f"Company {i}", "email": f"p{i}@example.com",
                                  **fields})


@pytest.fixture
def fixture_leads(services: Services, clock: Any, admin: UserRecord) -> dict[str, Any]:
    """Leads of several ages, statuses, channels, events and owners."""
    rep = services.people.add_user("Rita Rep", "rita@example.com", Role.REP)
    expo = services.events.add("Expo Hannover")
    fair = services.events.add("Fair Lyon")
    made = []
    # 123 days old: 2 won, 1 lost, from Expo
    for i in range(3):
        made.append(_lead(services, i, event=expo.name,
                          status="won" if i < 2 else "lost"))
    clock.advance(days=100)
    # 23 days old: 3 MQL from the web, one owned by the rep
    for i in range(3, 6):
        made.append(_lead(services, i, channel="web", status="mql",
                          **({"owner": rep.email} if i == 3 else {})))
    clock.advance(days=20)
    # 3 days old: 2 SQL at the fair, owned by the rep
    for i in range(6, 8):
        made.append(_lead(services, i, event=fair.name, status="sql", owner=rep.email))
    clock.advance(days=3)
    # new today: 4 inquiries by phone, 1 owned by the rep and touched at once
    for i in range(8, 12):
        made.append(_lead(services, i, channel="phone",
                          **({"owner": rep.email} if i == 8 else {})))
    services.followup.log_touch(made[8].id, TaskKind.CALL, "reached", "")
    return {"rep": rep, "expo": expo, "fair": fair, "leads": made}


def _page_numbers(window: MainWindow) -> Any:
    assert window.dashboard.numbers is not None, window.dashboard.summary.text()
    return window.dashboard.numbers


def test_admin_starts_on_the_dashboard_and_numbers_match_lead_counts(
        make_window: Callable[[], MainWindow], services: Services,
        fixture_leads: dict[str, Any]) -> None:
    window = make_window()
    assert window.pages.currentIndex() == DASHBOARD
    page = window.dashboard
    numbers = _page_numbers(window)
    assert numbers.total == 12 == services.leads.count(LeadQuery())
    assert numbers.open == 9 == services.leads.count(LeadQuery(open_only=True))
    funnel = {b.category: b.count for b in page.bars[FUNNEL]}
    assert [b.category for b in page.bars[FUNNEL]] == [s.label for s in LeadStatus]
    assert funnel["Inquiry"] == 4 and funnel["MQL"] == 3 and funnel["SQL"] == 2
    assert funnel["Won"] == 2 and funnel["Lost"] == 1 and funnel["Nurture"] == 0
    sources = {b.category: b.count for b in page.bars[SOURCE]}
    assert sources == {"Trade show": 5, "Web": 3, "Phone": 4}
    events = {b.category: b.count for b in page.bars[EVENT]}
    assert events == {"Expo Hannover": 3, "Fair Lyon": 2}
    assert numbers.no_event == 7
    ages = {b.category: b.count for b in page.bars[AGE]}
    assert ages == {"0–7 days": 6, "8–30 days": 3, "31–90 days": 0, "Over 90 days": 0}
    # Every bar of every chart counts exactly the leads its list shows.
    for chart, bars in page.bars.items():
        for bar in bars:
            assert services.leads.count(bar.query) == bar.count, (chart, bar)
    service = [b for b in page.bars[SERVICE] if b.count]
    assert service, "the rep's leads have first-touch deadlines"
    assert any(b.series == FirstTouch.MET.label for b in service)
    summary = page.summary.text()
    assert "12" in summary and "9" in summary


def test_clicking_a_bar_opens_the_leads_behind_it(
        make_window: Callable[[], MainWindow], services: Services,
        fixture_leads: dict[str, Any]) -> None:
    window = make_window()
    page = window.dashboard
    page.bar_clicked(FUNNEL, "MQL")
    assert window.pages.currentIndex() == LEADS
    assert window.leads.model.rowCount() == 3
    assert {window.leads.model.record(r).status for r in range(3)} == {LeadStatus.MQL}
    window.show_page(DASHBOARD)
    page.bar_clicked(SOURCE, "Phone")
    assert window.leads.model.rowCount() == 4
    assert window.leads.model.query.channel is Channel.PHONE
    window.show_page(DASHBOARD)
    page.bar_clicked(EVENT, "Expo Hannover")
    assert window.leads.model.rowCount() == 3
    window.show_page(DASHBOARD)
    page.bar_clicked(AGE, "8–30 days")
    assert window.leads.model.rowCount() == 3
    window.show_page(DASHBOARD)
    met = next(b for b in page.bars[SERVICE] if b.series == "Met" and b.count)
    page.bar_clicked(SERVICE, met.category, "Met")
    assert window.leads.model.rowCount() == met.count
    assert window.leads.model.query.first_touch is FirstTouch.MET


def test_refresh_follows_new_leads(make_window: Callable[[], MainWindow],
                                   services: Services, fixture_leads: dict[str, Any]) -> None:
    window = make_window()
    window.show_page(DASHBOARD)
    _lead(services, 99, status="nurture", come_back_on="2030-01-01")
    window.dashboard.refresh_button.click()
    funnel = {b.category: b.count for b in window.dashboard.bars[FUNNEL]}
    assert funnel["Nurture"] == 1 and _page_numbers(window).total == 13
    assert window.dashboard.refresh_button.isEnabled()


def test_empty_database_shows_the_way_to_demo_data(
        make_window: Callable[[], MainWindow], admin: UserRecord) -> None:
    window = make_window()
    assert window.pages.currentIndex() == LEADS  # nothing to chart yet: the empty list
    window.dashboard_action.trigger()
    assert window.pages.currentIndex() == DASHBOARD
    assert window.dashboard.is_empty
    assert "demo data" in window.dashboard.empty_text.text()
    assert window.dashboard_action.shortcut().toString() == "Ctrl+8"
    assert window.rail.item(DASHBOARD).text() == "Dashboard"


def test_bars_for_unassigned_service_level_lists_unassigned_leads() -> None:
    import datetime as dt

    from app.storage.repositories.reports import DashboardNumbers, ServiceLevelRow

    numbers = DashboardNumbers(dt.datetime(2025, 1, 1, tzinfo=dt.UTC), 1, 1, (), (), (), 0, 1,
                               (ServiceLevelRow(None, "Unassigned", 0, 1, 0),), ())
    bars = bars_for(numbers)[SERVICE]
    missed = next(b for b in bars if b.series == "Missed")
    assert missed.query == LeadQuery(unassigned=True, first_touch=FirstTouch.MISSED)
