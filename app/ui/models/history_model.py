"""List model for a lead's history timeline (newest first)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from app.domain.history import ActivityKind, ActivityRecord

RECORD_ROLE = Qt.ItemDataRole.UserRole + 1


class HistoryModel(QAbstractListModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[ActivityRecord] = []

    def set_rows(self, rows: list[ActivityRecord]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        item = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            when = item.occurred_at.astimezone().strftime("%Y-%m-%d %H:%M")
            who = f" · {item.actor}" if item.actor else ""
            return f"{when}{who}\n{item.summary}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return item.text or item.summary
        if role == RECORD_ROLE:
            return item
        if role == Qt.ItemDataRole.FontRole and item.kind in _EMPHASISED:
            from PySide6.QtGui import QFont

            font = QFont()
            font.setBold(True)
            return font
        return None


_EMPHASISED = frozenset({ActivityKind.NOTE, ActivityKind.CALL, ActivityKind.EMAIL,
                         ActivityKind.MEETING, ActivityKind.STATUS_CHANGED,
                         ActivityKind.OWNER_CHANGED})
