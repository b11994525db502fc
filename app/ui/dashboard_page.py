"""Dashboard: charts first, numbers second, and every bar opens the leads behind it.

The numbers are SQL aggregates (ReportService.dashboard) read on the runner; each bar keeps
the LeadQuery that lists exactly the leads it counts, so a click opens the Leads page on them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QHorizontalStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPalette, QPen
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

from app.domain.leads import FirstTouch, LeadQuery, LeadStatus
from app.services.container import Services
from app.services.report_service import DashboardNumbers
from app.ui.workers import JobState, TaskRunner

FUNNEL, SOURCE, EVENT, SERVICE, AGE = "funnel", "source", "event", "service", "age"
# Mid-tone colours that read on light and dark backgrounds alike.
MET, MISSED, PENDING = QColor("#43a047"), QColor("#e53935"), QColor("#fb8c00")
_STATE_COLOURS = {FirstTouch.MET: MET, FirstTouch.MISSED: MISSED, FirstTouch.PENDING: PENDING}


@dataclass(frozen=True)
class Bar:
    """One clickable bar: its label, its count and the list behind it."""

    category: str
    count: int
    query: LeadQuery
    series: str = ""


def _short(label: str, limit: int = 22) -> str:
    """Axis labels stay readable: long event or rep names are cut with an ellipsis."""
    return label if len(label) <= limit else label[:limit - 1].rstrip() + "…"


def _swatch(colour: QColor) -> str:
    return f'<span style="color:{colour.name()}">■</span>'


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "–"


def bars_for(numbers: DashboardNumbers) -> dict[str, list[Bar]]:
    """Every chart's bars, with the LeadQuery each one opens (pure: tests call it too)."""
    funnel = [Bar(s.label, n, LeadQuery(statuses=(s,))) for s, n in numbers.by_status]
    source = [Bar(c.label, n, LeadQuery(channel=c)) for c, n in numbers.by_channel]
    event = [Bar(e.name, e.leads, LeadQuery(event_id=e.event_id)) for e in numbers.by_event]
    service: list[Bar] = []
    for row in numbers.service_levels:
        owner = (LeadQuery(owner_id=row.owner_id) if row.owner_id is not None
                 else LeadQuery(unassigned=True))
        for state, count in ((FirstTouch.MET, row.met), (FirstTouch.MISSED, row.missed),
                             (FirstTouch.PENDING, row.pending)):
            query = LeadQuery(owner_id=owner.owner_id, unassigned=owner.unassigned,
                              first_touch=state)
            service.append(Bar(row.name, count, query, state.label))
    age = [Bar(band.label, band.leads, LeadQuery(open_only=True, created_since=band.since,
                                                 created_before=band.before))
           for band in numbers.ages]
    return {FUNNEL: funnel, SOURCE: source, EVENT: event, SERVICE: service, AGE: age}


class ChartCard(QFrame):
    """A titled chart with its numbers beside it."""

    def __init__(self, title: str, hint: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("dashboardCard")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(2)
        heading = QLabel(title)
        heading.setStyleSheet("font-size: 12pt; font-weight: 600;")
        self.hint = QLabel(hint)
        self.hint.setStyleSheet("color: palette(mid);")
        self.chart = QChart()
        self.chart.legend().hide()
        self.chart.setMargins(QMargins(0, 0, 0, 0))
        self.chart.setBackgroundRoundness(0)
        self.chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        self.view = QChartView(self.chart)
        self.view.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.view.setMinimumSize(340, 175)
        self.view.setAccessibleName(title)
        self.numbers = QLabel()
        self.numbers.setObjectName("dashboardNumbers")
        self.numbers.setTextFormat(Qt.TextFormat.RichText)
        self.numbers.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.numbers.setMinimumWidth(190)
        self.numbers.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.view, 5)
        row.addWidget(self.numbers, 2)
        top = QHBoxLayout()
        top.addWidget(heading)
        top.addSpacing(8)
        top.addWidget(self.hint, 1)
        layout.addLayout(top)
        layout.addLayout(row, 1)

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


