"""The lead pane's follow-up strip: the first-touch countdown, open tasks, Log touch, Snooze."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.leads import LeadRecord
from app.domain.service_levels import SlaState, countdown_text, sla_state
from app.domain.tasks import TaskKind
from app.ui.style import ALARM, WARNING, alarm_colour, emphasise


class LeadTasksPanel(QWidget):
    """What is next for one lead, and the two things to do about it. ``touched`` is emitted
    after a touch was logged or a task snoozed from here."""

    touched = Signal()

    def __init__(self, clock: Callable[[], dt.datetime], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.clock = clock
        self.record: LeadRecord | None = None
        self.services: Any = None  # the follow-up services, attached by the main window
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.sla_label = QLabel()
        self.sla_label.setObjectName("firstTouchCountdown")
        layout.addWidget(self.sla_label)
        self.task_list = QListWidget()
        self.task_list.setObjectName("leadTasks")
        self.task_list.setAccessibleName("Open tasks")
        self.task_list.setMaximumHeight(84)
        # A line too long for the pane ends in "…" (its tooltip has all of it), rather than
        # a scroll bar taking one of the few lines.
        self.task_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.task_list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.task_list.currentRowChanged.connect(lambda _row: self._enable_tasks())
        layout.addWidget(self.task_list)
        task_buttons = QHBoxLayout()
        self.touch_button = QPushButton("Log touch…")
        self.touch_button.setToolTip("Record a call, email or meeting; with a task selected it "
                                     "completes that task (Ctrl+L)")
        self.touch_button.clicked.connect(self.log_touch)
        self.snooze_button = QPushButton("Snooze…")
        self.snooze_button.setToolTip("Move the selected task to another day")
        self.snooze_button.clicked.connect(self.snooze)
        task_buttons.addWidget(self.touch_button)
        task_buttons.addWidget(self.snooze_button)
        task_buttons.addStretch(1)
        layout.addLayout(task_buttons)

    def show_tasks(self, record: LeadRecord) -> None:
        self.record = record
        services = self.services
        self.task_list.clear()
        self.sla_label.hide()
        if services is None:
            self.task_list.hide()
            return
        calendar = services.cadences.calendar()
        now = self.clock()
        if record.first_touch_due_at is not None and record.first_touch_at is None \
                and record.status.is_open:
            state = sla_state(record.first_touch_due_at, None, now, calendar)
            self.sla_label.setText(
                f"First touch: {countdown_text(record.first_touch_due_at, now, calendar)}")
            emphasise(self.sla_label, {SlaState.BREACHED: ALARM,
                                       SlaState.DUE_SOON: WARNING}.get(state))
            self.sla_label.show()
        tasks = [t for t in services.followup.tasks_for_lead(record.id) if t.done_at is None]
        for task in sorted(tasks, key=lambda t: t.due_at):
            when = task.due_at.astimezone(calendar.zone).strftime("%a %Y-%m-%d %H:%M")
            text = f"{when} · {task.kind.label}: {task.title}"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, task)
            if task.due_at < now:
                item.setForeground(QBrush(QColor(alarm_colour())))
            # A narrow pane elides the line: the tooltip has all of it, with the notes.
            item.setToolTip("\n\n".join(part for part in (text, task.notes[:500]) if part))
            self.task_list.addItem(item)
        self.task_list.setVisible(bool(tasks))
        if tasks:
            self.task_list.setCurrentRow(0)
        self._enable_tasks()

    def _enable_tasks(self) -> None:
        self.touch_button.setEnabled(self.services is not None)
        self.snooze_button.setEnabled(self.services is not None
                                      and self.task_list.currentItem() is not None)

    def _selected_task(self) -> Any:
        item = self.task_list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def log_touch(self) -> None:
        from app.ui.followup_actions import log_touch_for

        if self.record is None or self.services is None:
            return
        task = self._selected_task()
        if log_touch_for(self, self.services, self.record.id, self.record.display_name,
                         task.id if task else None, task.title if task else "",
                         task.kind if task else TaskKind.CALL):
            self.touched.emit()

    def snooze(self) -> None:
        from app.ui.followup_actions import snooze_task

        task = self._selected_task()
        if self.record is None or self.services is None or task is None:
            return
        if snooze_task(self, self.services, task.id, task.title or task.kind.label,
                       self.record.display_name):
            self.touched.emit()
