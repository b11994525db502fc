"""The scan log: every scan at this event and what became of it; rejected ones for repair."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.booth import ScanLogRecord
from app.ui.tables import read_only_rows
from app.ui.wording import counted


def visible(raw: str) -> str:
    """Control characters made visible, so staff can see what the scanner really sent."""
    return raw.encode("unicode_escape").decode("ascii", errors="replace")[:300]


class ScanLogDialog(QDialog):
    def __init__(self, records: list[ScanLogRecord], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Scan log")
        rejected = sum(1 for r in records if r.outcome == "rejected")
        intro = QLabel(f"{counted(len(records), 'scan')}, {rejected:,} not read. Rejected scans "
                       "saved nothing; "
                       "type the printed badge id or the person's details to capture them.")
        intro.setWordWrap(True)
        self.table = QTableWidget(len(records), 4)
        self.table.setHorizontalHeaderLabels(["When", "Outcome", "Reason", "What the scanner sent"])
        read_only_rows(self.table, "Scans", fit_columns=False)
        for row, record in enumerate(records):
            when = record.scanned_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
            for column, text in enumerate((when, record.outcome, record.reason,
                                           visible(record.raw))):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, column, item)
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.resizeColumnToContents(0)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(900, 480)

    @classmethod
    def show_log(cls, records: list[ScanLogRecord], parent: QWidget | None = None) -> None:
        cls(records, parent).exec()
