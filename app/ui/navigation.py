"""The pages of the main window: their order in the stack, the rail that shows them, their keys."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QListWidget, QListWidgetItem

from app.domain.access import Area
from app.domain.leads import LeadQuery
from app.domain.people import Role
from app.ui import messages
from app.ui.operations import NOTHING

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

HOME, LEADS, BOOTH, DUPLICATES, HEALTH, ASSIGNMENT, MY_DAY, DASHBOARD = 0, 1, 2, 3, 4, 5, 6, 7


@dataclass(frozen=True)
class PageEntry:
    """One page: its rail label, its View-menu command and the key that opens it."""

    index: int
    action_id: str
    rail_label: str
    menu_text: str
    shortcut: str
    tip: str = ""
    area: Area = Area.LEADS  # who may open it (roles) and whether the booth lock guards it


PAGES = (
    PageEntry(HOME, "home", "Home", "&Home", "Ctrl+1"),
    PageEntry(LEADS, "leads", "Leads", "&Leads", "Ctrl+2"),
    PageEntry(BOOTH, "booth", "Booth", "&Booth capture", "Ctrl+3", area=Area.CAPTURE),
    PageEntry(DUPLICATES, "duplicates", "Duplicates", "D&uplicates", "Ctrl+4",
              area=Area.ASSIGNMENT),
    PageEntry(HEALTH, "health", "Data health", "Data heal&th", "Ctrl+5", area=Area.ASSIGNMENT),
    PageEntry(
        ASSIGNMENT,
        "assignment",
        "Assignment",
        "&Assignment board",
        "Ctrl+6",
        "Queues, orphans and reps' workload: assign leads",
        Area.ASSIGNMENT,
    ),
    PageEntry(
        MY_DAY,
        "my_day",
        "My day",
        "&My day",
        "Ctrl+7",
        "Your overdue, today's and upcoming follow-ups",
        Area.FOLLOW_UP,
    ),
    PageEntry(
        DASHBOARD,
        "dashboard",
        "Dashboard",
        "Dashb&oard",
        "Ctrl+8",
        "Charts: funnel, sources, service level, lead age",
        Area.REPORTS,
    ),
)


def build_rail() -> QListWidget:
    """The navigation rail, one row per page in stack order (row == page index)."""
    rail = QListWidget()
    rail.setObjectName("navigationRail")
    rail.setAccessibleName("Navigation")
    rail.setFixedWidth(120)
    rail.setIconSize(QSize(20, 20))
    for page in PAGES:
        item = QListWidgetItem(page.rail_label)
        item.setToolTip(f"{page.rail_label} ({page.shortcut})")
        item.setSizeHint(QSize(100, 36))
        rail.addItem(item)
    return rail


class NavigationCommands:
    """Moving between pages and to leads (mixed into MainWindow)."""

    def show_page(self: MainWindow, index: int) -> None:
        if not self.may_open(PAGES[index].area):
            # Refused (locked, or not this role's): the rail goes back to the page still shown.
            self.rail.blockSignals(True)
            self.rail.setCurrentRow(self.pages.currentIndex())
            self.rail.blockSignals(False)
            return
        if self.pages.currentIndex() != index:
            self.pages.setCurrentIndex(index)
        if self.rail.currentRow() != index:
            self.rail.setCurrentRow(index)  # emits currentRowChanged: that call refreshes
            return
        if index == HOME:
            self.home.refresh()
        elif index == HEALTH:
            self.health.refresh()
        elif index == ASSIGNMENT:
            self.assignment.refresh()
        elif index == MY_DAY:
            self.my_day.refresh()
        elif index == DASHBOARD:
            self.dashboard.refresh()
        elif index == LEADS and self.unseen_changes.leads:
            self.unseen_changes = NOTHING
            self.leads.model.refresh()

    def show_home_for_role(self: MainWindow) -> None:
        """A laptop locked for the booth and booth staff start at the capture screen, managers
        on the assignment board, reps in My day, admins on the dashboard, the others on Home.
        With no leads at all the others see the empty list, which explains how to get leads in."""
        user = self.services.people.current_user()
        if self.services.lock.is_locked() or (user and user.role is Role.BOOTH):
            self.show_page(BOOTH)
        elif user and user.role is Role.MANAGER and self.leads.total:
            self.show_page(ASSIGNMENT)
        elif user and user.role is Role.REP and (self.leads.total or self.leads.owner_scope):
            self.show_page(MY_DAY)
        elif user and user.role is Role.ADMIN and self.leads.total:
            self.show_page(DASHBOARD)
        else:
            self.show_page(LEADS if self.leads.total == 0 else HOME)

    def open_leads(self: MainWindow, query: LeadQuery) -> None:
        if not self.may_open(Area.LEADS):
            return
        self.search.blockSignals(True)
        self.search.setText(query.search)
        self.search.blockSignals(False)
        self.leads.show_query(query)
        self.show_page(LEADS)

    def open_lead(self: MainWindow, lead_id: uuid.UUID) -> None:
        """Show one lead in the Leads page (selected when it is in the list)."""
        if not self.may_open(Area.LEADS):
            return
        with messages.reported(self, "Open lead") as attempt:
            record = self.services.leads.get(lead_id)
        if attempt.failed:
            return
        self.show_page(LEADS)
        if self.leads.model.locate(record) is None:
            # Not in the list as filtered (or not loaded that far): show it where it can be
            # selected, with the way back to every lead.
            self.leads.show_chosen([record.id], f"Opened {record.display_name}")
        self.leads.select_lead(record)
        self.leads.detail.setFocus()

    def focus_search(self: MainWindow) -> None:
        if not self.may_open(Area.LEADS):
            return
        self.search.setFocus()
        self.search.selectAll()

    def _search_typed(self: MainWindow, _text: str) -> None:
        if self.pages.currentIndex() != LEADS:
            self.show_page(LEADS)
        self._search_timer.start()

    def _search_now(self: MainWindow) -> None:
        self._search_timer.stop()
        self.leads.set_search(self.search.text())

    def show_chosen_leads(self: MainWindow, lead_ids: list[uuid.UUID], caption: str) -> None:
        if not self.may_open(Area.LEADS):
            return
        self.show_page(LEADS)
        self.leads.show_chosen(lead_ids, caption)
