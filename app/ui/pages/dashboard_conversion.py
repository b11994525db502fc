"""The dashboard's conversion card: each event's funnel, revenue and return side by side, from
the same attribution calculation as the printed report (first touch, matched orders)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QFrame, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from app.domain.attribution import MIXED, Attribution, FunnelRow, Model, Stage, format_return
from app.domain.reports import ReportFilters
from app.services.attribution_service import AttributionService
from app.ui.style import SECONDARY, make_heading, set_tone
from app.ui.tables import read_only_rows
from app.ui.workers import JobState, TaskRunner

COLUMNS = ("Event", "Leads", "SQL+", "Cust.", "Rate", "Revenue", "Per cust.", "Return")
TIPS = ("", "Leads captured", "Leads that reached SQL or a later stage", "Customers: won or with a "
        "matched order", "Leads that became customers", "Matched orders, first touch",
        "The event's cost per customer", "(revenue − cost) ÷ cost")
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
Index = QModelIndex | QPersistentModelIndex


def _whole(amount: int, currency: str) -> str:
    """Whole units: a dashboard compares, the report has the cents."""
    return f"{amount / 100:,.0f} {currency}"


def _revenue(row: FunnelRow) -> str:
    return " + ".join(_whole(amount, currency) for currency, amount in row.revenue) or "–"


def cells(row: FunnelRow) -> tuple[str, ...]:
    customers, leads = row.count(Stage.CUSTOMER), row.leads
    share = f"{customers / leads:.0%}" if leads else "–"
    per_customer = row.cost_per(Stage.CUSTOMER)
    return (row.label, f"{leads:,}", f"{row.count(Stage.SQL):,}", f"{customers:,}", share,
            _revenue(row),
            _whole(per_customer, row.cost_currency) if per_customer is not None else "–",
            format_return(row.roi, signed=True))


class ConversionModel(QAbstractTableModel):
    """Rows of event funnels (already in the report's order: biggest first, no event last)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[tuple[str, ...]] = []

    def set_rows(self, rows: Sequence[FunnelRow]) -> None:
        self.beginResetModel()
        self.rows = [cells(row) for row in rows]
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() > 0:
            return int(_RIGHT)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            return TIPS[section] or None
        return None


class ConversionCard(QFrame):
    """Titled like the chart cards; says so while counting, when nothing is matched yet, or
    when the numbers could not be read."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("dashboardCard")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.setSpacing(2)
        self.heading = make_heading(QLabel("Conversion and return by event"), 12)
        self.hint = QLabel("Leads to customers, revenue of matched orders (first touch) and "
                           "return on each event's cost. Data → Import customers and orders… "
                           "brings the revenue in.")
        self.hint.setWordWrap(True)
        set_tone(self.hint, SECONDARY)
        self.model = ConversionModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        read_only_rows(self.table, "Conversion and return by event")
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.setMinimumHeight(120)
        self.status = QLabel("Counting…")
        self.status.setWordWrap(True)
        set_tone(self.status, SECONDARY)
        layout.addWidget(self.heading)
        layout.addWidget(self.hint)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        self.job: JobState | None = None

    def count(self, runner: TaskRunner, attribution: AttributionService, filters: ReportFilters,
              is_current: Callable[[], bool]) -> None:
        """Count on the runner after the charts: it reads every lead's stages (seconds at
        100,000 leads), so the charts never wait for it. ``is_current`` is False once a newer
        refresh started."""
        self.stop()
        if not self.model.rows:
            self.status.setText("Counting…")
            self.status.show()

        def work(state: JobState) -> Attribution | None:
            return None if state.cancelled else attribution.analysis(Model.FIRST, filters)

        def done(analysis: Attribution | None) -> None:
            self.job = None
            if is_current() and analysis is not None:
                self.show_analysis(analysis)

        def failed(error: Exception, _details: str) -> None:
            self.job = None
            if is_current():
                self.show_error(str(error))

        self.job = runner.start(work, on_done=done, on_error=failed)

    def stop(self) -> None:
        if self.job is not None:
            self.job.cancel()
        self.job = None

    def show_analysis(self, analysis: Attribution) -> None:
        self.model.set_rows(analysis.by_event)
        if not analysis.total:
            self.status.setText("No customer orders matched yet, so there is no revenue.")
        elif any(row.roi == MIXED for row in analysis.by_event):
            self.status.setText(f"“{MIXED}”: revenue came in another currency than the "
                                "event's cost (currencies are never added together).")
        else:
            self.status.setText("")
        self.status.setVisible(bool(self.status.text()))

    def show_error(self, text: str) -> None:
        self.status.setText(f"The conversion figures could not be read: {text}")
        self.status.show()
