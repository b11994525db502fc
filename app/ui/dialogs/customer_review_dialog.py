"""Data → Customer matches to review…: the orders whose lead is only a guess (a similar company
name, the same domain under another name). Confirming credits the order to the suggested lead
(won, with the revenue, in its history); "Not this lead" keeps the order uncredited, and next
month's import keeps that decision."""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.contact_data import format_money
from app.domain.customers import CustomerOrderRecord
from app.services.customer_service import CustomerService
from app.ui import messages
from app.ui.tables import read_only_rows
from app.ui.wording import counted

COLUMNS = ("Customer", "Email", "Order", "Date", "Amount", "Suggested lead", "Score", "Why")
EMPTY_TEXT = ("Nothing to review. Orders whose lead is only a guess (a similar company name, "
              "or the same web domain under another name) appear here after a customer import.")


class CustomerReviewDialog(QDialog):
    def __init__(self, customers: CustomerService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Customer matches to review")
        self.customers = customers
        self.changed = False
        self.orders: list[CustomerOrderRecord] = []
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        # With nothing to review the table hides: the words stay at the top, not mid-dialog.
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        read_only_rows(self.table, "Orders whose lead is a guess", fit_columns=False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._enable)
        self.table.doubleClicked.connect(lambda _index: self.confirm_selected())
        self.confirm_button = QPushButton("&Credit to this lead")
        self.confirm_button.setToolTip("The lead becomes won with this order's revenue (Ctrl+Enter)")
        self.confirm_button.setShortcut(QKeySequence("Ctrl+Return"))
        self.confirm_button.clicked.connect(self.confirm_selected)
        self.reject_button = QPushButton("&Not this lead")
        self.reject_button.setToolTip("The order stays without a lead; re-imports keep this")
        self.reject_button.clicked.connect(self.reject_selected)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.confirm_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.reject_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.reload()
        self.resize(1180, 540)

    def reload(self) -> None:
        self.orders = self.customers.review_list()
        self.table.setRowCount(len(self.orders))
        for row, order in enumerate(self.orders):
            cells = (order.company, order.email, order.order_number, order.order_date.isoformat(),
                     format_money(order.amount, order.currency), order.lead_label,
                     f"{order.score}%", order.reason)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column in (4, 6):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        for column in range(len(COLUMNS) - 1):  # long names stop at a width; "Why" takes the rest
            self.table.setColumnWidth(column, min(self.table.columnWidth(column), 240))
        self.summary.setText(
            f"{counted(len(self.orders), 'order')} to review: check that the suggested lead is "
            "the company that bought, then credit it, or say it is not." if self.orders
            else EMPTY_TEXT)
        self.table.setVisible(bool(self.orders))
        if self.orders:
            self.table.selectRow(0)
        self._enable()

    def _selected(self) -> list[CustomerOrderRecord]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [self.orders[row] for row in rows if row < len(self.orders)]

    def _enable(self) -> None:
        chosen = self._selected()
        self.confirm_button.setEnabled(any(o.lead_id is not None for o in chosen))
        self.reject_button.setEnabled(bool(chosen))

    def confirm_selected(self) -> None:
        self._decide([(o.id, o.lead_id) for o in self._selected() if o.lead_id is not None],
                     "Not credited")

    def reject_selected(self) -> None:
        self._decide([(o.id, None) for o in self._selected()], "Not changed")

    def _decide(self, decisions: list[tuple[uuid.UUID, uuid.UUID | None]], title: str) -> None:
        if not decisions:
            return
        with messages.reported(self, title):
            for order_id, lead_id in decisions:
                if lead_id is None:
                    self.customers.reject(order_id)
                else:
                    self.customers.confirm(order_id, lead_id)
                self.changed = True
        self.reload()  # after a failure too: the decisions before it are kept

    @classmethod
    def ask(cls, customers: CustomerService, parent: QWidget | None = None) -> bool:
        """Show the list; True when an order was credited or rejected."""
        dialog = cls(customers, parent)
        dialog.exec()
        return dialog.changed
