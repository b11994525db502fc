"""The dashboard: its numbers agree with the lead list, bars open the leads behind them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtCharts import QBarSet, QHorizontalBarSeries
from PySide6.QtCore import QCoreApplication, QDate, QEvent, QPoint, QPointF, QRectF, QSettings, Qt
from PySide6.QtGui import QHelpEvent, QPalette
from PySide6.QtWidgets import QApplication, QToolTip

from app.domain.leads import Channel, FirstTouch, LeadQuery, LeadStatus
from app.domain.people import Role, UserRecord
from app.domain.tasks import TaskKind
from app.services.container import Services
from app.ui.main_window import MainWindow
from app.ui.navigation import DASHBOARD, LEADS
from app.ui.pages.dashboard import DashboardPage
from app.ui.pages.dashboard_bars import (
    AGE,
    CUSTOM,
    EVENT,
    FUNNEL,
    LAST_30,
    LAST_90,
    SERVICE,
    SOURCE,
    bars_for,
    filtered_query,
)
from app.ui.pages.dashboard_charts import ChartCard
from app.ui.style import apply_theme


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
    from app.domain.reports import DashboardNumbers, ServiceLevelRow

    numbers = DashboardNumbers(dt.datetime(2025, 1, 1, tzinfo=dt.UTC), 1, 1, (), (), (), 0, 1,
                               (ServiceLevelRow(None, "Unassigned", 0, 1, 0),), ())
    bars = bars_for(numbers)[SERVICE]
    missed = next(b for b in bars if b.series == "Missed")
    assert missed.query == LeadQuery(unassigned=True, first_touch=FirstTouch.MISSED)


# -- filters ------------------------------------------------------------------------------------
@pytest.fixture
def two_owners(services: Services, fixture_leads: dict[str, Any]) -> dict[str, Any]:
    """The fixture's leads plus a second owner with two new leads (one at the Expo)."""
    otto = services.people.add_user("Otto Owner", "otto@example.com", Role.REP)
    _lead(services, 20, event=fixture_leads["expo"].name, status="mql", owner=otto.email)
    _lead(services, 21, channel="email", owner=otto.email)
    return {**fixture_leads, "otto": otto}


def _choose(combo: Any, data: Any) -> None:
    index = combo.findData(data)
    assert index >= 0, (data, [combo.itemText(i) for i in range(combo.count())])
    combo.setCurrentIndex(index)


def _set_day(edit: Any, day: dt.date) -> None:
    edit.setDate(QDate(day.year, day.month, day.day))


def _check_every_bar(page: DashboardPage, services: Services, total: int) -> dict[str, Any]:
    """Every bar counts exactly the leads its click-through lists, and the whole is right."""
    numbers = page.numbers
    assert numbers is not None
    assert numbers.total == total, page.summary.text()
    everything = filtered_query(numbers.filters)
    assert services.leads.count(everything) == total
    assert services.leads.count(replace(everything, open_only=True)) == numbers.open
    for chart, bars in page.bars.items():
        for bar in bars:
            assert services.leads.count(bar.query) == bar.count, (chart, bar)
    assert sum(b.count for b in page.bars[FUNNEL]) == total
    assert sum(b.count for b in page.bars[SOURCE]) == total
    assert sum(b.count for b in page.bars[AGE]) == numbers.open
    return {chart: {(b.category, b.series): b.count for b in bars if b.count}
            for chart, bars in page.bars.items()}


