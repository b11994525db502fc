"""The Assignment board's reps column: one card per rep (who, how loaded, what is late, away or
not), a drop target for leads, and a right-click menu to mark a rep away, active or inactive."""

from __future__ import annotations

import uuid

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QLabel, QListWidgetItem, QMenu, QStackedWidget, QVBoxLayout, QWidget

from app.domain.people import Availability
from app.services.routing_service import RepWorkload
from app.ui.pages.assignment_drag import RepList
from app.ui.pages.assignment_rows import REP_ROW, ROW_ROLE, workload_text
from app.ui.style import warning_colour
from app.ui.wording import counted

GREY = QColor("#8a8a8a")
_AVAILABILITY_ROLE = Qt.ItemDataRole.UserRole + 2


def heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setStyleSheet("font-weight: 600; padding: 4px 2px;")
    return label


class RepsPanel(QWidget):
    """``repChosen(user id, name)`` when a card is clicked or activated;
    ``availabilityChosen(user id, Availability)`` from the card's menu; leads dropped on a
    card arrive through ``rep_list.leadsDropped``."""

    repChosen = Signal(object, str)
    availabilityChosen = Signal(object, object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bold = QFont()
        self._bold.setBold(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(heading("Reps · drop leads here"))
        self.rep_stack = QStackedWidget()
        self.rep_list = RepList()
        self.rep_list.setObjectName("repList")
        self.rep_list.setAccessibleName("Reps")
        self.rep_list.setSpacing(3)
        # Long lines (away until …) wrap instead of adding a sideways scroll bar.
        self.rep_list.setWordWrap(True)
        self.rep_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.rep_list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.rep_list.customContextMenuRequested.connect(self._menu)
        self.rep_list.itemActivated.connect(self._chosen)
        self.rep_list.itemClicked.connect(self._chosen)
        self.no_reps = QLabel("No reps yet. Add users with the command line, e.g.\n"
                              "leadline users add \"Anna Berger\" anna@example.com rep\n"
                              "then press Ctrl+R to refresh.")
        self.no_reps.setWordWrap(True)
        self.no_reps.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.no_reps.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.rep_stack.addWidget(self.rep_list)
        self.rep_stack.addWidget(self.no_reps)
        layout.addWidget(self.rep_stack, 1)

    def show_workload(self, workload: list[RepWorkload]) -> None:
        current = self.rep_list.currentItem()
        chosen = current.data(ROW_ROLE) if current else None
        self.rep_list.clear()
        for load in workload:
            item = self._card(load)
            self.rep_list.addItem(item)
            if item.data(ROW_ROLE) == chosen:
                self.rep_list.setCurrentItem(item)
        self.rep_stack.setCurrentIndex(0 if workload else 1)

    def _card(self, load: RepWorkload) -> QListWidgetItem:
        user = load.user
        # Three lines, the same on every card: who, how loaded, what is late (and away).
        status = [counted(load.overdue_tasks, "overdue task")]
        if user.availability is not Availability.ACTIVE:
            until = f" until {user.away_until:%Y-%m-%d}" if user.away_until else ""
            status.append(f"{user.availability.label}{until}")
        item = QListWidgetItem(f"{user.name}\n{workload_text(load.open_leads, user.capacity)}"
                               f"\n{' · '.join(status)}")
        item.setData(ROW_ROLE, (REP_ROW, user.id))
        item.setData(_AVAILABILITY_ROLE, user.availability.value)
        if user.availability is not Availability.ACTIVE:
            item.setForeground(QBrush(GREY))
            item.setToolTip(f"{user.name} is {user.availability.label.lower()}: their open "
                            "leads are orphans. Right-click to mark them active.")
        elif load.at_capacity:
            item.setForeground(QBrush(QColor(warning_colour())))
            item.setFont(self._bold)
            item.setToolTip(f"{user.name} has {load.open_leads:,} open leads; their "
                            f"capacity is {user.capacity:,}. Routing gives them no more.")
        else:
            item.setToolTip("Drop leads here to assign them; right-click to mark away.")
        return item

    def item(self, name: str) -> QListWidgetItem:
        """The rep's card (tests and screenshots find reps by name)."""
        return next(self.rep_list.item(i) for i in range(self.rep_list.count())
                    if self.rep_list.item(i).text().split("\n")[0] == name)

    def _chosen(self, item: QListWidgetItem) -> None:
        user_id: uuid.UUID = item.data(ROW_ROLE)[1]
        self.repChosen.emit(user_id, item.text().split("\n")[0])

    def _menu(self, point: QPoint) -> None:
        item = self.rep_list.itemAt(point)
        if item is None:
            return
        menu = QMenu(self)
        for availability, text in ((Availability.AWAY, "Mark &away"),
                                   (Availability.ACTIVE, "Mark a&ctive"),
                                   (Availability.INACTIVE, "Mark &inactive")):
            action = menu.addAction(text)
            action.setEnabled(item.data(_AVAILABILITY_ROLE) != availability.value)
            action.triggered.connect(lambda _=False, a=availability: self.availabilityChosen.emit(
                item.data(ROW_ROLE)[1], a))
        menu.exec(self.rep_list.viewport().mapToGlobal(point))
