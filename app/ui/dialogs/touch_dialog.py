"""Log a touch (call, email, meeting, task) with its outcome, or snooze a task to another day.

Both are quick: Enter saves. The outcomes offered fit the kind of touch (an email is "sent", a
call may reach a voicemail). A snooze names the lead and needs a reason, which goes into the
lead's history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain.tasks import TaskKind, TaskOutcome, outcomes_for


@dataclass(frozen=True)
class Touch:
    kind: TaskKind
    outcome: TaskOutcome | None
    note: str


class TouchDialog(QDialog):
    def __init__(self, lead_name: str, task_title: str, kind: TaskKind,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Log touch")
        intro = QLabel(f"<b>{_escape(lead_name)}</b>"
                       + (f"<br>{_escape(task_title)}" if task_title else
                          "<br>No planned task: this touch is recorded on its own."))
        intro.setWordWrap(True)
        self.kind = QComboBox()
        for value in TaskKind:
            self.kind.addItem(value.label, value)
        self.kind.setCurrentIndex(self.kind.findData(kind))
        self.outcome = QComboBox()
        self._offer_outcomes(kind)
        self.kind.currentIndexChanged.connect(
            lambda _index: self._offer_outcomes(TaskKind(self.kind.currentData())))
        self.outcome.setToolTip("Meeting set, not interested or wrong person stop the cadence; "
                                "the others keep it going")
        self.note = QLineEdit()
        self.note.setPlaceholderText("Optional: what happened (Enter saves)")
        form = QFormLayout()
        form.addRow("&Kind:", self.kind)
        form.addRow("&Outcome:", self.outcome)
        form.addRow("&Note:", self.note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.resize(420, self.sizeHint().height())
        self.outcome.setFocus()

    def _offer_outcomes(self, kind: TaskKind) -> None:
        """The outcomes this kind of touch can have; an email is most often just sent."""
        kept = self.outcome.currentData()
        self.outcome.clear()
        self.outcome.addItem("(no outcome)", None)
        for value in outcomes_for(kind):
            self.outcome.addItem(value.label, value)
        found = self.outcome.findData(kept) if kept is not None else -1
        if found < 0 and kind is TaskKind.EMAIL:
            found = self.outcome.findData(TaskOutcome.SENT)
        self.outcome.setCurrentIndex(max(found, 0))

    def touch(self) -> Touch:
        outcome = self.outcome.currentData()
        return Touch(TaskKind(self.kind.currentData()),
                     TaskOutcome(outcome) if outcome else None, self.note.text().strip())

    @classmethod
    def ask(cls, lead_name: str, task_title: str, kind: TaskKind,
            parent: QWidget | None = None) -> Touch | None:
        dialog = cls(lead_name, task_title, kind, parent)
        return dialog.touch() if dialog.exec() == QDialog.DialogCode.Accepted else None


class SnoozeDialog(QDialog):
    """A day (tomorrow or later; the task keeps its time of day) and a required reason."""

    def __init__(self, lead_name: str, task_title: str, today: dt.date,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Snooze task")
        intro = QLabel(f"<b>{_escape(lead_name)}</b><br>Move <i>{_escape(task_title)}</i> to "
                       "another day. It keeps its time of day; the reason is kept in the "
                       "lead's history.")
        intro.setWordWrap(True)
        self.day = QDateEdit()
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("ddd yyyy-MM-dd")
        tomorrow = today + dt.timedelta(days=1)
        first = QDate(tomorrow.year, tomorrow.month, tomorrow.day)
        self.day.setMinimumDate(first)
        self.day.setDate(first)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("Required: why it moves")
        self.reason.textChanged.connect(self._check)
        form = QFormLayout()
        form.addRow("&Until:", self.day)
        form.addRow("&Reason:", self.reason)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Snooze")
        self.ok.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.resize(420, self.sizeHint().height())
        self.reason.setFocus()
        self._check()

    def _check(self) -> None:
        self.ok.setEnabled(bool(self.reason.text().strip()))

    def accept(self) -> None:
        if self.reason.text().strip():  # Enter in an empty reason does nothing
            super().accept()

    def chosen(self) -> tuple[dt.date, str]:
        return self.day.date().toPython(), self.reason.text().strip()

    @classmethod
    def ask(cls, lead_name: str, task_title: str, today: dt.date,
            parent: QWidget | None = None) -> tuple[dt.date, str] | None:
        dialog = cls(lead_name, task_title, today, parent)
        return dialog.chosen() if dialog.exec() == QDialog.DialogCode.Accepted else None


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
