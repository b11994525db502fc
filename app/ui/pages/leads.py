"""The Leads screen: filters, the lazy lead table, and the detail pane, with empty states."""

from __future__ import annotations

import datetime as dt
import html
import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QFontMetrics, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.leads import LeadQuery, LeadRecord, LeadStatus, Rating
from app.services.container import Services
from app.ui import messages
from app.ui.form_rows import let_combo_shrink
from app.ui.lead_detail import LeadDetailPane
from app.ui.lead_form import FormChoices
from app.ui.models.lead_table_model import COLUMNS, LeadTableModel
from app.ui.pages.leads_empty_state import EmptyState
from app.ui.undo import DeleteLeadCommand
from app.ui.workers import TaskRunner

_OPEN = "open"
_ME = "me"
_UNASSIGNED = "unassigned"
_ORPHANED = "orphaned"
_AWAITING = "awaiting_registration"


class LeadsPage(QWidget):
    """Emits ``countsChanged(shown, total)`` for the status bar."""

    countsChanged = Signal(int, int)
    searchCleared = Signal()

    def __init__(self, services: Services, runner: TaskRunner, undo_stack: QUndoStack,
                 on_demo: Callable[[], None], on_new: Callable[[], None],
                 on_import: Callable[[], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services, self.undo_stack = services, undo_stack
        self.total = 0  # known after the first unfiltered count, see _count_changed
        self.owner_scope: uuid.UUID | None = None  # a rep's list: their own leads only
        self._search = ""
        self.model = LeadTableModel(services.leads, runner, services.context.clock, self)
        self.model.countChanged.connect(self._count_changed)
        self.detail = LeadDetailPane(services.leads, undo_stack, self._choices(),
                                     services.context.clock)
        self.detail.saved.connect(self.lead_stored)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addLayout(self._build_filters())
        # Shown while the list holds leads chosen elsewhere (a notice, "Open lead"), not a filter.
        self._chosen_caption = ""
        self.chosen_banner = QLabel()
        self.chosen_banner.setObjectName("chosenLeadsBanner")
        self.chosen_banner.setWordWrap(True)
        self.chosen_banner.linkActivated.connect(lambda _link: self.clear_filters())
        self.chosen_banner.hide()
        layout.addWidget(self.chosen_banner)
        self.scope_banner = QLabel("Showing your own leads only: a sales rep's list is filtered "
                                   "to the leads they own.")
        self.scope_banner.setObjectName("ownLeadsBanner")
        self.scope_banner.setWordWrap(True)
        self.scope_banner.hide()
        layout.addWidget(self.scope_banner)
        self.stack = QStackedWidget()
        self.empty_state = EmptyState(on_demo, on_new, on_import)
        self.stack.addWidget(self.empty_state)
        self.stack.addWidget(self._build_table())
        self.stack.addWidget(self._build_no_match())
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("leadsSplitter")
        self.splitter.addWidget(self.stack)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        layout.addWidget(self.splitter, 1)
        self.apply_filters()
        self._count_changed(self.model.rowCount())

    def _choices(self) -> FormChoices:
        return FormChoices(users=tuple(self.services.people.users()),
                           events=tuple(self.services.events.events()),
                           teams=tuple(self.services.people.teams()),
                           queues=tuple(self.services.people.queues()))

    # -- building -----------------------------------------------------------------------------
    def _build_filters(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.status_filter = QComboBox()
        self.status_filter.setAccessibleName("Status filter")
        self.status_filter.addItem("Any status", None)
        self.status_filter.addItem("Open (not won, lost or disqualified)", _OPEN)
        self.status_filter.addItem("Waiting for registration data", _AWAITING)
        for status in LeadStatus:
            self.status_filter.addItem(status.label, status.value)
        self.owner_filter = QComboBox()
        self.owner_filter.setAccessibleName("Owner filter")
        self.event_filter = QComboBox()
        self.event_filter.setAccessibleName("Event filter")
        self.rating_filter = QComboBox()
        self.rating_filter.setAccessibleName("Rating filter")
        self.rating_filter.addItem("Any rating", None)
        for rating in Rating:
            self.rating_filter.addItem(rating.label, rating.value)
        self.overdue_filter = QCheckBox("&Overdue")
        self.review_filter = QCheckBox("Needs re&view")
        self.clear_button = QPushButton("Clear filters")
        self.clear_button.clicked.connect(self.clear_filters)
        self.reload_choices()
        for combo in (self.status_filter, self.owner_filter, self.event_filter,
                      self.rating_filter):
            combo.currentIndexChanged.connect(self.apply_filters)
        self.rating_filter.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        for box in (self.overdue_filter, self.review_filter):
            box.toggled.connect(self.apply_filters)
        row.addWidget(QLabel("Show:"))
        # Long choices (events, names) narrow down to what the window has room for; they
        # share the spare width, so at 1024 pixels the whole row still fits.
        for combo in (self.status_filter, self.owner_filter, self.event_filter):
            row.addWidget(let_combo_shrink(combo), 1)
        for widget in (self.rating_filter, self.overdue_filter, self.review_filter,
                       self.clear_button):
            row.addWidget(widget)
        row.addStretch(1)
        return row

    def reload_choices(self) -> None:
        """Refill owner and event filters (after demo data or a new user/event)."""
        current_owner, current_event = self.owner_filter.currentData(), self.event_filter.currentData()
        for combo in (self.owner_filter, self.event_filter):
            combo.blockSignals(True)
            combo.clear()
        self.owner_filter.addItem("Anyone", None)
        self.owner_filter.addItem("Me", _ME)
        self.owner_filter.addItem("Orphans", _ORPHANED)
        self.owner_filter.addItem("Unassigned (no owner)", _UNASSIGNED)
        for user in self.services.people.users():
            self.owner_filter.addItem(user.name, str(user.id))
        self.event_filter.addItem("All sources", None)
        for event in self.services.events.events():
            self.event_filter.addItem(event.name, str(event.id))
        for combo, data in ((self.owner_filter, current_owner), (self.event_filter, current_event)):
            combo.setCurrentIndex(max(combo.findData(data), 0))
            combo.blockSignals(False)

    def _build_table(self) -> QTableView:
        self.table = QTableView()
        self.table.setObjectName("leadTable")
        self.table.setAccessibleName("Leads")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        # Fixed row heights let Qt skip measuring a million rows.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(
            self.table.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        for column, width in enumerate(_column_widths(self.table)):
            self.table.setColumnWidth(column, width)
        # Newest first; set before enabling sorting so the list is queried once.
        header.setSortIndicator(len(COLUMNS) - 1, Qt.SortOrder.DescendingOrder)
        self.table.setSortingEnabled(True)
        self.table.selectionModel().currentRowChanged.connect(self._current_changed)
        self.table.doubleClicked.connect(lambda _i: self.detail.form.first_editor().setFocus())
        return self.table

    def _build_no_match(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        label = QLabel("No leads match these filters.")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        button = QPushButton("Clear search and filters")
        button.clicked.connect(self.clear_filters)
        layout.addWidget(label)
        layout.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        return page

    # -- filtering ----------------------------------------------------------------------------
    def set_owner_scope(self, owner_id: uuid.UUID | None) -> None:
        """Only ``owner_id``'s leads (a rep), or every lead (None), whatever the filters say."""
        if owner_id == self.owner_scope:
            return
        self.owner_scope = owner_id
        self.owner_filter.setEnabled(owner_id is None)
        self.scope_banner.setVisible(owner_id is not None)
        self.model.set_query(self._scoped(self.current_query()))

    def _scoped(self, query: LeadQuery) -> LeadQuery:
        if self.owner_scope is None:
            return query
        return replace(query, owner_id=self.owner_scope, unassigned=False, orphaned=False)

    def set_search(self, text: str) -> None:
        if text != self._search:
            self._search = text
            self.apply_filters()

    def current_query(self) -> LeadQuery:
        status = self.status_filter.currentData()
        owner = self.owner_filter.currentData()
        me = self.services.context.current_user_id
        rating = self.rating_filter.currentData()
        event = self.event_filter.currentData()
        return self._scoped(replace(
            self.model.query,
            search=self._search,
            statuses=(LeadStatus(status),) if status not in (None, _OPEN, _AWAITING) else (),
            open_only=status == _OPEN,
            awaiting_registration=status == _AWAITING,
            unassigned=owner == _UNASSIGNED,
            orphaned=owner == _ORPHANED,
            owner_id=me if owner == _ME else (uuid.UUID(owner) if owner not in (None, _ME,
                                                                               _UNASSIGNED,
                                                                               _ORPHANED)
                                              else None),
            event_id=uuid.UUID(event) if event else None,
            ratings=(Rating(rating),) if rating else (),
            overdue=self.overdue_filter.isChecked(),
            needs_review=self.review_filter.isChecked(),
            lead_ids=(),  # touching a filter leaves a chosen set for the whole list
        ))

    def apply_filters(self) -> None:
        query = self.current_query()
        if query != self.model.query or self.model.listing is None:
            self.model.set_query(query)

    def show_query(self, query: LeadQuery) -> None:
        """Show a list chosen elsewhere (home cards): filter widgets follow where they can."""
        widgets: list[QWidget] = [self.status_filter, self.owner_filter, self.event_filter,
                                  self.rating_filter, self.overdue_filter, self.review_filter]
        for widget in widgets:
            widget.blockSignals(True)
        status = _OPEN if query.open_only else _AWAITING if query.awaiting_registration else (
            query.statuses[0].value if query.statuses else None)
        owner = (_ORPHANED if query.orphaned and not query.unassigned else
                 _UNASSIGNED if query.unassigned else
                 _ME if query.owner_id and query.owner_id == self.services.context.current_user_id
                 else str(query.owner_id) if query.owner_id else None)
        _select(self.status_filter, status)
        _select(self.owner_filter, owner)
        _select(self.event_filter, str(query.event_id) if query.event_id else None)
        _select(self.rating_filter, query.ratings[0].value if query.ratings else None)
        self.overdue_filter.setChecked(query.overdue)
        self.review_filter.setChecked(query.needs_review)
        for widget in widgets:
            widget.blockSignals(False)
        self._search = query.search
        self.model.set_query(self._scoped(replace(query, sort=self.model.query.sort,
                                                  descending=self.model.query.descending)))

    def show_chosen(self, lead_ids: Sequence[uuid.UUID], caption: str) -> None:
        """Exactly these leads, with a banner that says why and leads back to all of them."""
        self._chosen_caption = caption
        self.show_query(LeadQuery(lead_ids=tuple(lead_ids)))

    def clear_filters(self) -> None:
        self.show_query(LeadQuery())
        self.searchCleared.emit()

    def _show_chosen_banner(self) -> None:
        chosen = bool(self.model.query.lead_ids)
        if chosen:
            self.chosen_banner.setText(
                f"{html.escape(self._chosen_caption)} · <a href='all'>Show all leads</a>")
        self.chosen_banner.setVisible(chosen)

    def _count_changed(self, shown: int) -> None:
        self._show_chosen_banner()
        query = self.model.query
        if not (replace(query, owner_id=None) if self.owner_scope else query).is_filtered:
            self.total = shown
        self.stack.setCurrentIndex(0 if self.total == 0 else (1 if shown else 2))
        self.countsChanged.emit(shown, self.total)
        if shown and not self.table.selectionModel().hasSelection():
            self.detail.show_lead(None)

    # -- selection and editing ----------------------------------------------------------------
    def _current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        if self.detail.has_unsaved_changes() and previous.isValid():
            name = self.detail.record.display_name if self.detail.record else "this lead"
            if messages.confirm(self, "Unsaved changes", f"Save your changes to {name}?",
                                "Save") and not self.detail.save():
                return
        record = self.model.record(current.row()) if current.isValid() else None
        self.detail.show_lead(record)

    def selected_records(self) -> list[LeadRecord]:
        rows = sorted({index.row() for index in self.table.selectionModel().selectedRows()})
        return [r for r in (self.model.record(row) for row in rows) if r is not None]

    def select_lead(self, record: LeadRecord) -> None:
        """Select a lead if it is in the list (e.g. right after creating it)."""
        row = self.model.locate(record)
        if row is None:
            self.table.selectionModel().clearSelection()  # no other lead looks chosen
            self.detail.show_lead(record)
            return
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)

    def lead_stored(self, record: LeadRecord) -> None:
        """After a save, undo or redo: show the new values without losing the scroll position."""
        if record.deleted_at is not None:
            self.model.refresh()
            if self.detail.record and self.detail.record.id == record.id:
                self.detail.show_lead(None)
            return
        if self.model.row_of(record) is None:
            self.model.refresh()
        else:
            self.model.update_record(record)

    def delete_selected(self) -> None:
        records = self.selected_records()
        if not records:
            return
        what = records[0].display_name if len(records) == 1 else f"{len(records):,} leads"
        if not messages.confirm(self, "Delete leads", f"Delete {what}? You can undo this with "
                                "Ctrl+Z.", "Delete"):
            return
        self.undo_stack.beginMacro(f"Delete {what}")
        try:
            for record in records:
                self.services.leads.delete(record.id)
                self.undo_stack.push(DeleteLeadCommand(self.services.leads, record.id,
                                                       record.display_name, self.lead_stored))
        finally:
            self.undo_stack.endMacro()
        self.detail.show_lead(None)
        self.model.refresh()

    def now(self) -> dt.datetime:
        return self.services.context.clock()


# Columns in characters of the table's font; the date columns fit a whole date (bold when
# overdue) so none is ever cut to "2026-".
_COLUMN_CHARACTERS = {"Name": 24, "Company": 24, "Status": 14, "Rating": 10, "Owner": 18,
                      "Email": 30, "Phone": 18, "Country": 8, "Score": 7, "Event": 24}
_DATE_SAMPLES = {"Next step due": "0000-00-00 00:00", "Last touch": "0000-00-00",
                 "Created": "0000-00-00"}


def _column_widths(table: QTableView) -> list[int]:
    metrics = table.fontMetrics()
    bold = table.font()
    bold.setBold(True)
    bold_metrics = QFontMetrics(bold)
    padding = 2 * metrics.height()  # the cell's margins and, where shown, its icon
    widths = []
    for header, _sort, _text in COLUMNS:
        sample = _DATE_SAMPLES.get(header)
        width = (bold_metrics.horizontalAdvance(sample) if sample else
                 metrics.averageCharWidth() * _COLUMN_CHARACTERS.get(header, 14))
        widths.append(max(width + padding, metrics.horizontalAdvance(header) + padding))
    return widths


def _select(combo: QComboBox, data: object) -> None:
    combo.setCurrentIndex(max(combo.findData(data), 0))
