"""My day as one table: section rows (Overdue, Today, Upcoming) with the due tasks under them.

Section rows are not selectable, so the arrow keys move from task to task. Times show in the
team's working time zone, relative to now ("2 days late", "today 14:00", "Tue 24 Nov 09:30").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from app.domain.tasks import TaskKind
from app.services.followup_service import MyDay
from app.storage.repositories.tasks import DueItem
from app.ui.style import alarm_colour, is_dark, rating_icon

ITEM_ROLE = Qt.ItemDataRole.UserRole + 1
DUE, KIND, TITLE, LEAD, RATING, PHONE = range(6)
HEADERS = ("Due", "Kind", "Task", "Lead", "Rating", "Phone")
_KIND_SIGN = {TaskKind.CALL: "☎", TaskKind.EMAIL: "✉", TaskKind.MEETING: "👥",
              TaskKind.TASK: "✓"}
_SECTION_COLOURS = {"today": ("#1565c0", "#90caf9"), "upcoming": ("#616161", "#bdbdbd")}
_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    count: int


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


class DueModel(QAbstractTableModel):
    def __init__(self, clock: Callable[[], dt.datetime], zone: Callable[[], ZoneInfo],
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.clock, self.zone = clock, zone
        self.day: MyDay | None = None
        self.rows: list[Section | DueItem] = []
        self._bold = QFont()
        self._bold.setBold(True)

    def set_day(self, day: MyDay | None) -> None:
        self.beginResetModel()
        self.day = day
        self.rows = []
        if day is not None:
            for key, title, items in (("overdue", "Overdue", day.overdue),
                                      ("today", "Today", day.today),
                                      ("upcoming", "Upcoming (7 days)", day.upcoming)):
                if items:
                    self.rows.append(Section(key, title, len(items)))
                    self.rows.extend(items)
        self.endResetModel()

    @property
    def task_count(self) -> int:
        return sum(1 for r in self.rows if isinstance(r, DueItem))

    def item(self, row: int) -> DueItem | None:
        value = self.rows[row] if 0 <= row < len(self.rows) else None
        return value if isinstance(value, DueItem) else None

    def is_section(self, row: int) -> bool:
        return 0 <= row < len(self.rows) and isinstance(self.rows[row], Section)

    def first_task_row(self) -> int | None:
        return next((i for i, r in enumerate(self.rows) if isinstance(r, DueItem)), None)

    def row_of_task(self, task_id: object) -> int | None:
        return next((i for i, r in enumerate(self.rows)
                     if isinstance(r, DueItem) and r.task_id == task_id), None)

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
        if not index.isValid() or self.is_section(index.row()):
            return Qt.ItemFlag.NoItemFlags  # arrows skip section rows
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        value = self.rows[index.row()]
        if isinstance(value, Section):
            return self._section_data(value, index.column(), role)
        return self._item_data(value, index.column(), role)

    def _section_data(self, section: Section, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and column == 0:
            return f"{section.title} · {section.count}"
        if role == Qt.ItemDataRole.FontRole:
            return self._bold
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(_section_colour(section.key))
        if role == Qt.ItemDataRole.AccessibleTextRole and column == 0:
            return f"{section.title}: {section.count} tasks"
        return None

    def _item_data(self, item: DueItem, column: int, role: int) -> Any:
        if role == ITEM_ROLE:
            return item
        if role == Qt.ItemDataRole.DisplayRole:
            if column == DUE:
                return relative_due(item.due_at, self.clock(), self.zone())
            if column == KIND:
                return f"{_KIND_SIGN.get(item.kind, '')} {item.kind.label}"
            if column == TITLE:
                return item.title or item.kind.label
            if column == LEAD:
                return " · ".join(p for p in (item.lead_name, item.company) if p)
            if column == RATING:
                return item.rating.label if item.rating else ""
            if column == PHONE:
                return item.phone
        if role == Qt.ItemDataRole.DecorationRole and column == RATING and item.rating:
            return rating_icon(item.rating)
        if role == Qt.ItemDataRole.ForegroundRole and column == DUE \
                and item.due_at < self.clock():
            return QBrush(QColor(alarm_colour()))
        if role == Qt.ItemDataRole.ToolTipRole:
            return item.notes[:500] or None
        return None


def _section_colour(key: str) -> QColor:
    """Section headings: red for overdue; blue and grey variants readable on either theme."""
    if key == "overdue":
        return QColor(alarm_colour())
    light, dark = _SECTION_COLOURS.get(key, _SECTION_COLOURS["upcoming"])
    return QColor(dark if is_dark() else light)
