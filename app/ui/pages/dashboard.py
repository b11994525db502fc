"""Dashboard: charts first, numbers second, and every bar opens the leads behind it.

The numbers are SQL aggregates (ReportService.dashboard) read on the runner; each bar keeps
the LeadQuery that lists exactly the leads it counts, so a click opens the Leads page on them.
The filter row (event, owner, when the lead was created) narrows every chart and every bar's
list alike; the choice is kept in QSettings under "dashboard/".
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCharts import (
    QAbstractBarSeries,
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QHorizontalStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QDate, QEvent, QLocale, QMargins, QObject, QPointF, QSettings, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QPainter,
    QPalette,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFrame,
    QGraphicsSimpleTextItem,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from app.domain.leads import FirstTouch, LeadQuery, LeadStatus
from app.domain.reports import ReportFilters
from app.services.container import Services
from app.services.report_service import DashboardNumbers
from app.ui.form_rows import let_combo_shrink
from app.ui.style import ACCENT, SECONDARY, make_heading, set_tone
from app.ui.wording import counted, noun_for
from app.ui.workers import JobState, TaskRunner

FUNNEL, SOURCE, EVENT, SERVICE, AGE = "funnel", "source", "event", "service", "age"
# Mid-tone colours that read on light and dark backgrounds alike.
MET, MISSED, PENDING = QColor("#43a047"), QColor("#e53935"), QColor("#fb8c00")
_STATE_COLOURS = {FirstTouch.MET: MET, FirstTouch.MISSED: MISSED, FirstTouch.PENDING: PENDING}

# "Created" choices: (key kept in QSettings, label). Relative ones stay relative to today.
ANY_TIME, LAST_30, LAST_90, THIS_YEAR, CUSTOM = "any", "last30", "last90", "year", "custom"
PERIODS = ((ANY_TIME, "Any time"), (LAST_30, "Last 30 days"), (LAST_90, "Last 90 days"),
           (THIS_YEAR, "This year"), (CUSTOM, "Custom…"))
SETTINGS_EVENT, SETTINGS_OWNER = "dashboard/event", "dashboard/owner"
SETTINGS_PERIOD, SETTINGS_FROM, SETTINGS_TO = "dashboard/period", "dashboard/from", "dashboard/to"


@dataclass(frozen=True)
class Bar:
    """One clickable bar: its label, its count and the list behind it."""

    category: str
    count: int
    query: LeadQuery
    series: str = ""


def _round_step(rough: float) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50… that is at least ``rough``."""
    power = 10 ** max(math.floor(math.log10(max(rough, 1.0))), 0)
    return next(power * m for m in (1, 2, 5, 10) if power * m >= rough)


def _swatch(colour: QColor) -> str:
    return f'<span style="color:{colour.name()}">■</span>'


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "–"


def period_days(period: str, today: dt.date, custom_from: dt.date, custom_to: dt.date
                ) -> tuple[dt.date | None, dt.date | None]:
    """The first and last day (both inclusive, None: open) a "Created" choice stands for."""
    if period == LAST_30:
        return today - dt.timedelta(days=29), None
    if period == LAST_90:
        return today - dt.timedelta(days=89), None
    if period == THIS_YEAR:
        return dt.date(today.year, 1, 1), None
    if period == CUSTOM:
        return custom_from, custom_to
    return None, None


def _day_start(day: dt.date | None) -> dt.datetime | None:
    """Midnight at the start of ``day`` on this computer's clock, in UTC."""
    if day is None:
        return None
    return dt.datetime.combine(day, dt.time()).astimezone().astimezone(dt.UTC)


def report_filters(event_id: uuid.UUID | None, owner_id: uuid.UUID | None,
                   first_day: dt.date | None, last_day: dt.date | None) -> ReportFilters:
    """The dashboard's filters: days are calendar days on this computer, both inclusive."""
    return ReportFilters(event_id, owner_id, _day_start(first_day),
                         _day_start(last_day + dt.timedelta(days=1)) if last_day else None)


def describe_days(first_day: dt.date | None, last_day: dt.date | None) -> str:
    if first_day and last_day:
        return (f"created {first_day.isoformat()}" if first_day == last_day
                else f"{first_day.isoformat()} to {last_day.isoformat()}")
    if first_day:
        return f"since {first_day.isoformat()}"
    return f"until {last_day.isoformat()}" if last_day else ""


