"""Dragging leads onto reps on the assignment board: the drag data, the lead table a drag starts
from and the rep list it lands on."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence

from PySide6.QtCore import QByteArray, QMimeData, Qt, Signal
from PySide6.QtGui import (
    QDrag,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListWidget,
    QListWidgetItem,
    QTableView,
    QWidget,
)

from app.ui.pages.assignment_rows import REP_ROW, ROW_ROLE

LEAD_IDS_MIME = "application/x-leadline-lead-ids"


def lead_mime(lead_ids: Sequence[uuid.UUID]) -> QMimeData:
    """Lead ids as drag data: one id per line."""
    data = QMimeData()
    data.setData(LEAD_IDS_MIME, QByteArray("\n".join(str(i) for i in lead_ids).encode()))
    data.setText(f"{len(lead_ids)} leads")
    return data


def lead_ids_of(data: QMimeData) -> list[uuid.UUID]:
    if not data.hasFormat(LEAD_IDS_MIME):
        return []
    text = bytes(data.data(LEAD_IDS_MIME).data()).decode()
    return [uuid.UUID(line) for line in text.splitlines() if line.strip()]


class LeadDragTable(QTableView):
    """The lead list; dragging carries the selected lead ids, not the visible text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.selected_ids: Callable[[], list[uuid.UUID]] = list

    def startDrag(self, _actions: Qt.DropAction) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        drag = QDrag(self)
        drag.setMimeData(lead_mime(ids))
        drag.exec(Qt.DropAction.MoveAction)


class RepList(QListWidget):
    """Reps as drop targets: dropping leads on a rep asks the page to assign them."""

    leadsDropped = Signal(object, object)  # user id, list of lead ids

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DropOnly)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasFormat(LEAD_IDS_MIME):
            event.acceptProposedAction()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        item = self.itemAt(event.position().toPoint())
        if event.mimeData().hasFormat(LEAD_IDS_MIME) and item is not None:
            self.setCurrentItem(item)  # shows which rep the leads would go to
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        item = self.itemAt(event.position().toPoint())
        if item is None or not self.drop_on(item, event.mimeData()):
            event.ignore()
            return
        event.acceptProposedAction()

    def drop_on(self, item: QListWidgetItem, data: QMimeData) -> bool:
        """The drop handler proper (tests call it with mime data, no real drag needed)."""
        row = item.data(ROW_ROLE)
        ids = lead_ids_of(data)
        if not ids or not row or row[0] != REP_ROW:
            return False
        self.leadsDropped.emit(row[1], ids)
        return True
