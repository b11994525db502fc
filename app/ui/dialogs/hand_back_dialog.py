"""A rep lets go of a lead: hand it back to the queue, or recycle it to nurture until a date.

Both need a reason, which goes into the lead's history so the next person knows why.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

RECYCLE_DAYS = 90


class _ReasonDialog(QDialog):
    def __init__(self, title: str, intro: str, action: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.reason = QPlainTextEdit()
        self.reason.setPlaceholderText("Required: why (kept in the lead's history)")
        self.reason.setTabChangesFocus(True)
        self.reason.setFixedHeight(80)
        self.reason.textChanged.connect(self._check)
        self.form = QFormLayout()
        self.form.addRow("&Reason:", self.reason)
        text = QLabel(intro)
        text.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(action)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addLayout(self.form)
        layout.addWidget(self.buttons)
        self.resize(440, self.sizeHint().height())
        self._check()

    def _check(self) -> None:
        # The reason is required by the service too; disabling the button says so up front.
        self.ok.setEnabled(bool(self.reason.toPlainText().strip()))

    def reason_text(self) -> str:
        return self.reason.toPlainText().strip()


class HandBackDialog(_ReasonDialog):
    def __init__(self, lead_name: str, parent: QWidget | None = None) -> None:
        super().__init__("Hand back to queue",
                         f"{lead_name} goes back to your team's queue (or the catch-all "
                         "queue) for someone else to pick up.", "Hand back", parent)

    @classmethod
    def ask(cls, lead_name: str, parent: QWidget | None = None) -> str | None:
        dialog = cls(lead_name, parent)
        return dialog.reason_text() if dialog.exec() == QDialog.DialogCode.Accepted else None


class RecycleDialog(_ReasonDialog):
    def __init__(self, lead_name: str, today: dt.date, parent: QWidget | None = None) -> None:
        super().__init__("Recycle to nurture",
                         f"{lead_name} is not ready now: it moves to Nurture and comes back "
                         "to its owner on the date below.", "Recycle", parent)
        self.come_back = QDateEdit()
        self.come_back.setCalendarPopup(True)
        self.come_back.setDisplayFormat("yyyy-MM-dd")
        tomorrow = today + dt.timedelta(days=1)
        self.come_back.setMinimumDate(QDate(tomorrow.year, tomorrow.month, tomorrow.day))
        back = today + dt.timedelta(days=RECYCLE_DAYS)
        self.come_back.setDate(QDate(back.year, back.month, back.day))
        self.form.addRow("&Comes back on:", self.come_back)

    def chosen(self) -> tuple[str, dt.date]:
        return self.reason_text(), self.come_back.date().toPython()

    @classmethod
    def ask(cls, lead_name: str, today: dt.date, parent: QWidget | None = None
            ) -> tuple[str, dt.date] | None:
        dialog = cls(lead_name, today, parent)
        return dialog.chosen() if dialog.exec() == QDialog.DialogCode.Accepted else None