def filtered_query(filters: ReportFilters, **fields: Any) -> LeadQuery:
    """The Leads list's query for the dashboard's filters plus a bar's own condition."""
    base = LeadQuery(event_id=filters.event_id, owner_id=filters.owner_id,
                     created_since=filters.created_from, created_before=filters.created_before)
    return replace(base, **fields)


def _later(a: dt.datetime | None, b: dt.datetime | None) -> dt.datetime | None:
    return b if a is None else a if b is None else max(a, b)


def _earlier(a: dt.datetime | None, b: dt.datetime | None) -> dt.datetime | None:
    return b if a is None else a if b is None else min(a, b)


def bars_for(numbers: DashboardNumbers) -> dict[str, list[Bar]]:
    """Every chart's bars, with the LeadQuery each one opens (pure: tests call it too).

    Each query carries the filters the numbers were counted with, so the list shows exactly
    the leads a bar counts."""
    f = numbers.filters
    funnel = [Bar(s.label, n, filtered_query(f, statuses=(s,))) for s, n in numbers.by_status]
    source = [Bar(c.label, n, filtered_query(f, channel=c)) for c, n in numbers.by_channel]
    event = [Bar(e.name, e.leads, filtered_query(f, event_id=e.event_id))
             for e in numbers.by_event]
    service: list[Bar] = []
    for row in numbers.service_levels:
        for state, count in ((FirstTouch.MET, row.met), (FirstTouch.MISSED, row.missed),
                             (FirstTouch.PENDING, row.pending)):
            if row.owner_id is not None:
                query = filtered_query(f, owner_id=row.owner_id, first_touch=state)
            else:
                query = filtered_query(f, owner_id=None, unassigned=True, first_touch=state)
            service.append(Bar(row.name, count, query, state.label))
    age = [Bar(band.label, band.leads, filtered_query(
        f, open_only=True, created_since=_later(band.since, f.created_from),
        created_before=_earlier(band.before, f.created_before))) for band in numbers.ages]
    return {FUNNEL: funnel, SOURCE: source, EVENT: event, SERVICE: service, AGE: age}


