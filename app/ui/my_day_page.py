"""My day: the rep's to-do list. Overdue first, then today, then the next seven days.

Keyboard first: arrows move between tasks, Enter opens the lead, L logs a touch, S snoozes.
One click calls (tel:) or writes the email (mailto: with the task's rendered text). The list
is read on a worker thread; every action re-reads it and tells the window (tray count).
"""

from __future__ import annotations

import datetime as dt
import uuid
from urllib.parse import quote

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import LeadlineError
from app.domain.tasks import TaskKind
from app.services.container import Services
from app.services.followup_service import MyDay
from app.storage.repositories.tasks import DueItem
from app.ui import messages
from app.ui.dialogs import touch_dialog
from app.ui.models.due_model import DUE, KIND, LEAD, PHONE, RATING, TITLE, DueModel
from app.ui.style import alarm_colour
from app.ui.workers import TaskRunner


def tel_url(phone: str) -> str:
    """A tel: link: digits and a leading + only (spaces, dashes and brackets dropped)."""
    cleaned = "".join(c for c in phone.strip() if c.isdigit() or c == "+")
    return f"tel:{cleaned}"


def mailto_url(address: str, subject: str, body: str) -> str:
    """A mailto: link (RFC 6068) with the subject and body percent-encoded, lines as CRLF."""
    body = body.replace("\r\n", "\n").replace("\n", "\r\n")
    return (f"mailto:{quote(address.strip(), safe='@')}?subject={quote(subject, safe='')}"
            f"&body={quote(body, safe='')}")


def open_url(url: str) -> bool:
    return QDesktopServices.openUrl(QUrl(url))


def log_touch_for(parent: QWidget, services: Services, lead_id: uuid.UUID, lead_name: str,
                  task_id: uuid.UUID | None, task_title: str, kind: TaskKind) -> bool:
    """Ask for the touch and record it (the task done, the cadence moved). True if stored."""
    touch = touch_dialog.TouchDialog.ask(lead_name, task_title, kind, parent)
    if touch is None:
        return False
    try:
        services.followup.log_touch(lead_id, touch.kind, touch.outcome, touch.note,
                                    task_id=task_id)
    except LeadlineError as error:
        messages.error(parent, "Touch not logged", str(error))
        return False
    return True


def snooze_task(parent: QWidget, services: Services, task_id: uuid.UUID, task_title: str
                ) -> dt.datetime | None:
    """Ask for a day and a reason and move the task; the new due moment, or None."""
    zone = services.cadences.calendar().zone
    today = services.context.clock().astimezone(zone).date()
    chosen = touch_dialog.SnoozeDialog.ask(task_title, today, parent)
    if chosen is None:
        return None
    day, reason = chosen
    try:
        return services.followup.snooze_to_day(task_id, day, reason)
    except LeadlineError as error:
        messages.error(parent, "Task not snoozed", str(error))
        return None