def test_filters_narrow_every_chart_and_every_click_through(
        make_window: Callable[[], MainWindow], services: Services,
        two_owners: dict[str, Any], settings: QSettings) -> None:
    expo, fair, rita, otto = (two_owners[k] for k in ("expo", "fair", "rep", "otto"))
    window = make_window()
    page = window.dashboard
    assert window.pages.currentIndex() == DASHBOARD
    assert not page.filters.clear_button.isEnabled() and page.filter_label.isHidden()
    _check_every_bar(page, services, 14)

    # By event: the Expo's 3 old leads and Otto's new one.
    _choose(page.filters.event_filter, str(expo.id))
    seen = _check_every_bar(page, services, 4)
    assert seen[FUNNEL] == {("Won", ""): 2, ("Lost", ""): 1, ("MQL", ""): 1}
    assert seen[SOURCE] == {("Trade show", ""): 4}
    assert seen[EVENT] == {("Expo Hannover", ""): 4}
    assert page.filter_label.text() == "Expo Hannover" and page.filters.clear_button.isEnabled()
    page.bar_clicked(FUNNEL, "Won")
    assert window.pages.currentIndex() == LEADS
    assert window.leads.model.rowCount() == 2
    assert window.leads.model.query.event_id == expo.id
    window.show_page(DASHBOARD)

    # By owner, then by owner and event together.
    _choose(page.filters.event_filter, None)
    _choose(page.filters.owner_filter, str(rita.id))
    seen = _check_every_bar(page, services, 4)
    assert seen[FUNNEL] == {("Inquiry", ""): 1, ("MQL", ""): 1, ("SQL", ""): 2}
    assert seen[SOURCE] == {("Trade show", ""): 2, ("Web", ""): 1, ("Phone", ""): 1}
    assert {category for category, _series in seen[SERVICE]} == {"Rita Rep"}
    assert page.filter_label.text() == "Rita Rep"
    page.bar_clicked(SOURCE, "Web")
    assert window.leads.model.rowCount() == 1
    assert window.leads.model.query.owner_id == rita.id
    window.show_page(DASHBOARD)
    _choose(page.filters.owner_filter, str(otto.id))
    _choose(page.filters.event_filter, str(expo.id))
    seen = _check_every_bar(page, services, 1)
    assert seen[FUNNEL] == {("MQL", ""): 1}
    assert page.filter_label.text() == "Expo Hannover · Otto Owner"

    # By date: the last 30 days drop the Expo's 123-day-old leads.
    _choose(page.filters.event_filter, None)
    _choose(page.filters.owner_filter, None)
    assert page.filters.from_edit.isHidden()
    _choose(page.filters.period_filter, LAST_30)
    seen = _check_every_bar(page, services, 11)
    assert ("Won", "") not in seen[FUNNEL] and seen[SOURCE][("Email", "")] == 1
    today = services.context.clock().astimezone().date()
    assert page.filter_label.text() == f"since {(today - dt.timedelta(days=29)).isoformat()}"
    # Custom days, both inclusive: the 23- and 3-day-old leads (3 MQL on the web, 2 SQL).
    made = two_owners["leads"]
    first, last = (made[i].created_at.astimezone().date() for i in (3, 6))
    _choose(page.filters.period_filter, CUSTOM)
    assert page.filters.from_edit.isVisible() and page.filters.to_edit.isVisible()
    _set_day(page.filters.to_edit, last)
    _set_day(page.filters.from_edit, first)
    seen = _check_every_bar(page, services, 5)
    assert seen[FUNNEL] == {("MQL", ""): 3, ("SQL", ""): 2}
    assert seen[AGE] == {("0–7 days", ""): 2, ("8–30 days", ""): 3}
    assert page.filter_label.text() == f"{first.isoformat()} to {last.isoformat()}"
    page.bar_clicked(AGE, "8–30 days")
    assert window.leads.model.rowCount() == 3
    window.show_page(DASHBOARD)
    _choose(page.filters.owner_filter, str(rita.id))
    seen = _check_every_bar(page, services, 3)
    assert page.filter_label.text() == f"Rita Rep · {first.isoformat()} to {last.isoformat()}"

    # The choice is kept in the settings the window was given.
    assert settings.value("dashboard/owner") == str(rita.id)
    assert settings.value("dashboard/event") == ""
    assert settings.value("dashboard/period") == CUSTOM
    assert settings.value("dashboard/from") == first.isoformat()
    assert settings.value("dashboard/to") == last.isoformat()

    # Clear restores the whole picture.
    page.filters.clear_button.click()
    _check_every_bar(page, services, 14)
    assert page.numbers is not None and not page.numbers.is_filtered
    assert page.filter_label.isHidden() and not page.filters.clear_button.isEnabled()
    assert page.filters.from_edit.isHidden()
    assert settings.value("dashboard/owner") == "" and settings.value("dashboard/period") == "any"


