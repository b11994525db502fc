"""Table model for the lead list: a thin Qt adapter over ``LeadListing`` (paged, sorted in SQL).

Never holds all rows: ``data()`` asks the listing, which fetches the page on demand. Sorting
clicks turn into a new query; the full key ordering is read on a worker thread.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont

from app.domain.contact_data import format_phone_for_display
from app.domain.leads import LeadQuery, LeadRecord, LeadStatus, SortKey
from app.domain.review import reason_text
from app.services.lead_listing import LeadListing
from app.services.lead_service import LeadService
from app.ui.style import alarm_colour, rating_icon, review_icon, status_icon
from app.ui.workers import JobState, Lane, TaskRunner

RECORD_ROLE = Qt.ItemDataRole.UserRole + 1
KEYS_DELAY_MS = 300
AnyIndex = QModelIndex | QPersistentModelIndex


def _when(value: dt.datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d %H:%M") if value else ""


def _date(value: dt.datetime | None) -> str:
    return value.astimezone().strftime("%Y-%m-%d") if value else ""


# (header, sort key, text of a record)
COLUMNS: tuple[tuple[str, SortKey, Callable[[LeadRecord], str]], ...] = (
    ("Name", SortKey.NAME, lambda r: r.display_name),
    ("Company", SortKey.COMPANY, lambda r: r.company),
    ("Status", SortKey.STATUS, lambda r: r.status.label),
    ("Rating", SortKey.RATING, lambda r: r.rating.label if r.rating else ""),
    ("Owner", SortKey.OWNER, lambda r: r.owner_name or "Unassigned"),
    ("Next step due", SortKey.NEXT_DUE, lambda r: _when(r.next_due_at)),
    ("Email", SortKey.EMAIL, lambda r: r.email),
    ("Phone", SortKey.PHONE,
     lambda r: format_phone_for_display(r.phone_e164) if r.phone_e164 else r.phone),
    ("Country", SortKey.COUNTRY, lambda r: r.country),
    ("Score", SortKey.SCORE, lambda r: str(r.score)),
    ("Event", SortKey.EVENT, lambda r: r.event_name),
    ("Last touch", SortKey.LAST_TOUCH, lambda r: _date(r.last_touch_at)),
    ("Created", SortKey.CREATED, lambda r: _date(r.created_at)),
)
COLUMN_OF_SORT = {sort: i for i, (_h, sort, _t) in enumerate(COLUMNS)}
STATUS_COLUMN = COLUMN_OF_SORT[SortKey.STATUS]
RATING_COLUMN = COLUMN_OF_SORT[SortKey.RATING]
OWNER_COLUMN = COLUMN_OF_SORT[SortKey.OWNER]
DUE_COLUMN = COLUMN_OF_SORT[SortKey.NEXT_DUE]
SCORE_COLUMN = COLUMN_OF_SORT[SortKey.SCORE]
_MUTED = QColor("#8a8a8a")


class LeadTableModel(QAbstractTableModel):
    """Rows of leads for a ``LeadQuery``; emits ``countChanged`` when the number of rows settles."""

    countChanged = Signal(int)

    def __init__(self, leads: LeadService, runner: TaskRunner,
                 clock: Callable[[], dt.datetime], parent: Any = None, *,
                 keys_delay_ms: int = KEYS_DELAY_MS) -> None:
        super().__init__(parent)
        self.leads = leads
        self.runner = runner
        self.clock = clock
        self.listing: LeadListing | None = None
        self._keys_job: JobState | None = None
        # Read the full ordering only once the query has settled: while someone is typing a
        # search, each keystroke's result is replaced before that work would pay off.
        self._keys_timer = QTimer(self)
        self._keys_timer.setSingleShot(True)
        self._keys_timer.setInterval(keys_delay_ms)
        self._keys_timer.timeout.connect(self._start_loading_keys)
        self._bold = QFont()
        self._bold.setBold(True)

    # -- query --------------------------------------------------------------------------------
    @property
    def query(self) -> LeadQuery:
        return self.listing.query if self.listing else LeadQuery()

    def set_query(self, query: LeadQuery) -> None:
        """Show the leads matching ``query``: count and first page now, full order later."""
        self.show_listing(LeadListing(self.leads, query))

    def show_listing(self, listing: LeadListing) -> None:
        """Show a listing made by :func:`prepared_listing` (or just now); the full order loads
        later."""
        if self._keys_job is not None:
            self._keys_job.cancel()
            self._keys_job = None
        self.beginResetModel()
        self.listing = listing
        self.endResetModel()
        self.countChanged.emit(self.listing.count)
        self._keys_timer.stop()
        if self.listing.needs_keys:
            if self._keys_timer.interval() <= 0:
                self._load_keys(self.listing)
            else:
                self._keys_timer.start()

    def _start_loading_keys(self) -> None:
        if self.listing is not None and self.listing.needs_keys:
            self._load_keys(self.listing)

    def stop_background_work(self) -> None:
        """Nothing more is read for this model (its window is closing)."""
        self._keys_timer.stop()
        if self._keys_job is not None:
            self._keys_job.cancel()
            self._keys_job = None

    def wait_for_keys(self) -> None:
        """Load the full ordering now (tests and benchmarks; the GUI just waits)."""
        if self._keys_timer.isActive():
            self._keys_timer.stop()
            self._start_loading_keys()

    @property
    def count_is_exact(self) -> bool:
        return self.listing.count_is_exact if self.listing else True

    def refresh(self) -> None:
        """Re-run the current query (after a change that may move or remove rows)."""
        self.set_query(self.query)

    def _load_keys(self, listing: LeadListing) -> None:
        def work(state: JobState) -> array[int] | None:
            return None if state.cancelled else self.leads.ordered_keys(listing.query)

        def done(keys: array[int] | None) -> None:
            if keys is None or listing is not self.listing:
                return  # a newer query replaced this one meanwhile
            self._keys_job = None
            shown = listing.count
            if len(keys) == shown:
                listing.attach_keys(keys)
                if shown:
                    self.dataChanged.emit(self.index(0, 0),
                                          self.index(shown - 1, len(COLUMNS) - 1))
            elif len(keys) > shown and not listing.count_is_exact:
                # A capped search count grows to the exact one without losing the scroll position.
                self.beginInsertRows(QModelIndex(), shown, len(keys) - 1)
                listing.attach_keys(keys)
                self.endInsertRows()
                self.countChanged.emit(listing.count)
            else:
                self.beginResetModel()
                listing.attach_keys(keys)
                self.endResetModel()
                self.countChanged.emit(listing.count)

        self._keys_job = self.runner.start(work, on_done=done, lane=Lane.READ, owner=self)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        descending = order == Qt.SortOrder.DescendingOrder
        query = replace(self.query, sort=COLUMNS[column][1], descending=descending)
        if query != self.query:
            self.set_query(query)

    # -- rows ---------------------------------------------------------------------------------
    def record(self, row: int) -> LeadRecord | None:
        return self.listing.row(row) if self.listing else None

    def update_record(self, record: LeadRecord) -> None:
        """Show an edited lead in place without re-querying."""
        if self.listing is None:
            return
        row = self.listing.replace(record)
        if row is not None:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def row_of(self, record: LeadRecord) -> int | None:
        return self.listing.index_of(record.id) if self.listing else None

    def locate(self, record: LeadRecord) -> int | None:
        """``row_of``; a list of one page that nothing has painted yet is read first."""
        if self.listing is not None and 0 < self.listing.count <= self.listing.page_size:
            self.listing.row(0)
        return self.row_of(record)

    # -- Qt model API -------------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() or self.listing is None else self.listing.count

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(COLUMNS):
            return COLUMNS[section][0]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.listing is None:
            return None
        record = self.listing.row(index.row())
        if record is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[column][2](record)
        if role == RECORD_ROLE:
            return record
        if role == Qt.ItemDataRole.DecorationRole:
            return self._decoration(record, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._foreground(record, column)
        if role == Qt.ItemDataRole.FontRole and column == DUE_COLUMN and self._overdue(record):
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(record, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == SCORE_COLUMN:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _overdue(self, record: LeadRecord) -> bool:
        return record.status.is_open and record.is_overdue(self.clock())

    def _decoration(self, record: LeadRecord, column: int) -> Any:
        if column == 0 and record.needs_review:
            return review_icon()
        if column == STATUS_COLUMN:
            return status_icon(record.status)
        if column == RATING_COLUMN and record.rating:
            return rating_icon(record.rating)
        return None

    def _foreground(self, record: LeadRecord, column: int) -> QBrush | None:
        if column == DUE_COLUMN and self._overdue(record):
            return QBrush(QColor(alarm_colour()))
        if column == OWNER_COLUMN and record.owner_id is None:
            return QBrush(QColor(alarm_colour()))
        if not record.status.is_open:
            return QBrush(_MUTED)
        return None

    def _tooltip(self, record: LeadRecord, column: int) -> str | None:
        if column == DUE_COLUMN and self._overdue(record):
            return "Overdue: the next follow-up step is past its due time"
        if column == OWNER_COLUMN and record.owner_id is None:
            return "Orphan: nobody owns this lead yet"
        if column == STATUS_COLUMN:
            return _STATUS_HELP[record.status]
        if record.needs_review and column == 0:
            return f"Needs review: {reason_text(record.review_reason)}"
        return None


_STATUS_HELP = {
    LeadStatus.INQUIRY: "Inquiry: captured, not yet judged",
    LeadStatus.SUSPECT: "Suspect: may fit the customer profile, not engaged yet",
    LeadStatus.PROSPECT: "Prospect: fits and is engaged",
    LeadStatus.MQL: "MQL: marketing-qualified, worth a call or nurturing",
    LeadStatus.SQL: "SQL: sales-ready (need, authority, budget, timeframe)",
    LeadStatus.NURTURE: "Nurture: not ready yet, comes back on a set date",
    LeadStatus.CONVERTED: "Converted: an opportunity in the pipeline",
    LeadStatus.WON: "Won",
    LeadStatus.LOST: "Lost",
    LeadStatus.DISQUALIFIED: "Disqualified: will never buy",
}


def prepared_listing(leads: LeadService, query: LeadQuery,
                     known_count: int | None = None) -> LeadListing:
    """``query`` counted (unless ``known_count``) and its first page read, without any Qt
    object: made on a worker thread, so a page has its list ready before it shows it
    (``show_listing``)."""
    listing = LeadListing(leads, query, known_count=known_count)
    listing.row(0)
    return listing
