"""The assignment board: queues with counts, the leads in the chosen row, reps with workload.

A manager empties the unassigned queue at the end of a show day by dragging leads onto reps
(or "Assign to…"). Every assignment is one undoable step. The counts come from whole-table
aggregates, so they are read on a worker thread and arrive a moment after the board is shown.

Each row's count and the list it opens are one definition: the orphans row counts exactly the
leads ``LeadQuery(orphaned=True)`` lists (waiting for follow-up, nobody able to work them:
converted and closed leads never are), and the header's orphan number is that row's. The board
opens on the orphans whenever there are any.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.leads import LeadQuery, LeadRecord, SortKey
from app.domain.people import Availability
from app.services.container import Services
from app.services.lead_listing import LeadListing
from app.services.reassignment_service import RunResult
from app.ui import messages
from app.ui.dialogs.reassign_dialog import AssignToDialog, Target
from app.ui.models.lead_table_model import LeadTableModel, prepared_listing
from app.ui.pages.assignment_drag import LeadDragTable
from app.ui.pages.assignment_reps import RepsPanel, heading
from app.ui.pages.assignment_rows import (
    NOBODY_ROW,
    OLDEST_FIRST,
    ORPHANS_ROW,
    QUEUE_ROW,
    REP_ROW,
    ROW_ROLE,
    BoardCounts,
    first_row_to_work,
    first_to_work,
    list_for,
    row_count,
)
from app.ui.style import alarm_colour
from app.ui.undo import AssignmentRunCommand
from app.ui.wording import counted
from app.ui.workers import JobState, Lane, TaskRunner


class AssignmentPage(QWidget):
    """Emits ``leadsChanged`` after leads moved, so other screens re-read their lists."""

    leadsChanged = Signal()

    def __init__(self, services: Services, runner: TaskRunner, undo_stack: QUndoStack,
                 on_demo: Callable[[], None], on_import: Callable[[], None],
                 on_reapply: Callable[[], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services, self.runner, self.undo_stack = services, runner, undo_stack
        self.counts: BoardCounts | None = None
        self._counts_job: JobState | None = None
        self._empty_message = ""
        self._bold = QFont()
        self._bold.setBold(True)
        self.model = LeadTableModel(services.leads, runner, services.context.clock, self)
        self._prepared: LeadListing | None = None  # the next list, read with the counts
        self.model.countChanged.connect(self._lead_count_changed)

        top = QHBoxLayout()
        title = QLabel("Assignment board")
        title.setStyleSheet("font-size: 16pt; font-weight: 600;")
        self.summary = QLabel()
        self.summary.setObjectName("boardSummary")
        self.assign_button = QPushButton("&Assign to…")
        self.assign_button.setShortcut("Ctrl+Shift+A")
        self.assign_button.setToolTip("Give the selected leads to a rep or a queue "
                                      "(Ctrl+Shift+A); or drag them onto a rep")
        self.assign_button.clicked.connect(self.assign_selected)
        self.reapply_button = QPushButton("Re-apply &rules…")
        self.reapply_button.setToolTip("Route existing leads again with the current rules "
                                       "(Ctrl+Shift+R)")
        self.reapply_button.clicked.connect(on_reapply)
        top.addWidget(title)
        top.addSpacing(16)
        top.addWidget(self.summary, 1)
        top.addWidget(self.reapply_button)
        top.addWidget(self.assign_button)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self._build_queues())
        self.splitter.addWidget(self._build_leads(on_demo, on_import))
        self.reps = RepsPanel()
        self.rep_list, self.no_reps = self.reps.rep_list, self.reps.no_reps
        self.rep_list.leadsDropped.connect(self.assign_to_rep)
        self.reps.repChosen.connect(self._rep_chosen)
        self.reps.availabilityChosen.connect(self.set_availability)
        self.splitter.addWidget(self.reps)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 5)
        self.splitter.setStretchFactor(2, 3)
        self.splitter.setSizes([260, 640, 380])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)
        self._enable_assign()

    # -- building -----------------------------------------------------------------------------
    def _build_queues(self) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(heading("Queues · open leads"))
        self.queue_list = QListWidget()
        self.queue_list.setObjectName("queueList")
        self.queue_list.setAccessibleName("Queues")
        self.queue_list.setSpacing(3)
        self.queue_list.setWordWrap(True)
        self.queue_list.currentItemChanged.connect(lambda item, _old: self._row_chosen(item))
        layout.addWidget(self.queue_list, 1)
        return box

    def _build_leads(self, on_demo: Callable[[], None], on_import: Callable[[], None]
                     ) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        self.list_title = heading("")
        self.list_title.setWordWrap(True)
        layout.addWidget(self.list_title)
        self.lead_stack = QStackedWidget()
        self.table = LeadDragTable()
        self.table.setObjectName("boardLeadTable")
        self.table.setAccessibleName("Leads in the selected queue")
        self.table.setModel(self.model)
        self.table.selected_ids = lambda: [r.id for r in self.selected_records()]
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setDragEnabled(True)
        self.table.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        for column, width in enumerate((160, 160, 100, 80, 110)):
            self.table.setColumnWidth(column, width)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._enable_assign())
        self.lead_stack.addWidget(self.table)
        self.empty = QWidget()
        empty_layout = QVBoxLayout(self.empty)
        empty_layout.addStretch(1)
        self.empty_text = QLabel()
        self.empty_text.setWordWrap(True)
        self.empty_text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        empty_layout.addWidget(self.empty_text)
        self.empty_buttons = QWidget()
        buttons = QHBoxLayout(self.empty_buttons)
        buttons.addStretch(1)
        demo = QPushButton("Load demo data")
        demo.clicked.connect(on_demo)
        importing = QPushButton("Import leads… (Ctrl+I)")
        importing.clicked.connect(on_import)
        buttons.addWidget(demo)
        buttons.addWidget(importing)
        buttons.addStretch(1)
        empty_layout.addWidget(self.empty_buttons)
        empty_layout.addStretch(2)
        self.lead_stack.addWidget(self.empty)
        layout.addWidget(self.lead_stack, 1)
        return box

    def refresh(self) -> None:
        """Re-read counts and workload in the background, and the current lead list."""
        if self._counts_job is not None:
            self._counts_job.cancel()
        routing, leads = self.services.routing, self.services.leads

        states: list[JobState] = []

        chosen = self.queue_list.currentItem().data(ROW_ROLE) \
            if self.queue_list.currentItem() else None
        order = self.model.query if self.model.listing is not None else OLDEST_FIRST

        def work(state: JobState) -> tuple[BoardCounts, LeadListing] | None:
            states.append(state)
            if state.cancelled:
                return None
            counts = BoardCounts(routing.queue_counts(), routing.orphan_count(),
                                 routing.workload(), leads.count(LeadQuery()))
            # The list the board will show is read here too, not on the GUI thread.
            kind, ident = chosen if chosen is not None and chosen[0] != REP_ROW else \
                first_row_to_work(counts)
            query = replace(list_for(kind, ident, "")[0], sort=order.sort,
                            descending=order.descending)
            return counts, prepared_listing(leads, query, row_count(counts, kind, ident))

        def done(result: tuple[BoardCounts, LeadListing] | None) -> None:
            # A newer refresh cancelled this one: its counts may already be out of date.
            if result is None or (states and states[0].cancelled):
                return
            self._counts_job = None
            self.show_counts(*result)

        def failed(error: Exception, details: str) -> None:
            self._counts_job = None
            messages.error(self, "Assignment board", f"Counts could not be read: {error}",
                           details)

        if self.counts is None:
            self.summary.setText("Counting…")
        self._counts_job = self.runner.start(work, on_done=done, on_error=failed,
                                             lane=Lane.READ, owner=self)

    def stop_background_work(self) -> None:
        if self._counts_job is not None:
            self._counts_job.cancel()
        self.model.stop_background_work()

    def show_counts(self, counts: BoardCounts, listing: LeadListing | None = None) -> None:
        self._prepared = listing
        self.counts = counts
        chosen = self.queue_list.currentItem().data(ROW_ROLE) \
            if self.queue_list.currentItem() else None
        self.queue_list.blockSignals(True)
        self.queue_list.clear()
        no_owner = next((c.open_leads for c in counts.queues if c.queue is None), 0)
        self._add_row("Orphans: nobody can work them", counts.orphans, (ORPHANS_ROW, None),
                      alarm=True, tip="Leads waiting for follow-up that nobody can work: no "
                      "owner and no queue, or an owner who is away or inactive (converted and "
                      "closed leads are never orphans). Re-apply rules to route them again, "
                      "or drag them onto a rep.")
        self._add_row("No owner, no queue", no_owner, (NOBODY_ROW, None), alarm=True,
                      tip="Leads waiting for follow-up that nobody owns and no queue holds: "
                      "nobody will call them.")
        for count in counts.queues:
            if count.queue is not None:
                catch_all = " (catch-all)" if count.queue.is_catch_all else ""
                self._add_row(f"{count.queue.name}{catch_all}", count.open_leads,
                              (QUEUE_ROW, count.queue.id))
        self.queue_list.blockSignals(False)
        rows = [self.queue_list.item(i) for i in range(self.queue_list.count())]
        current = next((i for i in rows if i.data(ROW_ROLE) == chosen), None) \
            or first_to_work(rows, counts)
        self.queue_list.setCurrentItem(current)
        if chosen is None or self.model.listing is None:
            self._row_chosen(current)
        self.reps.show_workload(counts.workload)
        waiting = sum(c.open_leads for c in counts.queues)
        self.summary.setText(
            f"{counted(counts.orphans, 'orphan')} · "
            f"{counted(waiting, 'lead')} waiting without an owner")
        self.summary.setStyleSheet(f"color: {alarm_colour()}; font-weight: 600;"
                                   if counts.orphans else "")
        self._lead_count_changed(self.model.rowCount())

    def _add_row(self, text: str, count: int, row: tuple[str, uuid.UUID | None], *,
                 alarm: bool = False, tip: str = "") -> None:
        item = QListWidgetItem(f"{text}\n{counted(count, 'open lead')}")
        item.setData(ROW_ROLE, row)
        item.setToolTip(tip)
        if alarm and count:
            # Orphans must be impossible to miss: red and bold whenever there are any.
            item.setForeground(QBrush(QColor(alarm_colour())))
            item.setFont(self._bold)
        self.queue_list.addItem(item)

    # -- the lead list ------------------------------------------------------------------------
    def _row_chosen(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        kind, ident = item.data(ROW_ROLE)
        query, title, empty = list_for(kind, ident, item.text().split("\n")[0])
        self.rep_list.clearSelection()
        self._set_list(query, title, empty)

    def _rep_chosen(self, user_id: uuid.UUID, name: str) -> None:
        self.queue_list.clearSelection()
        self._set_list(LeadQuery(owner_id=user_id, open_only=True, sort=SortKey.CREATED,
                                 descending=False), f"{name}'s open leads",
                       f"{name} has no open leads.")

    def _set_list(self, query: LeadQuery, title: str, empty: str) -> None:
        self.list_title.setText(title)
        self._empty_message = empty
        prepared, self._prepared = self._prepared, None
        if self.model.listing is not None:
            query = replace(query, sort=self.model.query.sort,
                            descending=self.model.query.descending)
        if prepared is not None and prepared.query == query:
            self.model.show_listing(prepared)  # read with the counts, off the GUI thread
        elif query != self.model.query or self.model.listing is None:
            self.model.set_query(query)
        self._lead_count_changed(self.model.rowCount())

    def _lead_count_changed(self, shown: int) -> None:
        if shown:
            self.lead_stack.setCurrentIndex(0)
        else:
            # Until the counts arrive it is not known whether the database is empty.
            no_leads = self.counts is not None and self.counts.leads == 0
            self.empty_text.setText(
                "No leads yet. Import a lead export or load demo data to fill the board."
                if no_leads else self._empty_message if self.counts is not None else "")
            self.empty_buttons.setVisible(no_leads)
            self.lead_stack.setCurrentIndex(1)
        self._enable_assign()

    def selected_records(self) -> list[LeadRecord]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [r for r in (self.model.record(row) for row in rows) if r is not None]

    def _enable_assign(self) -> None:
        count = len(self.table.selectionModel().selectedRows())
        self.assign_button.setEnabled(count > 0)
        self.assign_button.setText(f"&Assign {count:,} to…" if count > 1 else "&Assign to…")

    # -- assigning ----------------------------------------------------------------------------
    def assign_selected(self) -> None:
        records = self.selected_records()
        if not records:
            messages.info(self, "Assign leads", "Select one or more leads in the list first.")
            return
        target = AssignToDialog.ask(self.services, len(records), self)
        if target is not None:
            self.assign([r.id for r in records], target)

    def assign_to_rep(self, user_id: uuid.UUID, lead_ids: list[uuid.UUID]) -> None:
        user = next((w.user for w in (self.counts.workload if self.counts else ())
                     if w.user.id == user_id), None)
        name = user.name if user else "rep"
        if user is not None and not user.can_receive_leads and not messages.confirm(
                self, "Assign to an absent rep", f"{name} is {user.availability.label.lower()}: "
                "their leads count as orphans until they are back. Assign anyway?", "Assign"):
            return
        self.assign(lead_ids, Target(user_id, None, name))

    def assign(self, lead_ids: list[uuid.UUID], target: Target) -> None:
        routing = self.services.routing

        def again() -> RunResult:
            return routing.assign(lead_ids, owner_id=target.owner_id, queue_id=target.queue_id,
                                  reason=target.reason)

        with messages.reported(self, "Leads not assigned") as attempt:
            result = routing.assign(lead_ids, owner_id=target.owner_id,
                                    queue_id=target.queue_id, reason=target.reason)
        if attempt.failed:
            return
        what = counted(len(lead_ids), "lead")
        if result.run_id is not None:
            self.undo_stack.push(AssignmentRunCommand(f"Assign {what} to {target.name}",
                                                      routing, result.run_id, again,
                                                      self.after_change))
        self.after_change()
        moved = len(result.moves)
        self.summary.setText(f"Assigned {moved:,} of {what} to {target.name}. Ctrl+Z undoes it.")

    def after_change(self) -> None:
        self.refresh()
        self.leadsChanged.emit()

    # -- reps ---------------------------------------------------------------------------------
    def set_availability(self, user_id: uuid.UUID, availability: Availability) -> None:
        with messages.reported(self, "Availability not changed") as attempt:
            self.services.people.set_availability(user_id, availability)
        if attempt.failed:
            return
        self.refresh()

    def rep_item(self, name: str) -> QListWidgetItem:
        """The rep's row (tests and screenshots find reps by name)."""
        return self.reps.item(name)