def test_filters_survive_a_restart(make_window: Callable[[], MainWindow], services: Services,
                                   two_owners: dict[str, Any], settings: QSettings) -> None:
    fair, rita = two_owners["fair"], two_owners["rep"]
    window = make_window()
    page = window.dashboard
    _choose(page.filters.event_filter, str(fair.id))
    _choose(page.filters.owner_filter, str(rita.id))
    _choose(page.filters.period_filter, LAST_90)
    _check_every_bar(page, services, 2)
    expected = page.numbers.filters if page.numbers else None
    window.close()

    again = make_window()
    restored = again.dashboard
    assert again.pages.currentIndex() == DASHBOARD
    assert restored.filters.event_filter.currentData() == str(fair.id)
    assert restored.filters.owner_filter.currentData() == str(rita.id)
    assert restored.filters.period_filter.currentData() == LAST_90
    assert restored.numbers is not None and restored.numbers.filters == expected
    _check_every_bar(restored, services, 2)
    assert restored.filter_label.text().startswith("Fair Lyon · Rita Rep · since ")


def test_filters_that_match_nothing_say_so(make_window: Callable[[], MainWindow],
                                           services: Services,
                                           two_owners: dict[str, Any]) -> None:
    window = make_window()
    page = window.dashboard
    _choose(page.filters.owner_filter, str(two_owners["otto"].id))
    _choose(page.filters.event_filter, str(two_owners["fair"].id))
    assert page.is_empty
    assert "No leads match these filters (Fair Lyon · Otto Owner)" in page.empty_text.text()
    assert page.empty_clear_button.isVisible() and not page.demo_button.isVisible()
    page.empty_clear_button.click()
    assert not page.is_empty
    _check_every_bar(page, services, 14)


def test_filter_controls_are_named_and_reachable_by_keyboard(
        make_window: Callable[[], MainWindow], two_owners: dict[str, Any]) -> None:
    page = make_window().dashboard
    filters = page.filters
    controls = (filters.event_filter, filters.owner_filter, filters.period_filter,
                filters.from_edit, filters.to_edit, filters.clear_button)
    for control in controls:
        assert control.accessibleName(), control
        assert control.focusPolicy() & Qt.FocusPolicy.TabFocus, control
    assert [page.filters.period_filter.itemText(i) for i in range(page.filters.period_filter.count())] == [
        "Any time", "Last 30 days", "Last 90 days", "This year", "Custom…"]
    assert page.filters.event_filter.itemText(0) == "All events"
    assert page.filters.owner_filter.itemText(0) == "Anyone"
    assert {page.filters.owner_filter.itemText(i) for i in range(1, page.filters.owner_filter.count())} >= {
        "Rita Rep", "Otto Owner"}


# -- drawing: counts, names and room at 1024x700 ------------------------------------------------
def _settle() -> None:
    app = QCoreApplication.instance()
    assert app is not None
    app.processEvents()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    app.processEvents()


def _label_box(label: Any) -> QRectF:
    return label.mapRectToParent(label.boundingRect())


def _bars(counts: list[int]) -> QHorizontalBarSeries:
    series = QHorizontalBarSeries()
    bar_set = QBarSet("Leads")
    bar_set.append([float(c) for c in counts])
    series.append(bar_set)
    return series