class ChartCard(QFrame):
    """A titled chart of horizontal bars with its numbers beside it.

    Every bar carries its count at its end, with room kept for it however big the bar; names
    too long for the axis are elided to the room there is, and the pointer over a bar or its
    name shows the whole name and count."""

    LABEL_GAP = 4  # pixels between a bar's end and its count

    def __init__(self, title: str, hint: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("dashboardCard")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(2)
        self.heading = make_heading(QLabel(title), 12)
        self.hint = QLabel(hint)
        self.hint.setWordWrap(True)  # wraps under a narrow card instead of being cut
        set_tone(self.hint, SECONDARY)
        self.chart = QChart()
        self.chart.legend().hide()
        self.chart.setMargins(QMargins(0, 0, 0, 0))
        self.chart.setBackgroundRoundness(0)
        self.chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        # Axis numbers grouped like every other count in the app: "1,500", not "1500".
        self.chart.setLocalizeNumbers(True)
        self.chart.setLocale(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        self.view = QChartView(self.chart)
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setMinimumSize(300, 120)
        self.view.setAccessibleName(title)
        self.view.viewport().installEventFilter(self)
        self.numbers = QLabel()
        self.numbers.setObjectName("dashboardNumbers")
        self.numbers.setTextFormat(Qt.TextFormat.RichText)
        self.numbers.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.numbers.setMinimumWidth(160)
        self.numbers.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.view, 5)
        row.addWidget(self.numbers, 2)
        top = QHBoxLayout()
        top.addWidget(self.heading, 0, Qt.AlignmentFlag.AlignTop)
        top.addSpacing(8)
        top.addWidget(self.hint, 1)
        layout.addLayout(top)
        layout.addLayout(row, 1)
        # What is drawn, bottom bar first (Qt Charts counts categories from the bottom).
        self.categories: list[str] = []
        self.totals: list[int] = []
        self.tips: list[str] = []
        self.series: QAbstractBarSeries | None = None
        self.category_axis: QBarCategoryAxis | None = None
        self.value_axis: QValueAxis | None = None
        self.value_labels: list[QGraphicsSimpleTextItem] = []
        self.highlight = False
        self.chart.plotAreaChanged.connect(lambda _area: self.place_value_labels())

    def plot(self, series: QAbstractBarSeries, categories: Sequence[str], totals: Sequence[int],
             tips: Sequence[str], *, highlight: bool = False) -> None:
        """Draw ``series`` (horizontal bars) over ``categories``, bottom first; ``totals`` are
        the counts written at the bars' ends, ``tips`` what the pointer shows over each.
        ``highlight``: the bars take the theme's highlight colour (else their own)."""
        self.clear()
        self.highlight = highlight
        if not categories:
            self.style_chart()
            return  # nothing to draw: the numbers beside the chart say so
        self.categories, self.totals, self.tips = list(categories), list(totals), list(tips)
        self.series = series
        # A lone bar stays a bar, not a block filling the whole chart.
        series.setBarWidth(0.7 * min(len(self.categories), 4) / 4)
        self.chart.addSeries(series)
        font = self.axis_font()
        self.category_axis = QBarCategoryAxis()
        self.category_axis.append(self._shown_categories())
        self.category_axis.setLabelsFont(font)
        self.category_axis.setGridLineVisible(False)
        self.category_axis.setTruncateLabels(False)  # elided to fit by _shown_categories
        self.value_axis = QValueAxis()
        self.value_axis.setLabelFormat("%.0f")  # "%d" prints nothing once localised
        self.value_axis.setLabelsFont(font)
        self.value_axis.setMinorTickCount(0)
        self._set_value_range(max(self.totals, default=0) * 1.15)
        self.chart.addAxis(self.category_axis, Qt.AlignmentFlag.AlignLeft)
        self.chart.addAxis(self.value_axis, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(self.category_axis)
        series.attachAxis(self.value_axis)
        for total in self.totals:
            label = QGraphicsSimpleTextItem(f"{total:,}", self.chart)
            label.setFont(font)
            label.setZValue(10)  # over the bars and the grid
            self.value_labels.append(label)
        # Every name gets a line of its own: Qt Charts drops names that would overlap.
        metrics = QFontMetrics(font)
        self.view.setMinimumHeight(len(self.categories) * (metrics.height() + 4)
                                   + 2 * metrics.height() + 12)
        self.style_chart()
        self.place_value_labels()

    def clear(self) -> None:
        for label in self.value_labels:
            label.setParentItem(None)
            scene = label.scene()
            if scene is not None:
                scene.removeItem(label)
        self.value_labels = []
        self.chart.removeAllSeries()
        for axis in self.chart.axes():
            self.chart.removeAxis(axis)
        self.series = self.category_axis = self.value_axis = None
        self.categories, self.totals, self.tips = [], [], []

    def axis_font(self) -> QFont:
        font = QFont(self.font())
        font.setPointSizeF(max(font.pointSizeF() - 1, 7))
        return font

    def _set_value_range(self, maximum: float) -> None:
        """0 to at least ``maximum`` in whole, round steps (1, 2 or 5 times a power of ten):
        a count axis never reads "0, 0, 1, 1"."""
        assert self.value_axis is not None
        step = _round_step(max(maximum, 1.0) / 4)
        self.value_axis.setTickType(QValueAxis.TickType.TicksDynamic)
        self.value_axis.setTickAnchor(0)
        self.value_axis.setTickInterval(step)
        self.value_axis.setRange(0, step * max(math.ceil(maximum / step), 1))

    def _shown_categories(self) -> list[str]:
        """The names as the axis has room for them: elided, and unique as Qt Charts needs."""
        metrics = QFontMetrics(self.axis_font())
        room = max(60, int(self.view.width() * 0.34))
        shown: list[str] = []
        for name in self.categories:
            short = metrics.elidedText(name, Qt.TextElideMode.ElideRight, room)
            while short in shown:
                short += " "
            shown.append(short)
        return shown

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.category_axis is not None:
            shown = self._shown_categories()
            if shown != self.category_axis.categories():
                self.category_axis.setCategories(shown)

    def place_value_labels(self) -> None:
        """Put each count just past its bar's end; widen the value axis when the biggest
        bar's count would not fit inside the chart."""
        if self.series is None or self.value_axis is None or not self.value_labels:
            return
        area = self.chart.plotArea()
        if area.width() <= 0:
            return  # not laid out yet; plotAreaChanged calls again
        for _attempt in range(3):
            needed = self.value_axis.max()
            for total, label in zip(self.totals, self.value_labels, strict=True):
                room = area.width() - label.boundingRect().width() - 2 * self.LABEL_GAP
                if room > 0 and total:
                    needed = max(needed, total * area.width() / room)
            if needed <= self.value_axis.max():
                break
            self._set_value_range(needed)
        for row, (total, label) in enumerate(zip(self.totals, self.value_labels, strict=True)):
            end = self.chart.mapToPosition(QPointF(total, row), self.series)
            size = label.boundingRect()
            label.setPos(end.x() + self.LABEL_GAP, end.y() - size.height() / 2)

    def style_chart(self) -> None:
        """Follow the window's palette (light or dark) rather than Qt Charts' own theme."""
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.WindowText)
        self.chart.setBackgroundBrush(QBrush(palette.color(QPalette.ColorRole.Window)))
        self.chart.setBackgroundPen(QPen(Qt.PenStyle.NoPen))
        self.chart.setPlotAreaBackgroundVisible(False)
        self.chart.legend().setLabelColor(text)
        grid = palette.color(QPalette.ColorRole.Mid)
        for axis in self.chart.axes():
            axis.setLabelsColor(text)
            axis.setLinePenColor(grid)
            axis.setGridLineColor(grid)
            axis.setShadesVisible(False)
        for label in self.value_labels:
            label.setBrush(QBrush(text))
        if self.highlight and self.series is not None:
            for bar_set in self.series.barSets():
                bar_set.setColor(palette.color(QPalette.ColorRole.Highlight))
                bar_set.setBorderColor(palette.color(QPalette.ColorRole.Highlight))

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self.style_chart()  # the theme was switched: redraw in its colours

    def row_at(self, position: QPointF) -> int | None:
        """The bar (bottom first) whose line holds ``position`` (view coordinates), whether
        over the bar itself or its name; None between and outside the bars."""
        if self.series is None or not self.categories:
            return None
        point = self.chart.mapFromScene(self.view.mapToScene(position.toPoint()))
        area = self.chart.plotArea()
        if not area.top() <= point.y() <= area.bottom() or point.x() > area.right():
            return None
        row = round(self.chart.mapToValue(point, self.series).y())
        return row if 0 <= row < len(self.categories) else None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.view.viewport() and event.type() == QEvent.Type.ToolTip:
            assert isinstance(event, QHelpEvent)
            row = self.row_at(QPointF(event.pos()))
            if row is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(event.globalPos(), self.tips[row], self.view)
            return True
        return super().eventFilter(watched, event)


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
        self._settings = settings
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
        filter_row = self._build_filters()

        self.cards = {
            FUNNEL: ChartCard("Funnel", "Leads by status. Click any bar for its leads."),
            SERVICE: ChartCard("First-touch service level",
                               "Per owner: in time, late, or still within the deadline."),
            SOURCE: ChartCard("Leads by source", "How the leads reached us (channel)."),
            EVENT: ChartCard("Leads by event", "The 8 events with the most leads."),
            AGE: ChartCard("Age of open leads", "Days since it came in."),
        }
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
        layout.addLayout(filter_row)
        layout.addWidget(self.stack, 1)

    def _lay_out_cards(self, columns: int) -> None:
        """Two columns of cards where they fit side by side, else one below the other (at
        1024 pixels), so no card is ever cut at the window's edge."""
        if columns == self.columns:
            return
        self.columns = columns
        for card in self.cards.values():
            self.grid.removeWidget(card)
        for i, key in enumerate((FUNNEL, SERVICE, SOURCE, EVENT, AGE)):
            self.grid.addWidget(self.cards[key], i // columns, i % columns)
        for column in range(2):
            self.grid.setColumnStretch(column, 1 if column < columns else 0)
        # The funnel's ten bars and the events' lines need the height; the age chart's four
        # bars do with less.
        stretches = (6, 6, 4) if columns == 2 else (6, 5, 4, 5, 3)
        for row in range(5):
            self.grid.setRowStretch(row, stretches[row] if row < len(stretches) else 0)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        card = max(c.minimumSizeHint().width() for c in self.cards.values())
        room = event.size().width() - 40  # the page's margins and the scroll bar
        self._lay_out_cards(2 if room >= 2 * card + self.grid.spacing() else 1)

    def _build_filters(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.setSpacing(6)
        self.event_filter = QComboBox()
        self.event_filter.setObjectName("dashboardEventFilter")
        self.event_filter.setAccessibleName("Dashboard event filter")
        self.event_filter.setToolTip("Count only the leads from this event")
        self.event_filter.addItem("All events", None)
        let_combo_shrink(self.event_filter, 14)
        self.owner_filter = QComboBox()
        self.owner_filter.setObjectName("dashboardOwnerFilter")
        self.owner_filter.setAccessibleName("Dashboard owner filter")
        self.owner_filter.setToolTip("Count only the leads this person owns")
        self.owner_filter.addItem("Anyone", None)
        let_combo_shrink(self.owner_filter, 12)
        self.period_filter = QComboBox()
        self.period_filter.setObjectName("dashboardPeriodFilter")
        self.period_filter.setAccessibleName("Dashboard created filter")
        self.period_filter.setToolTip("Count only the leads that came in during this time")
        for key, label in PERIODS:
            self.period_filter.addItem(label, key)
        today = self._today()
        self.from_edit = self._date_edit("Created from", today - dt.timedelta(days=29))
        self.to_edit = self._date_edit("Created to", today)
        self.to_edit.setMinimumDate(self.from_edit.date())
        self.clear_button = QPushButton("Cle&ar")
        self.clear_button.setAccessibleName("Clear the dashboard filters")
        self.clear_button.setToolTip("Show every lead again")
        self.clear_button.clicked.connect(self.clear_filters)
        labels = (("Eve&nt:", self.event_filter), ("&Owner:", self.owner_filter),
                  ("&Created:", self.period_filter))
        for text, widget in labels:
            label = QLabel(text)
            label.setBuddy(widget)
            row.addWidget(label)
            row.addWidget(widget)
            row.addSpacing(10)
        self.from_label = QLabel("fro&m")
        self.from_label.setBuddy(self.from_edit)
        self.to_label = QLabel("&to")
        self.to_label.setBuddy(self.to_edit)
        for widget in (self.from_label, self.from_edit, self.to_label, self.to_edit):
            row.addWidget(widget)
        row.addSpacing(10)
        row.addWidget(self.clear_button)
        row.addStretch(1)
        self.event_filter.currentIndexChanged.connect(self._filters_changed)
        self.owner_filter.currentIndexChanged.connect(self._filters_changed)
        self.period_filter.currentIndexChanged.connect(self._filters_changed)
        self.from_edit.dateChanged.connect(self._from_changed)
        self.to_edit.dateChanged.connect(self._filters_changed)
        self._show_custom_dates()
        return row

    def _date_edit(self, name: str, day: dt.date) -> QDateEdit:
        edit = QDateEdit(QDate(day.year, day.month, day.day))
        edit.setAccessibleName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        return edit

    @property
    def is_filtered(self) -> bool:
        return (self.event_filter.currentData() is not None
                or self.owner_filter.currentData() is not None
                or self.period_filter.currentData() != ANY_TIME)

    @property
    def is_empty(self) -> bool:
        return self.stack.currentWidget() is self.empty

    # -- filters ------------------------------------------------------------------------------
    def _today(self) -> dt.date:
        return self.services.context.clock().astimezone().date()

    def _settings_store(self) -> QSettings | None:
        """Where the chosen filters are remembered (none: not remembered, e.g. in a test)."""
        return self._settings

    def filter_days(self) -> tuple[dt.date | None, dt.date | None]:
        """The first and last day of "Created", both inclusive (None: open)."""
        return period_days(str(self.period_filter.currentData()), self._today(),
                           self.from_edit.date().toPython(), self.to_edit.date().toPython())

    def current_filters(self) -> ReportFilters:
        event, owner = self.event_filter.currentData(), self.owner_filter.currentData()
        return report_filters(uuid.UUID(event) if event else None,
                              uuid.UUID(owner) if owner else None, *self.filter_days())

    def filter_description(self) -> str:
        """What is filtered, in words: "Expo Alpha · Anna Weber · since 2026-10-01"."""
        words = [combo.currentText() for combo in (self.event_filter, self.owner_filter)
                 if combo.currentData() is not None]
        days = describe_days(*self.filter_days())
        return " · ".join([*words, *([days] if days else [])])

    def reload_choices(self) -> None:
        """Refill the event and owner filters, keeping the choice (saved at the first call)."""
        store = self._settings_store()
        restore = not self._restored and store is not None
        wanted_event = (str(store.value(SETTINGS_EVENT, "") or "") if restore and store
                        else self.event_filter.currentData())
        wanted_owner = (str(store.value(SETTINGS_OWNER, "") or "") if restore and store
                        else self.owner_filter.currentData())
        self._quiet = True
        try:
            self.event_filter.clear()
            self.event_filter.addItem("All events", None)
            for event in self.services.events.events():
                self.event_filter.addItem(event.name, str(event.id))
            self.owner_filter.clear()
            self.owner_filter.addItem("Anyone", None)
            for user in self.services.people.users():
                self.owner_filter.addItem(user.name, str(user.id))
            for combo, data in ((self.event_filter, wanted_event),
                                (self.owner_filter, wanted_owner)):
                combo.setCurrentIndex(max(combo.findData(data), 0) if data else 0)
            if restore and store is not None:
                self._restore_dates(store)
        finally:
            self._quiet = False
        self._restored = self._restored or store is not None
        self._show_custom_dates()

    def _restore_dates(self, store: QSettings) -> None:
        for key, edit in ((SETTINGS_FROM, self.from_edit), (SETTINGS_TO, self.to_edit)):
            try:
                day = dt.date.fromisoformat(str(store.value(key, "") or ""))
            except ValueError:
                continue
            edit.setDate(QDate(day.year, day.month, day.day))
        period = self.period_filter.findData(str(store.value(SETTINGS_PERIOD, ANY_TIME)))
        self.period_filter.setCurrentIndex(max(period, 0))

    def save_filters(self) -> None:
        store = self._settings_store()
        if store is None:
            return
        store.setValue(SETTINGS_EVENT, self.event_filter.currentData() or "")
        store.setValue(SETTINGS_OWNER, self.owner_filter.currentData() or "")
        store.setValue(SETTINGS_PERIOD, self.period_filter.currentData())
        store.setValue(SETTINGS_FROM, self.from_edit.date().toPython().isoformat())
        store.setValue(SETTINGS_TO, self.to_edit.date().toPython().isoformat())

    def clear_filters(self) -> None:
        """Every lead again: all events, anyone, any time."""
        self._quiet = True
        try:
            for combo in (self.event_filter, self.owner_filter, self.period_filter):
                combo.setCurrentIndex(0)
        finally:
            self._quiet = False
        self._filters_changed()

    def _from_changed(self) -> None:
        # Keep the range the right way round: the end follows a start moved past it.
        self.to_edit.setMinimumDate(self.from_edit.date())
        self._filters_changed()

    def _show_custom_dates(self) -> None:
        custom = self.period_filter.currentData() == CUSTOM
        for widget in (self.from_label, self.from_edit, self.to_label, self.to_edit):
            widget.setVisible(custom)
        self.clear_button.setEnabled(self.is_filtered)

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
            f"<b>{won:,}</b> won ({_pct(won, numbers.total)}) · as of "
            f"{numbers.now.astimezone():%Y-%m-%d %H:%M}")
        self._funnel(numbers)
        self._simple(SOURCE, self.bars[SOURCE],
                     numbers=self._share_lines(self.bars[SOURCE], numbers.total))
        extra = []
        if numbers.other_events:
            extra.append(f"Other events: {numbers.other_events:,}")
        if numbers.filters.event_id is None:  # one event chosen: no other lines to show
            extra.append(f"No event: {numbers.no_event:,}")
        self._simple(EVENT, self.bars[EVENT],
                     numbers=self._share_lines(self.bars[EVENT], numbers.total) + extra,
                     empty="No leads came from an event yet.")
        self._service(numbers)
        self._simple(AGE, self.bars[AGE],
                     numbers=[f"Open leads: <b>{numbers.open:,}</b>",
                              *self._share_lines(self.bars[AGE], numbers.open)])

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

    # -- charts -------------------------------------------------------------------------------
    def _simple(self, key: str, bars: list[Bar], *, numbers: list[str],
                empty: str = "No leads.") -> None:
        card = self.cards[key]
        shown = list(reversed(bars))  # the first bar on top
        series = QHorizontalBarSeries()
        bar_set = QBarSet("Leads")
        bar_set.append([float(b.count) for b in shown])
        series.append(bar_set)
        categories = [b.category for b in shown]
        bar_set.clicked.connect(lambda index, k=key, c=categories: self.bar_clicked(k, c[index]))
        bar_set.hovered.connect(lambda on, _index: card.view.setCursor(
            Qt.CursorShape.PointingHandCursor if on else Qt.CursorShape.ArrowCursor))
        card.plot(series, categories, [b.count for b in shown],
                  [f"{b.category}: {counted(b.count, 'lead')}" for b in shown], highlight=True)
        card.numbers.setText("<br>".join(numbers) if bars else empty)

    def _share_lines(self, bars: list[Bar], whole: int, of: str = "") -> list[str]:
        suffix = f" {of}" if of else ""
        return [f"{b.category}: <b>{b.count:,}</b> ({_pct(b.count, whole)}{suffix})"
                for b in bars]

    def _funnel(self, numbers: DashboardNumbers) -> None:
        bars = self.bars[FUNNEL]
        total = numbers.total
        counts = dict(numbers.by_status)
        mql_plus = sum(counts.get(s, 0) for s in (LeadStatus.MQL, LeadStatus.SQL,
                                                   LeadStatus.CONVERTED, LeadStatus.WON))
        sql_plus = sum(counts.get(s, 0) for s in (LeadStatus.SQL, LeadStatus.CONVERTED,
                                                   LeadStatus.WON))
        lines = [f"Total: <b>{total:,}</b>", f"Open: <b>{numbers.open:,}</b> "
                 f"({_pct(numbers.open, total)})",
                 f"MQL or beyond: <b>{mql_plus:,}</b> ({_pct(mql_plus, total)})",
                 f"SQL or beyond: <b>{sql_plus:,}</b> ({_pct(sql_plus, total)})",
                 f"Won: <b>{counts.get(LeadStatus.WON, 0):,}</b> "
                 f"({_pct(counts.get(LeadStatus.WON, 0), total)})",
                 f"Lost: <b>{counts.get(LeadStatus.LOST, 0):,}</b>"]
        self._simple(FUNNEL, bars, numbers=lines)

    def _service(self, numbers: DashboardNumbers) -> None:
        key = SERVICE
        card = self.cards[key]
        rows = list(reversed(numbers.service_levels))
        names = [r.name for r in rows]
        series = QHorizontalStackedBarSeries()
        for state in FirstTouch:
            bar_set = QBarSet(state.label)
            bar_set.setColor(_STATE_COLOURS[state])
            bar_set.setBorderColor(_STATE_COLOURS[state])
            bar_set.append([float(getattr(r, state.value)) for r in rows])
            bar_set.clicked.connect(lambda index, s=state.label, c=names:
                                    self.bar_clicked(key, c[index], s))
            bar_set.hovered.connect(lambda on, _index: card.view.setCursor(
                Qt.CursorShape.PointingHandCursor if on else Qt.CursorShape.ArrowCursor))
            series.append(bar_set)
        card.plot(series, names, [r.met + r.missed + r.pending for r in rows],
                  [f"{r.name}: {r.met:,} met, {r.missed:,} missed, {r.pending:,} pending"
                   for r in rows])
        met = sum(r.met for r in rows)
        missed = sum(r.missed for r in rows)
        pending = sum(r.pending for r in rows)
        if not rows:
            card.numbers.setText("No lead has a first-touch deadline yet (Data → Follow-up "
                                 "settings).")
            return
        card.numbers.setText("<br>".join([
            f"{_swatch(MET)} Met: <b>{met:,}</b> ({_pct(met, met + missed)} of due)",
            f"{_swatch(MISSED)} Missed: <b>{missed:,}</b>",
            f"{_swatch(PENDING)} Pending: <b>{pending:,}</b>", "",
            *[f"{r.name}: {_pct(r.met, r.measured)} met" for r in reversed(rows)]]))
