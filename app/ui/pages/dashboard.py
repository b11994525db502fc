"""Dashboard: charts first, numbers second, and every bar opens the leads behind it.

The numbers are SQL aggregates (ReportService.dashboard) read on the runner; each bar keeps
the LeadQuery that lists exactly the leads it counts, so a click opens the Leads page on them.
The filter row (event, owner, when the lead was created) narrows every chart and every bar's
list alike; the choice is kept on this laptop (local_settings.Dashboard).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.leads import LeadQuery, LeadStatus
from app.domain.reports import ReportFilters
from app.services.container import Services
from app.services.report_service import DashboardNumbers
from app.ui.local_settings import Dashboard, LocalSettings
from app.ui.pages.dashboard_bars import (
    AGE,
    ANY_TIME,
    CUSTOM,
    EVENT,
    FUNNEL,
    SERVICE,
    SOURCE,
    Bar,
    bars_for,
    describe_days,
    percent,
    period_days,
    report_filters,
    revenue_lines,
    share_lines,
)
from app.ui.pages.dashboard_charts import ChartCard, funnel_lines, plot_bars, plot_service
from app.ui.pages.dashboard_conversion import ConversionCard
from app.ui.pages.dashboard_filters import FilterRow
from app.ui.style import ACCENT, make_heading, set_tone
from app.ui.wording import noun_for
from app.ui.workers import JobState, TaskRunner


class DashboardPage(QWidget):
    """``open_list(query)`` shows the leads behind a bar; ``on_demo``/``on_import`` fill an
    empty database. ``settings`` keeps the filters (without it, the window's ``settings``)."""

    def __init__(self, services: Services, runner: TaskRunner,
                 open_list: Callable[[LeadQuery], None], on_demo: Callable[[], None],
                 on_import: Callable[[], None], parent: QWidget | None = None, *,
                 settings: QSettings | None = None) -> None:
        super().__init__(parent)
        self.services, self.runner, self.open_list = services, runner, open_list
        self.numbers: DashboardNumbers | None = None
        self.bars: dict[str, list[Bar]] = {}
        self._job: JobState | None = None
        self._generation = 0
        self._local = None if settings is None else LocalSettings(settings)
        self._restored = False  # the saved filters are applied at the first refresh
        self._quiet = False  # filling or resetting the filters: no refresh per change

        top = QHBoxLayout()
        title = make_heading(QLabel("Dashboard"), 16)
        self.filter_label = make_heading(QLabel(), 11)
        self.filter_label.setObjectName("dashboardFilterText")
        self.filter_label.setAccessibleName("Dashboard filters in use")
        # The link colour: it stands out like the highlight did, and reads on either theme
        # (the highlight colour is a background, under 3:1 as text).
        set_tone(self.filter_label, ACCENT)
        self.summary = QLabel()
        self.summary.setObjectName("dashboardSummary")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        for label in (self.filter_label, self.summary):  # long names wrap, never widen
            label.setWordWrap(True)
        self.refresh_button = QPushButton("&Refresh")
        self.refresh_button.setToolTip("Count the leads again")
        self.refresh_button.clicked.connect(self.refresh)
        top.addWidget(title)
        top.addSpacing(12)
        top.addWidget(self.filter_label)
        self.filter_label.hide()
        top.addSpacing(12)
        top.addWidget(self.summary, 1)
        top.addWidget(self.refresh_button)
        self.filters = FilterRow(self._today())
        self.filters.clear_button.clicked.connect(self.clear_filters)
        self.filters.event_filter.currentIndexChanged.connect(self._filters_changed)
        self.filters.owner_filter.currentIndexChanged.connect(self._filters_changed)
        self.filters.period_filter.currentIndexChanged.connect(self._filters_changed)
        self.filters.from_edit.dateChanged.connect(self._from_changed)
        self.filters.to_edit.dateChanged.connect(self._filters_changed)
        self._show_custom_dates()

        self.cards = {
            FUNNEL: ChartCard("Funnel", "Leads by status. Click any bar for its leads."),
            SERVICE: ChartCard("First-touch service level",
                               "Per owner: in time, late, or still within the deadline."),
            SOURCE: ChartCard("Leads by source", "How the leads reached us (channel)."),
            EVENT: ChartCard("Leads by event", "The 8 events with the most leads."),
            AGE: ChartCard("Age of open leads", "Days since it came in."),
        }
        self.conversion = ConversionCard()
        grid_widget = QWidget()
        self.grid = QGridLayout(grid_widget)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setSpacing(8)
        self.columns = 0
        self._lay_out_cards(2)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(grid_widget)

        self.empty = QWidget()
        empty_layout = QVBoxLayout(self.empty)
        empty_layout.addStretch(1)
        self.empty_text = QLabel("No leads yet, so there is nothing to chart. Load demo data to "
                                 "see the dashboard at work, or import a lead export (Ctrl+I).")
        self.empty_text.setObjectName("dashboardEmpty")
        self.empty_text.setWordWrap(True)
        self.empty_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        empty_layout.addWidget(self.empty_text)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.demo_button = QPushButton("Load demo data")
        self.demo_button.clicked.connect(on_demo)
        self.import_button = QPushButton("Import leads…")
        self.import_button.clicked.connect(on_import)
        self.empty_clear_button = QPushButton("Clear the filters")
        self.empty_clear_button.setAccessibleName("Clear the dashboard filters")
        self.empty_clear_button.clicked.connect(self.clear_filters)
        buttons.addWidget(self.demo_button)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.empty_clear_button)
        self.empty_clear_button.hide()
        buttons.addStretch(1)
        empty_layout.addLayout(buttons)
        empty_layout.addStretch(2)

        self.stack = QStackedWidget()
        self.loading = QLabel("Counting leads…")
        self.loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.loading)
        self.stack.addWidget(scroll)
        self.stack.addWidget(self.empty)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addLayout(self.filters.layout)
        layout.addWidget(self.stack, 1)

    def _lay_out_cards(self, columns: int) -> None:
        """Two columns of cards where they fit side by side, else one below the other (at
        1024 pixels), so no card is ever cut at the window's edge."""
        if columns == self.columns:
            return
        self.columns = columns
        cards = [*(self.cards[key] for key in (FUNNEL, SERVICE, SOURCE, EVENT, AGE)),
                 self.conversion]
        for card in cards:
            self.grid.removeWidget(card)
        for i, card in enumerate(cards):
            self.grid.addWidget(card, i // columns, i % columns)
        for column in range(2):
            self.grid.setColumnStretch(column, 1 if column < columns else 0)
        # The funnel's ten bars and the events' lines need the height; the age chart's four
        # bars do with less.
        stretches = (6, 6, 5) if columns == 2 else (6, 5, 4, 5, 3, 5)
        for row in range(6):
            self.grid.setRowStretch(row, stretches[row] if row < len(stretches) else 0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        card = max(c.minimumSizeHint().width() for c in self.cards.values())
        room = event.size().width() - 40  # the page's margins and the scroll bar
        self._lay_out_cards(2 if room >= 2 * card + self.grid.spacing() else 1)

    @property
    def is_filtered(self) -> bool:
        return (self.filters.event_filter.currentData() is not None
                or self.filters.owner_filter.currentData() is not None
                or self.filters.period_filter.currentData() != ANY_TIME)

    @property
    def is_empty(self) -> bool:
        return self.stack.currentWidget() is self.empty

    # -- filters ------------------------------------------------------------------------------
    def _today(self) -> dt.date:
        return self.services.context.clock().astimezone().date()


    def filter_days(self) -> tuple[dt.date | None, dt.date | None]:
        """The first and last day of "Created", both inclusive (None: open)."""
        return period_days(str(self.filters.period_filter.currentData()), self._today(),
                           self.filters.from_edit.date().toPython(), self.filters.to_edit.date().toPython())

    def current_filters(self) -> ReportFilters:
        event, owner = self.filters.event_filter.currentData(), self.filters.owner_filter.currentData()
        return report_filters(uuid.UUID(event) if event else None,
                              uuid.UUID(owner) if owner else None, *self.filter_days())

    def filter_description(self) -> str:
        """What is filtered, in words: "Expo Alpha · Anna Weber · since 2026-10-01"."""
        words = [combo.currentText() for combo in (self.filters.event_filter, self.filters.owner_filter)
                 if combo.currentData() is not None]
        days = describe_days(*self.filter_days())
        return " · ".join([*words, *([days] if days else [])])

    def reload_choices(self) -> None:
        """Refill the event and owner filters, keeping the choice (saved at the first call)."""
        store = self._local  # None: the filters are not remembered (e.g. in a test)
        restore = not self._restored and store is not None
        wanted_event = (store.get(Dashboard.EVENT) if restore and store
                        else self.filters.event_filter.currentData())
        wanted_owner = (store.get(Dashboard.OWNER) if restore and store
                        else self.filters.owner_filter.currentData())
        self._quiet = True
        try:
            self.filters.event_filter.clear()
            self.filters.event_filter.addItem("All events", None)
            for event in self.services.events.events():
                self.filters.event_filter.addItem(event.name, str(event.id))
            self.filters.owner_filter.clear()
            self.filters.owner_filter.addItem("Anyone", None)
            for user in self.services.people.users():
                self.filters.owner_filter.addItem(user.name, str(user.id))
            for combo, data in ((self.filters.event_filter, wanted_event),
                                (self.filters.owner_filter, wanted_owner)):
                combo.setCurrentIndex(max(combo.findData(data), 0) if data else 0)
            if restore and store is not None:
                self.filters.restore_days(store)
        finally:
            self._quiet = False
        self._restored = self._restored or store is not None
        self._show_custom_dates()

    def save_filters(self) -> None:
        if self._local is not None:
            self.filters.remember(self._local)

    def clear_filters(self) -> None:
        """Every lead again: all events, anyone, any time."""
        self._quiet = True
        try:
            for combo in (self.filters.event_filter, self.filters.owner_filter,
                          self.filters.period_filter):
                combo.setCurrentIndex(0)
        finally:
            self._quiet = False
        self._filters_changed()

    def _from_changed(self) -> None:
        # Keep the range the right way round: the end follows a start moved past it.
        self.filters.to_edit.setMinimumDate(self.filters.from_edit.date())
        self._filters_changed()

    def _show_custom_dates(self) -> None:
        custom = self.filters.period_filter.currentData() == CUSTOM
        for widget in self.filters.custom_days:
            widget.setVisible(custom)
        self.filters.clear_button.setEnabled(self.is_filtered)

    def _filters_changed(self) -> None:
        if self._quiet:
            return
        self._show_custom_dates()
        self.save_filters()
        self.refresh()

    # -- data ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the numbers on the runner; the charts follow when they arrive."""
        if self._job is not None:
            self._job.cancel()
        self.reload_choices()
        if self.numbers is None:
            self.stack.setCurrentIndex(0)
        self.refresh_button.setEnabled(False)
        reports = self.services.reports
        filters, description = self.current_filters(), self.filter_description()
        self._generation += 1
        generation = self._generation

        def work(state: JobState) -> DashboardNumbers | None:
            return None if state.cancelled else reports.dashboard(filters)

        def done(numbers: DashboardNumbers | None) -> None:
            if generation != self._generation:
                return  # a newer refresh is on its way, or the window closed
            self._job = None
            self.refresh_button.setEnabled(True)
            if numbers is not None:
                self.show_numbers(numbers, description)
                if numbers.total:
                    self.conversion.count(self.runner, self.services.attribution, filters,
                                          lambda: generation == self._generation)

        def failed(error: Exception, _details: str) -> None:
            if generation != self._generation:
                return
            self._job = None
            self.refresh_button.setEnabled(True)
            self.summary.setText(f"The numbers could not be read: {error}")

        job = self.runner.start(work, on_done=done, on_error=failed)
        if generation == self._generation and not self.refresh_button.isEnabled():
            self._job = job

    def stop_background_work(self) -> None:
        if self._job is not None:
            self._job.cancel()
        self._job = None
        self.conversion.stop()
        self._generation += 1

    def show_numbers(self, numbers: DashboardNumbers, description: str = "") -> None:
        """Chart ``numbers``; ``description`` says in words which filters they were read with."""
        self.numbers = numbers
        self.bars = bars_for(numbers)
        self.filter_label.setText(description if numbers.is_filtered else "")
        self.filter_label.setVisible(numbers.is_filtered)
        # One line as a rule; only very long names wrap rather than widen the window.
        width = self.filter_label.fontMetrics().horizontalAdvance(description) + 8
        self.filter_label.setMinimumWidth(min(width, 360))
        if numbers.total == 0:
            self.summary.setText("")
            filtered = numbers.is_filtered
            self.empty_text.setText(
                f"No leads match these filters ({description}). Choose another event, owner "
                "or time, or clear the filters." if filtered else
                "No leads yet, so there is nothing to chart. Load demo data to see the "
                "dashboard at work, or import a lead export (Ctrl+I).")
            self.demo_button.setVisible(not filtered)
            self.import_button.setVisible(not filtered)
            self.empty_clear_button.setVisible(filtered)
            self.stack.setCurrentWidget(self.empty)
            return
        self.stack.setCurrentIndex(1)
        won = dict(numbers.by_status).get(LeadStatus.WON, 0)
        self.summary.setText(
            f"<b>{numbers.total:,}</b> {noun_for(numbers.total, 'lead')} · "
            f"<b>{numbers.open:,}</b> open · "
            f"<b>{won:,}</b> won ({percent(won, numbers.total)}) · as of "
            f"{numbers.now.astimezone():%Y-%m-%d %H:%M}")
        plot_bars(self.cards[FUNNEL], self.bars[FUNNEL], self._opener(FUNNEL),
                  numbers=funnel_lines(numbers))
        plot_bars(self.cards[SOURCE], self.bars[SOURCE], self._opener(SOURCE),
                  numbers=share_lines(self.bars[SOURCE], numbers.total)
                  + revenue_lines(numbers, SOURCE))
        extra = []
        if numbers.other_events:
            extra.append(f"Other events: {numbers.other_events:,}")
        if numbers.filters.event_id is None:  # one event chosen: no other lines to show
            extra.append(f"No event: {numbers.no_event:,}")
        plot_bars(self.cards[EVENT], self.bars[EVENT], self._opener(EVENT),
                  numbers=share_lines(self.bars[EVENT], numbers.total) + extra
                  + revenue_lines(numbers, EVENT),
                  empty="No leads came from an event yet.")
        plot_service(self.cards[SERVICE], numbers,
                     lambda category, series: self.bar_clicked(SERVICE, category, series))
        plot_bars(self.cards[AGE], self.bars[AGE], self._opener(AGE),
                  numbers=[f"Open leads: <b>{numbers.open:,}</b>",
                           *share_lines(self.bars[AGE], numbers.open)])

    # -- click-through ------------------------------------------------------------------------
    def query_for(self, chart: str, category: str, series: str = "") -> LeadQuery | None:
        for bar in self.bars.get(chart, []):
            if bar.category == category and bar.series == series:
                return bar.query
        return None

    def bar_clicked(self, chart: str, category: str, series: str = "") -> None:
        """Open the leads behind one bar (the charts' click handler; tests call it)."""
        query = self.query_for(chart, category, series)
        if query is not None:
            self.open_list(query)

    def _opener(self, chart: str) -> Callable[[str], None]:
        return lambda category: self.bar_clicked(chart, category)