def test_the_biggest_age_bar_has_room_for_its_count(qtbot: Any) -> None:
    """The band holding most open leads (1,077 of them, over 90 days) is labelled, inside the
    chart, like the others: nothing is left without its count."""
    card = ChartCard("Age of open leads", "Days since it came in.")
    qtbot.addWidget(card)
    card.resize(480, 200)
    card.show()
    bands = ["Over 90 days", "31–90 days", "8–30 days", "0–7 days"]  # bottom bar first
    counts = [1077, 197, 51, 22]
    card.plot(_bars(counts), bands, counts, [f"{b}: {c:,} leads" for b, c in zip(
        bands, counts, strict=True)])
    _settle()
    area = card.chart.plotArea()
    assert [label.text() for label in card.value_labels] == ["1,077", "197", "51", "22"]
    for row, label in enumerate(card.value_labels):
        box = _label_box(label)
        assert label.isVisible() and box.width() > 0
        assert area.left() < box.left() and box.right() <= area.right() + 0.5, (row, box, area)
        bar_end = card.chart.mapToPosition(QPointF(counts[row], row), card.series)
        assert box.left() > bar_end.x(), "the count sits past the bar's end"
        assert area.top() <= box.center().y() <= area.bottom()
    assert card.category_axis is not None
    assert card.category_axis.categories() == bands  # every band named, none cut


def test_long_event_names_are_elided_and_shown_whole_on_hover(qtbot: Any) -> None:
    card = ChartCard("Leads by event", "The 8 events with the most leads.")
    qtbot.addWidget(card)
    card.resize(520, 220)
    card.show()
    _settle()
    names = ["SPS Italia 2026", "PACK EXPO Las Vegas 2026 and Healthcare Packaging Expo"]
    card.plot(_bars([68, 114]), names, [68, 114], [f"{n}: {c:,} leads" for n, c in zip(
        names, [68, 114], strict=True)])
    _settle()
    assert card.category_axis is not None
    shown = card.category_axis.categories()
    assert shown[0] == "SPS Italia 2026"
    assert shown[1].endswith("…") and names[1].startswith(shown[1][:-1])
    area = card.chart.plotArea()
    on_name = card.view.mapFromScene(card.chart.mapToScene(
        QPointF(area.left() - 20, card.chart.mapToPosition(QPointF(0, 1), card.series).y())))
    row = card.row_at(QPointF(on_name))
    assert row == 1 and card.tips[row] == f"{names[1]}: 114 leads"
    hover = QHelpEvent(QEvent.Type.ToolTip, on_name, card.view.viewport().mapToGlobal(on_name))
    QCoreApplication.sendEvent(card.view.viewport(), hover)
    assert QToolTip.text() == f"{names[1]}: 114 leads"
    QToolTip.hideText()
    assert card.row_at(QPointF(card.view.width() - 1, 1)) is None  # beside the bars: nothing


def test_at_1024_by_700_the_cards_stack_and_none_is_cut(
        make_window: Callable[[], MainWindow], fixture_leads: dict[str, Any]) -> None:
    window = make_window()
    window.resize(1024, 700)
    window.show_page(DASHBOARD)
    _settle()
    page = window.dashboard
    assert page.columns == 1
    for key, card in page.cards.items():
        viewport = card.parentWidget()
        assert viewport is not None
        right = card.mapTo(viewport, QPoint(card.width(), 0)).x()
        assert right <= viewport.width(), key
        assert card.hint.width() + card.hint.x() <= card.width(), key
        assert len(card.value_labels) == len(card.totals) == len(card.categories), key
    window.resize(1360, 820)
    _settle()
    assert page.columns == 2


def test_charts_follow_a_theme_switch_while_shown(
        make_window: Callable[[], MainWindow], fixture_leads: dict[str, Any]) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    style, palette = app.style().name(), QPalette(app.palette())
    try:
        apply_theme(app, "light")
        window = make_window()
        window.show_page(DASHBOARD)
        _settle()
        apply_theme(app, "dark")  # from Settings, the dashboard staying in view
        _settle()
        dark = app.palette()
        for key, card in window.dashboard.cards.items():
            assert card.chart.backgroundBrush().color() == dark.color(QPalette.ColorRole.Window)
            for label in card.value_labels:
                assert label.brush().color() == dark.color(QPalette.ColorRole.WindowText), key
    finally:
        app.styleHints().setColorScheme(Qt.ColorScheme.Unknown)
        app.setPalette(palette)
        app.setStyle(style)