class DashboardPage(QWidget):
    """``open_list(query)`` shows the leads behind a bar; ``on_demo``/``on_import`` fill an
    empty database."""

    def __init__(self, services: Services, runner: TaskRunner,
                 open_list: Callable[[LeadQuery], None], on_demo: Callable[[], None],
                 on_import: Callable[[], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services, self.runner, self.open_list = services, runner, open_list
        self.numbers: DashboardNumbers | None = None
        self.bars: dict[str, list[Bar]] = {}
        self._job: JobState | None = None
        self._generation = 0

        top = QHBoxLayout()
        title = QLabel("Dashboard")
        title.setStyleSheet("font-size: 16pt; font-weight: 600;")
        self.summary = QLabel()
        self.summary.setObjectName("dashboardSummary")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.refresh_button = QPushButton("&Refresh")
        self.refresh_button.setToolTip("Count the leads again")
        self.refresh_button.clicked.connect(self.refresh)
        top.addWidget(title)
        top.addSpacing(16)
        top.addWidget(self.summary, 1)
        top.addWidget(self.refresh_button)

        self.cards = {
            FUNNEL: ChartCard("Funnel", "Leads by status. Click any bar for its leads."),
            SERVICE: ChartCard("First-touch service level",
                               "Per owner: in time, late, or still within the deadline."),
            SOURCE: ChartCard("Leads by source", "How the leads reached us (channel)."),
            EVENT: ChartCard("Leads by event", "The 8 events with the most leads."),
            AGE: ChartCard("Age of open leads", "Days since it came in."),
        }
        grid_widget = QWidget()
        grid = QGridLayout(grid_widget)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(8)
        for i, key in enumerate((FUNNEL, SERVICE, SOURCE, EVENT, AGE)):
            grid.addWidget(self.cards[key], i // 2, i % 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
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
        demo = QPushButton("Load demo data")
        demo.clicked.connect(on_demo)
        imp = QPushButton("Import leads…")
        imp.clicked.connect(on_import)
        buttons.addWidget(demo)
        buttons.addWidget(imp)
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
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)

    @property
    def is_empty(self) -> bool:
        return self.stack.currentWidget() is self.empty

    # -- data ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Read the numbers on the runner; the charts follow when they arrive."""
        if self._job is not None:
            self._job.cancel()
        if self.numbers is None:
            self.stack.setCurrentIndex(0)
        self.refresh_button.setEnabled(False)
        reports = self.services.reports
        self._generation += 1
        generation = self._generation

        def work(state: JobState) -> DashboardNumbers | None:
            return None if state.cancelled else reports.dashboard()

        def done(numbers: DashboardNumbers | None) -> None:
            if generation != self._generation:
                return  # a newer refresh is on its way, or the window closed
            self._job = None
            self.refresh_button.setEnabled(True)
            if numbers is not None:
                self.show_numbers(numbers)

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

    def show_numbers(self, numbers: DashboardNumbers) -> None:
        self.numbers = numbers
        self.bars = bars_for(numbers)
        if numbers.total == 0:
            self.summary.setText("")
            self.stack.setCurrentWidget(self.empty)
            return
        self.stack.setCurrentIndex(1)
        won = dict(numbers.by_status).get(LeadStatus.WON, 0)
        self.summary.setText(
            f"<b>{numbers.total:,}</b> leads · <b>{numbers.open:,}</b> open · "
            f"<b>{won:,}</b> won ({_pct(won, numbers.total)}) · as of "
            f"{numbers.now.astimezone():%Y-%m-%d %H:%M}")
        self._funnel(numbers)
        self._simple(SOURCE, self.bars[SOURCE], horizontal=True,
                     numbers=self._share_lines(self.bars[SOURCE], numbers.total))
        extra = []
        if numbers.other_events:
            extra.append(f"Other events: {numbers.other_events:,}")
        extra.append(f"No event: {numbers.no_event:,}")
        self._simple(EVENT, self.bars[EVENT], horizontal=True,
                     numbers=self._share_lines(self.bars[EVENT], numbers.total) + extra,
                     empty="No leads came from an event yet.")
        self._service(numbers)
        self._simple(AGE, self.bars[AGE], horizontal=False,
                     numbers=[f"Open leads: <b>{numbers.open:,}</b>",
                              *self._share_lines(self.bars[AGE], numbers.open)])
        for card in self.cards.values():
            card.style_chart()

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
    def _reset(self, key: str) -> QChart:
        chart = self.cards[key].chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        chart.legend().hide()
        return chart

    def _bar_colour(self) -> QColor:
        return self.palette().color(QPalette.ColorRole.Highlight)

    def _axes(self, chart: QChart, series: QBarSeries | QHorizontalBarSeries
              | QHorizontalStackedBarSeries, categories: Sequence[str], horizontal: bool,
              maximum: int) -> None:
        category_axis = QBarCategoryAxis()
        shown: list[str] = []
        for label in categories:
            short = _short(label)
            while short in shown:  # categories must be unique
                short += " "
            shown.append(short)
        category_axis.append(shown)
        value_axis = QValueAxis()
        value_axis.setLabelFormat("%d")
        value_axis.setRange(0, max(maximum, 1) * 1.15)
        value_axis.setTickCount(5)
        value_axis.applyNiceNumbers()
        value_axis.setMinorTickCount(0)
        font = QFont(self.font())
        font.setPointSizeF(max(font.pointSizeF() - 1, 7))
        category_axis.setLabelsFont(font)
        value_axis.setLabelsFont(font)
        chart.addAxis(category_axis, Qt.AlignmentFlag.AlignLeft if horizontal
                      else Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(value_axis, Qt.AlignmentFlag.AlignBottom if horizontal
                      else Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(category_axis)
        series.attachAxis(value_axis)
        category_axis.setGridLineVisible(False)
        category_axis.setTruncateLabels(False)

    def _simple(self, key: str, bars: list[Bar], *, horizontal: bool, numbers: list[str],
                empty: str = "No leads.") -> None:
        chart = self._reset(key)
        card = self.cards[key]
        shown = list(reversed(bars)) if horizontal else bars  # first bar on top
        series = QHorizontalBarSeries() if horizontal else QBarSeries()
        bar_set = QBarSet("Leads")
        bar_set.setColor(self._bar_colour())
        bar_set.setBorderColor(self._bar_colour())
        bar_set.append([float(b.count) for b in shown])
        bar_set.setLabelColor(self.palette().color(QPalette.ColorRole.WindowText))
        series.append(bar_set)
        series.setLabelsVisible(True)
        series.setLabelsPosition(QBarSeries.LabelsPosition.LabelsOutsideEnd)
        series.setLabelsFormat("@value")
        series.setBarWidth(0.7)
        categories = [b.category for b in shown]
        bar_set.clicked.connect(lambda index, k=key, c=categories: self.bar_clicked(k, c[index]))
        bar_set.hovered.connect(lambda on, _index: card.view.setCursor(
            Qt.CursorShape.PointingHandCursor if on else Qt.CursorShape.ArrowCursor))
        chart.addSeries(series)
        self._axes(chart, series, categories, horizontal, max((b.count for b in bars),
                                                              default=0))
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
        self._simple(FUNNEL, bars, horizontal=True, numbers=lines)

    def _service(self, numbers: DashboardNumbers) -> None:
        key = SERVICE
        chart = self._reset(key)
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
        series.setBarWidth(0.7)
        chart.addSeries(series)
        self._axes(chart, series, names, True,
                   max((r.met + r.missed + r.pending for r in rows), default=0))
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
