"""My day: the rep's to-do list. Overdue first, then today, then the next seven days.

Keyboard first: arrows move between tasks, Enter opens the lead, L logs a touch, S snoozes.
One click calls (tel:) or writes the email (mailto: with the task's rendered text). Each bucket
is read a page at a time (a "show more" row reads the next), so thousands of overdue tasks
never hide today's, and counted exactly. Reads run on the runner's read lane: the first rows
first, painted at once, then the counts of the long buckets. Every action re-reads the list,
keeps the selection in place, and tells the window the number due (tray count).
"""

from __future__ import annotations

import uuid
from zoneinfo import ZoneInfo

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
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

from app.domain.tasks import DueBucket, DueItem, DueOverview
from app.services.container import Services
from app.services.followup_service import DUE_FIRST_ROWS, DUE_MORE_ROWS
from app.ui import messages
from app.ui.followup_actions import log_touch_for, mailto_url, open_url, snooze_task, tel_url
from app.ui.models.due_model import DUE, KIND, LEAD, PHONE, RATING, TITLE, DueModel, relative_due
from app.ui.style import alarm_colour
from app.ui.workers import JobCancelledError, Lane, TaskRunner


class MyDayPage(QWidget):
    """``openLead`` carries a lead id; ``changed`` fires after a touch or snooze, ``loaded``
    with the number due now (overdue + today, counted exactly) whenever the list was read."""

    openLead = Signal(object)
    changed = Signal()
    loaded = Signal(int)

    def __init__(self, services: Services, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services, self.runner = services, runner
        self._loading = False
        self._reload_wanted = False
        self._generation = 0  # bumped by every read of the whole list: older pages are stale
        self._fetching: set[DueBucket] = set()
        self._keep: list[uuid.UUID] = []  # tasks to select after the next read, first found wins
        self.model = DueModel(services.context.clock, self._zone, DUE_MORE_ROWS, self)

        top = QHBoxLayout()
        title = QLabel("My day")
        title.setStyleSheet("font-size: 16pt; font-weight: 600;")
        self.summary = QLabel()
        self.summary.setObjectName("myDaySummary")
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                             | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.summary.setToolTip("Click a count to go to those tasks")
        self.summary.linkActivated.connect(lambda key: self.go_to(DueBucket(key)))
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
        for column in (TITLE, LEAD):  # the task and the lead share what the window leaves
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        for column, width in ((DUE, 140), (KIND, 100), (RATING, 80), (PHONE, 140)):
            self.table.setColumnWidth(column, width)
        self.table.activated.connect(self._activated)
        self.table.clicked.connect(self._clicked)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        for signal in (self.model.modelReset, self.model.rowsInserted, self.model.rowsRemoved):
            signal.connect(self._span_rows)
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

    def _zone(self) -> ZoneInfo:
        return self.services.cadences.calendar().zone

    # -- reading ------------------------------------------------------------------------------
    def refresh(self, *, keep: list[uuid.UUID] | None = None) -> None:
        """Re-read every bucket (as far as the rep had opened each) in the background.
        ``keep``: the tasks to select afterwards, first found wins; by default the current one
        and, should it have left the list, the one that took its place."""
        user = self.services.people.current_user()
        if user is None:
            self._generation += 1
            self._show(self._generation, None)
            return
        if keep is None:
            row = self.table.currentIndex().row()
            current = self.model.item(row)
            keep = ([current.task_id] + self.model.neighbours(row)) if current else []
        self._keep = keep
        if self._loading:
            self._reload_wanted = True  # the read under way may predate the change
            return
        self._loading = True
        self._generation += 1
        shown = self.model.shown()
        rows = {bucket: max(first, shown.get(bucket, 0)) for bucket, first in DUE_FIRST_ROWS.items()}
        generation, followup = self._generation, self.services.followup
        self.runner.start(lambda _state: followup.due_overview(user.id, rows=rows, count=False),
                          on_done=lambda overview: self._show(generation, overview),
                          on_error=self._failed, lane=Lane.READ, owner=self)

    def _failed(self, error: Exception, details: str) -> None:
        self._loading = False
        self._fetching.clear()
        if isinstance(error, JobCancelledError):
            return  # the window is closing: nobody is waiting for the list any more
        messages.error(self, "My day", f"Your tasks could not be read: {error}", details)

    def _show(self, generation: int, overview: DueOverview | None) -> None:
        self._loading = False
        if generation != self._generation:
            return
        if self._reload_wanted:
            self._reload_wanted = False
            self.refresh(keep=self._keep)
            return
        self._fetching.clear()
        self.model.set_overview(overview)
        if overview is None or self.model.task_count == 0:
            self.summary.setText("")
            self.empty.setText(self._empty_text(overview is None))
            self.stack.setCurrentWidget(self.empty)
        else:
            self.summary.setText(self._summary_text(overview))
            self.stack.setCurrentWidget(self.table)
            rows = (self.model.row_of_task(task_id) for task_id in self._keep)
            self.select_row(next((r for r in rows if r is not None),
                                 self.model.first_task_row()))
        self._keep = []
        self._enable()
        if overview is not None and not overview.counted:
            followup = self.services.followup
            self.runner.start(lambda _state: followup.count_overview(overview),
                              on_done=lambda counted: self._counted(generation, counted),
                              on_error=self._failed, lane=Lane.READ, owner=self)
        else:
            self.loaded.emit((overview.due_now or 0) if overview else 0)

    def _counted(self, generation: int, counted: DueOverview) -> None:
        if generation != self._generation:
            return  # the list was read again meanwhile: its own count follows
        self.model.set_counts(counted)
        if self.model.overview is not None:
            self.summary.setText(self._summary_text(self.model.overview))
        self.loaded.emit(counted.due_now or 0)

    def _summary_text(self, overview: DueOverview) -> str:
        """The three counts, each a link to its tasks; overdue in red when there are any."""
        link = "text-decoration: none; color: {};"
        sizes = {s.bucket: f"{s.count:,}" if s.count is not None else f"{len(s.items):,}+"
                 for s in overview.sections}
        late = overview.section(DueBucket.OVERDUE).items
        late_style = (link.format(alarm_colour()) + " font-weight: 600;") if late \
            else link.format("palette(text)")
        plain = link.format("palette(text)")
        counting = "" if overview.counted else " <i>(counting…)</i>"
        return (f"<a href='overdue' style='{late_style}'>{sizes[DueBucket.OVERDUE]} overdue</a>"
                f" · <a href='today' style='{plain}'>{sizes[DueBucket.TODAY]} today</a> · "
                f"<a href='upcoming' style='{plain}'>{sizes[DueBucket.UPCOMING]} in the next "
                f"7 days</a>{counting}")

    def _empty_text(self, no_user: bool) -> str:
        if no_user:
            return "Sign in to see your tasks (File → Switch user…)."
        return ("Nothing due. Your overdue, today's and this week's follow-ups appear here as "
                "soon as leads are assigned to you.\n\nOpen Leads (Ctrl+2) to pick up a lead, "
                "or log a touch on any lead with Ctrl+L.")

    def show_more(self, bucket: DueBucket) -> None:
        """Read the bucket's next page and list it under what is shown."""
        overview, user = self.model.overview, self.services.people.current_user()
        if overview is None or user is None or bucket in self._fetching:
            return
        section = overview.section(bucket)
        if not section.has_more or not section.items:
            return
        self._fetching.add(bucket)
        generation, followup, last = self._generation, self.services.followup, section.items[-1]
        wanted = DUE_MORE_ROWS if section.count is None \
            else min(DUE_MORE_ROWS, section.count - len(section.items))
        self.runner.start(
            lambda _state: followup.due_after(user.id, section.range, last, limit=wanted),
            on_done=lambda items: self._more_arrived(generation, bucket, wanted, items),
            on_error=self._failed, lane=Lane.READ, owner=self)

    def _more_arrived(self, generation: int, bucket: DueBucket, wanted: int,
                      items: tuple[DueItem, ...]) -> None:
        self._fetching.discard(bucket)
        if generation != self._generation:
            return  # the whole list was read again meanwhile
        more_was_current = self.model.more_at(self.table.currentIndex().row()) is not None
        counted = self.model.overview is not None \
            and self.model.overview.section(bucket).count is not None
        self.model.append(bucket, items)
        if more_was_current and items:
            self.select_row(self.model.row_of_task(items[0].task_id))  # read on from there
        if counted and len(items) < wanted:
            self.refresh()  # tasks were done or moved since the count: count again

    def go_to(self, bucket: DueBucket) -> None:
        """Show a bucket's heading at the top and select its first task."""
        heading = self.model.heading_row(bucket)
        if heading is None:
            return
        self.select_row(self.model.first_task_row(bucket))
        self.table.scrollTo(self.model.index(heading, 0),
                            QAbstractItemView.ScrollHint.PositionAtTop)
        self.table.setFocus()

    def _span_rows(self, *_args: object) -> None:
        # Headings and "show more" rows span the table; rows that moved lose a stale span.
        for row in range(self.model.rowCount()):
            span = self.model.columnCount() if self.model.is_section(row) else 1
            if self.table.columnSpan(row, 0) != span:
                self.table.setSpan(row, 0, 1, span)

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

    def _activated(self, index: QModelIndex) -> None:
        more = self.model.more_at(index.row())
        if more is not None:
            self.show_more(more.bucket)
        else:
            self.open_lead()

    def _clicked(self, index: QModelIndex) -> None:
        more = self.model.more_at(index.row())
        if more is not None:
            self.show_more(more.bucket)

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
        after = self.model.neighbours(self.table.currentIndex().row())
        if log_touch_for(self, self.services, item.lead_id, item.lead_name, item.task_id,
                         item.title, item.kind):
            self._after_change(f"Logged: {item.title or item.kind.label}", after)

    def snooze(self) -> None:
        item = self.current_item()
        if item is None:
            return
        after = self.model.neighbours(self.table.currentIndex().row())
        title = item.title or item.kind.label
        until = snooze_task(self, self.services, item.task_id, title, item.lead_name)
        if until is not None:
            when = relative_due(until, self.services.context.clock(), self._zone())
            self._after_change(f"Snoozed {title} ({item.lead_name}) until {when}", after)

    def open_lead(self) -> None:
        item = self.current_item()
        if item is not None:
            self.openLead.emit(item.lead_id)

    def _after_change(self, status: str, keep: list[uuid.UUID]) -> None:
        """Re-read after a touch or snooze; the selection stays in place: on the task that
        followed the one just worked (it moved away or is done)."""
        self.refresh(keep=keep)
        self.changed.emit()
        window = self.window()
        if hasattr(window, "statusBar"):
            window.statusBar().showMessage(status, 5000)

    def stop_background_work(self) -> None:
        """Nothing long-running to cancel: reads arrive or are dropped (a newer read wins)."""
        self._generation += 1
