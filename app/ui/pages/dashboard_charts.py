"""The dashboard's chart cards: horizontal bars with their counts, and what each chart shows.

Clicks are handed back by name (``on_click(category)``, or ``(category, series)`` for the
stacked service-level chart); which leads that opens is the page's business."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

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
from PySide6.QtCore import QEvent, QLocale, QMargins, QObject, QPointF, Qt
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
    QFrame,
    QGraphicsSimpleTextItem,
    QHBoxLayout,
    QLabel,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from app.domain.leads import FirstTouch, LeadStatus
from app.services.report_service import DashboardNumbers
from app.ui.pages.dashboard_bars import Bar, percent
from app.ui.style import SECONDARY, make_heading, set_tone
from app.ui.wording import counted

# Mid-tone colours that read on light and dark backgrounds alike.
MET, MISSED, PENDING = QColor("#43a047"), QColor("#e53935"), QColor("#fb8c00")
_STATE_COLOURS = {FirstTouch.MET: MET, FirstTouch.MISSED: MISSED, FirstTouch.PENDING: PENDING}


def _round_step(rough: float) -> int:
    """The smallest of 1, 2, 5, 10, 20, 50… that is at least ``rough``."""
    power = 10 ** max(math.floor(math.log10(max(rough, 1.0))), 0)
    return next(power * m for m in (1, 2, 5, 10) if power * m >= rough)


def _swatch(colour: QColor) -> str:
    return f'<span style="color:{colour.name()}">■</span>'


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


def _pointing_hand(card: ChartCard, bar_set: QBarSet) -> None:
    bar_set.hovered.connect(lambda on, _index: card.view.setCursor(
        Qt.CursorShape.PointingHandCursor if on else Qt.CursorShape.ArrowCursor))


def plot_bars(card: ChartCard, bars: list[Bar], on_click: Callable[[str], None], *,
              numbers: list[str], empty: str = "No leads.") -> None:
    """One bar per ``bars`` (the first on top) in the highlight colour; ``numbers`` beside."""
    shown = list(reversed(bars))  # the first bar on top
    series = QHorizontalBarSeries()
    bar_set = QBarSet("Leads")
    bar_set.append([float(b.count) for b in shown])
    series.append(bar_set)
    categories = [b.category for b in shown]
    bar_set.clicked.connect(lambda index, c=categories: on_click(c[index]))
    _pointing_hand(card, bar_set)
    card.plot(series, categories, [b.count for b in shown],
              [f"{b.category}: {counted(b.count, 'lead')}" for b in shown], highlight=True)
    card.numbers.setText("<br>".join(numbers) if bars else empty)


def funnel_lines(numbers: DashboardNumbers) -> list[str]:
    """The funnel's numbers beside its bars: totals and how far the leads got."""
    total = numbers.total
    counts = dict(numbers.by_status)
    mql_plus = sum(counts.get(s, 0) for s in (LeadStatus.MQL, LeadStatus.SQL,
                                               LeadStatus.CONVERTED, LeadStatus.WON))
    sql_plus = sum(counts.get(s, 0) for s in (LeadStatus.SQL, LeadStatus.CONVERTED,
                                               LeadStatus.WON))
    return [f"Total: <b>{total:,}</b>", f"Open: <b>{numbers.open:,}</b> "
            f"({percent(numbers.open, total)})",
            f"MQL or beyond: <b>{mql_plus:,}</b> ({percent(mql_plus, total)})",
            f"SQL or beyond: <b>{sql_plus:,}</b> ({percent(sql_plus, total)})",
            f"Won: <b>{counts.get(LeadStatus.WON, 0):,}</b> "
            f"({percent(counts.get(LeadStatus.WON, 0), total)})",
            f"Lost: <b>{counts.get(LeadStatus.LOST, 0):,}</b>"]


def plot_service(card: ChartCard, numbers: DashboardNumbers,
                 on_click: Callable[[str, str], None]) -> None:
    """Per owner, first touches met, missed and pending, stacked in their colours."""
    rows = list(reversed(numbers.service_levels))
    names = [r.name for r in rows]
    series = QHorizontalStackedBarSeries()
    for state in FirstTouch:
        bar_set = QBarSet(state.label)
        bar_set.setColor(_STATE_COLOURS[state])
        bar_set.setBorderColor(_STATE_COLOURS[state])
        bar_set.append([float(getattr(r, state.value)) for r in rows])
        bar_set.clicked.connect(lambda index, s=state.label, c=names: on_click(c[index], s))
        _pointing_hand(card, bar_set)
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
        f"{_swatch(MET)} Met: <b>{met:,}</b> ({percent(met, met + missed)} of due)",
        f"{_swatch(MISSED)} Missed: <b>{missed:,}</b>",
        f"{_swatch(PENDING)} Pending: <b>{pending:,}</b>", "",
        *[f"{r.name}: {percent(r.met, r.measured)} met" for r in reversed(rows)]]))