class MyDayPage(QWidget):
    """``openLead`` carries a lead id; ``changed`` fires after a touch or snooze, ``loaded``
    with the number due now (overdue + today) whenever the list was read."""

    openLead = Signal(object)
    changed = Signal()
    loaded = Signal(int)

    def __init__(self, services: Services, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services, self.runner = services, runner
        self._loading = False
        self._keep_task: uuid.UUID | None = None
        self.model = DueModel(services.context.clock, lambda: services.cadences.calendar().zone,
                              self)

        top = QHBoxLayout()
        title = QLabel("My day")
        title.setStyleSheet("font-size: 16pt; font-weight: 600;")
        self.summary = QLabel()
        self.summary.setObjectName("myDaySummary")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        top.addWidget(title)
        top.addSpacing(16)
        top.addWidget(self.summary, 1)

        buttons = QHBoxLayout()
        self.call_button = self._button("&Call", "Call the lead's phone number", self.call)
        self.email_button = self._button("&Email", "Write the task's email in your mail program",
                                         self.email)
        self.log_button = self._button("&Log touch…", "Record how the call or email went (L)",
                                       self.log_touch)
        self.snooze_button = self._button("&Snooze…", "Move the task to another day (S)",
                                          self.snooze)
        self.open_button = self._button("&Open lead", "Show the lead with its history (Enter)",
                                        self.open_lead)
        for button in (self.call_button, self.email_button, self.log_button, self.snooze_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)

        self.table = QTableView()
        self.table.setObjectName("myDayTable")
        self.table.setAccessibleName("My tasks")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(28)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(TITLE, QHeaderView.ResizeMode.Stretch)
        for column, width in ((DUE, 150), (KIND, 90), (LEAD, 300), (RATING, 80), (PHONE, 150)):
            self.table.setColumnWidth(column, width)
        self.table.activated.connect(lambda _index: self.open_lead())
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        for key, slot in (("L", self.log_touch), ("S", self.snooze)):
            QShortcut(QKeySequence(key), self.table, slot,
                      context=Qt.ShortcutContext.WidgetShortcut)

        self.empty = QLabel()
        self.empty.setObjectName("myDayEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("font-size: 12pt; color: palette(mid);")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.addLayout(top)
        layout.addLayout(buttons)
        layout.addWidget(self.stack, 1)
        self._enable()

    def _button(self, text: str, tip: str, slot: object) -> QPushButton:
        button = QPushButton(text)
        button.setToolTip(tip)
        button.clicked.connect(slot)
        return button

    # -- reading ------------------------------------------------------------------------------
    def refresh(self) -> None:
        user = self.services.people.current_user()
        if user is None:
            self._show(None)
            return
        if self._loading:
            return
        self._loading = True
        current = self.current_item()
        self._keep_task = current.task_id if current else None
        self.runner.start(lambda _state: self.services.followup.my_day(user.id),
                          on_done=self._show, on_error=self._failed)

    def _failed(self, error: Exception, details: str) -> None:
        self._loading = False
        messages.error(self, "My day", f"Your tasks could not be read: {error}", details)

    def _show(self, day: MyDay | None) -> None:
        self._loading = False
        self.model.set_day(day)
        for row in range(self.model.rowCount()):
            span = self.model.columnCount() if self.model.is_section(row) else 1
            if self.table.columnSpan(row, 0) != span:
                self.table.setSpan(row, 0, 1, span)
        if day is None or self.model.task_count == 0:
            self.summary.setText("")
            self.empty.setText(self._empty_text(day is None))
            self.stack.setCurrentWidget(self.empty)
        else:
            late = f"<span style='color:{alarm_colour()}; font-weight:600'>{len(day.overdue)} overdue" \
                   "</span>" if day.overdue else "0 overdue"
            self.summary.setText(f"{late} · {len(day.today)} today · "
                                 f"{len(day.upcoming)} in the next 7 days")
            self.stack.setCurrentWidget(self.table)
            row = self.model.row_of_task(self._keep_task) if self._keep_task else None
            self.select_row(row if row is not None else self.model.first_task_row())
        self._enable()
        self.loaded.emit(day.due_now if day else 0)

    def _empty_text(self, no_user: bool) -> str:
        if no_user:
            return "Sign in to see your tasks (File → Switch user…)."
        return ("Nothing due. Your overdue, today's and this week's follow-ups appear here as "
                "soon as leads are assigned to you.\n\nOpen Leads (Ctrl+2) to pick up a lead, "
                "or log a touch on any lead with Ctrl+L.")

    def select_row(self, row: int | None) -> None:
        if row is None:
            return
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)

    def current_item(self) -> DueItem | None:
        index = self.table.currentIndex()
        return self.model.item(index.row()) if index.isValid() else None

    def _current_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self._enable()

    def _enable(self) -> None:
        item = self.current_item()
        self.call_button.setEnabled(bool(item and item.phone))
        self.email_button.setEnabled(bool(item and item.email))
        for button in (self.log_button, self.snooze_button, self.open_button):
            button.setEnabled(item is not None)

    # -- actions ------------------------------------------------------------------------------
    def call(self) -> None:
        item = self.current_item()
        if item is not None and item.phone:
            open_url(tel_url(item.phone))

    def email(self) -> None:
        item = self.current_item()
        if item is not None and item.email:
            open_url(mailto_url(item.email, item.title, item.notes))

    def log_touch(self) -> None:
        item = self.current_item()
        if item is None:
            return
        if log_touch_for(self, self.services, item.lead_id, item.lead_name, item.task_id,
                         item.title, item.kind):
            self._after_change(f"Logged: {item.title or item.kind.label}")

    def snooze(self) -> None:
        item = self.current_item()
        if item is None:
            return
        until = snooze_task(self, self.services, item.task_id, item.title or item.kind.label)
        if until is not None:
            self._after_change(f"Snoozed until {until.astimezone():%a %Y-%m-%d %H:%M}")

    def open_lead(self) -> None:
        item = self.current_item()
        if item is not None:
            self.openLead.emit(item.lead_id)

    def _after_change(self, status: str) -> None:
        self.refresh()
        self.changed.emit()
        window = self.window()
        if hasattr(window, "statusBar"):
            window.statusBar().showMessage(status, 5000)

    def stop_background_work(self) -> None:
        """Nothing long-running to cancel: a read either arrives or is dropped."""
