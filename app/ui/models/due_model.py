"""My day as one table: a heading per bucket (Overdue, Today, Upcoming) with its exact count,
the bucket's tasks in due order under it, and, when the bucket holds more than was read, a
"show more" row that reads the next page. The rows may arrive before a long bucket is counted:
its heading then says "10+ (counting…)" until ``set_counts`` brings the number.

Headings are not selectable, so the arrow keys move from task to task (and onto a "show more"
row, which Enter opens). Times show in the team's working time zone, relative to now ("2 days
late", "today 14:00", "Tue 24 Nov 09:30"); the status bar and tool tips use the same words.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QIcon, QPalette
from PySide6.QtWidgets import QApplication

from app.domain.tasks import DueBucket, DueItem, DueOverview, DueSection, TaskKind
from app.ui.style import alarm_colour, is_dark, rating_icon
from app.ui.task_icons import task_kind_icons
from app.ui.wording import noun_for

ITEM_ROLE = Qt.ItemDataRole.UserRole + 1
DUE, KIND, TITLE, LEAD, RATING, PHONE = range(6)
HEADERS = ("Due", "Kind", "Task", "Lead", "Rating", "Phone")
TITLES = {DueBucket.OVERDUE: "Overdue", DueBucket.TODAY: "Today",
          DueBucket.UPCOMING: "Upcoming (7 days)"}
_SECTION_COLOURS = {DueBucket.TODAY: ("#1565c0", "#90caf9"),
                    DueBucket.UPCOMING: ("#616161", "#bdbdbd")}
_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Heading:
    bucket: DueBucket
    count: int | None  # None: not counted yet, more than ``shown``
    shown: int

    @property
    def size_text(self) -> str:
        return f"{self.count:,}" if self.count is not None else f"{self.shown:,}+"


@dataclass(frozen=True)
class MoreRow:
    """The bucket holds ``count`` tasks (None: not counted yet) of which ``shown`` are listed."""

    bucket: DueBucket
    shown: int
    count: int | None
    page: int

    @property
    def next_page(self) -> int:
        return self.page if self.count is None else min(self.page, self.count - self.shown)


Row = Heading | DueItem | MoreRow


def relative_due(due_at: dt.datetime, now: dt.datetime, zone: ZoneInfo) -> str:
    """How a rep reads a due moment: late by days, today or tomorrow with the time, else the
    weekday and date."""
    due, here = due_at.astimezone(zone), now.astimezone(zone)
    days = (due.date() - here.date()).days
    clock = due.strftime("%H:%M")
    if days < 0:
        return f"{-days} day late" if days == -1 else f"{-days} days late"
    if days == 0:
        return f"today {clock}" + (" (late)" if due_at < now else "")
    if days == 1:
        return f"tomorrow {clock}"
    return due.strftime("%a %d %b ") + clock


def full_due(due_at: dt.datetime, zone: ZoneInfo) -> str:
    """The due moment in full, with the zone it is told in: "Tue 24 Nov 2026 09:30 (Europe/Berlin)"."""
    return f"{due_at.astimezone(zone):%a %d %b %Y %H:%M} ({zone.key})"


class DueModel(QAbstractTableModel):
    def __init__(self, clock: Callable[[], dt.datetime], zone: Callable[[], ZoneInfo],
                 more_rows: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.clock, self.zone, self.more_rows = clock, zone, more_rows
        self.overview: DueOverview | None = None
        self.rows: list[Row] = []
        self._bold = QFont()
        self._bold.setBold(True)
        self._kind_icons: dict[TaskKind, QIcon] = task_kind_icons()

    # -- filling ------------------------------------------------------------------------------
    def set_overview(self, overview: DueOverview | None) -> None:
        self.beginResetModel()
        self.overview = overview
        self.rows = self._rows_of(overview)
        self.endResetModel()

    def append(self, bucket: DueBucket, items: tuple[DueItem, ...]) -> None:
        """The next page of a bucket, read after the rest: goes under what is shown."""
        if self.overview is None or not items:
            return
        section = self.overview.section(bucket)
        known = {i.task_id for i in section.items}
        fresh = tuple(i for i in items if i.task_id not in known)
        more = self.more_row(bucket)
        if more is None or not fresh:
            return
        self._replace_section(replace(section, items=section.items + fresh))
        self.beginInsertRows(QModelIndex(), more, more + len(fresh) - 1)
        self.rows[more:more] = fresh
        self.endInsertRows()
        self._update_edges(bucket)

    def set_counts(self, counted: DueOverview) -> None:
        """Every bucket's exact size arrived (for the rows already shown)."""
        if self.overview is None:
            return
        for section in counted.sections:
            self._replace_section(replace(self.overview.section(section.bucket),
                                          count=section.count))
            self._update_edges(section.bucket)

    def _replace_section(self, section: DueSection) -> None:
        assert self.overview is not None
        self.overview = replace(self.overview, sections=tuple(
            section if s.bucket is section.bucket else s for s in self.overview.sections))

    def _update_edges(self, bucket: DueBucket) -> None:
        """A bucket's heading and "show more" row say what its section now holds."""
        assert self.overview is not None
        section = self.overview.section(bucket)
        heading = self.heading_row(bucket)
        if heading is not None:
            self.rows[heading] = self._heading(section)
            self.dataChanged.emit(self.index(heading, 0), self.index(heading, len(HEADERS) - 1))
        more = self.more_row(bucket)
        if more is None:
            return
        if section.has_more:
            self.rows[more] = self._more(section)
            self.dataChanged.emit(self.index(more, 0), self.index(more, len(HEADERS) - 1))
        else:
            self.beginRemoveRows(QModelIndex(), more, more)
            del self.rows[more]
            self.endRemoveRows()

    def _rows_of(self, overview: DueOverview | None) -> list[Row]:
        rows: list[Row] = []
        for section in overview.sections if overview is not None else ():
            if not section.items:
                continue
            rows.append(self._heading(section))
            rows.extend(section.items)
            if section.has_more:
                rows.append(self._more(section))
        return rows

    def _heading(self, section: DueSection) -> Heading:
        return Heading(section.bucket, section.count, len(section.items))

    def _more(self, section: DueSection) -> MoreRow:
        return MoreRow(section.bucket, len(section.items), section.count, self.more_rows)

    # -- reading ------------------------------------------------------------------------------
    @property
    def task_count(self) -> int:
        """Tasks due in all buckets (those read so far where a bucket is not counted yet)."""
        if self.overview is None:
            return 0
        return sum(len(s.items) if s.count is None else s.count for s in self.overview.sections)

    def item(self, row: int) -> DueItem | None:
        value = self.rows[row] if 0 <= row < len(self.rows) else None
        return value if isinstance(value, DueItem) else None

    def is_section(self, row: int) -> bool:
        """A row that spans the table: a bucket's heading or its "show more" line."""
        return 0 <= row < len(self.rows) and not isinstance(self.rows[row], DueItem)

    def more_at(self, row: int) -> MoreRow | None:
        value = self.rows[row] if 0 <= row < len(self.rows) else None
        return value if isinstance(value, MoreRow) else None

    def more_row(self, bucket: DueBucket) -> int | None:
        return next((i for i, r in enumerate(self.rows)
                     if isinstance(r, MoreRow) and r.bucket is bucket), None)

    def heading_row(self, bucket: DueBucket) -> int | None:
        return next((i for i, r in enumerate(self.rows)
                     if isinstance(r, Heading) and r.bucket is bucket), None)

    def first_task_row(self, bucket: DueBucket | None = None) -> int | None:
        start = 0 if bucket is None else self.heading_row(bucket)
        if start is None:
            return None
        for row in range(start, len(self.rows)):
            value = self.rows[row]
            if isinstance(value, DueItem):
                return row
            if bucket is not None and row > start and isinstance(value, Heading):
                return None
        return None

    def row_of_task(self, task_id: object) -> int | None:
        return next((i for i, r in enumerate(self.rows)
                     if isinstance(r, DueItem) and r.task_id == task_id), None)

    def neighbours(self, row: int) -> list[uuid.UUID]:
        """The tasks after ``row`` in the list, then those before it, nearest first: where the
        selection goes when the task at ``row`` leaves the list."""
        after = [r.task_id for r in self.rows[row + 1:] if isinstance(r, DueItem)]
        before = [r.task_id for r in reversed(self.rows[:row]) if isinstance(r, DueItem)]
        return after + before

    def shown(self) -> dict[DueBucket, int]:
        """How many tasks of each bucket are listed (a re-read lists at least as many)."""
        return {s.bucket: len(s.items) for s in self.overview.sections} if self.overview else {}

    # -- Qt model -----------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid() or isinstance(self.rows[index.row()], Heading):
            return Qt.ItemFlag.NoItemFlags  # arrows skip headings
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        value = self.rows[index.row()]
        if isinstance(value, Heading):
            return self._heading_data(value, index.column(), role)
        if isinstance(value, MoreRow):
            return self._more_data(value, index.column(), role)
        return self._item_data(value, index.column(), role)

    def _heading_data(self, heading: Heading, column: int, role: int) -> Any:
        title = TITLES[heading.bucket]
        counting = " (counting…)" if heading.count is None else ""
        if role == Qt.ItemDataRole.DisplayRole and column == 0:
            return f"{title} · {heading.size_text}{counting}"
        if role == Qt.ItemDataRole.FontRole:
            return self._bold
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(_section_colour(heading.bucket))
        if role == Qt.ItemDataRole.AccessibleTextRole and column == 0:
            tasks = noun_for(heading.shown if heading.count is None else heading.count, "task")
            return f"{title}: {heading.size_text} {tasks}{counting}"
        return None

    def _more_data(self, more: MoreRow, column: int, role: int) -> Any:
        title = TITLES[more.bucket].split(" (")[0].lower()
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole) \
                and column == 0:
            of = f"of {more.count:,} " if more.count is not None else ""
            return f"First {more.shown:,} {of}{title} · show {more.next_page:,} more (Enter)"
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(QApplication.palette().color(QPalette.ColorRole.Link))
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"Read the next {more.next_page:,} {title} tasks, oldest first"
        return None

    def _item_data(self, item: DueItem, column: int, role: int) -> Any:
        if role == ITEM_ROLE:
            return item
        if role == Qt.ItemDataRole.DisplayRole:
            return self._item_text(item, column)
        if role == Qt.ItemDataRole.DecorationRole:
            if column == RATING and item.rating:
                return rating_icon(item.rating)
            if column == KIND:
                return self._kind_icons.get(item.kind)
        if role == Qt.ItemDataRole.ForegroundRole and column == DUE \
                and item.due_at < self.clock():
            return QBrush(QColor(alarm_colour()))
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == DUE:
                return full_due(item.due_at, self.zone())
            return item.notes[:500] or None
        return None

    def _item_text(self, item: DueItem, column: int) -> str | None:
        if column == DUE:
            return relative_due(item.due_at, self.clock(), self.zone())
        if column == KIND:
            return item.kind.label
        if column == TITLE:
            return item.title or item.kind.label
        if column == LEAD:
            return " · ".join(p for p in (item.lead_name, item.company) if p)
        if column == RATING:
            return item.rating.label if item.rating else ""
        if column == PHONE:
            return item.phone
        return None


def _section_colour(bucket: DueBucket) -> QColor:
    """Section headings: red for overdue; blue and grey variants readable on either theme."""
    if bucket is DueBucket.OVERDUE:
        return QColor(alarm_colour())
    light, dark = _SECTION_COLOURS.get(bucket, _SECTION_COLOURS[DueBucket.UPCOMING])
    return QColor(dark if is_dark() else light)
