"""Every view of the main window follows the stored data: its own changes, others' writes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.domain.leads import LeadQuery
from app.ui.navigation import ASSIGNMENT, DASHBOARD, HOME, LEADS, MY_DAY
from app.ui.operations import Changes
from app.ui.workers import Lane

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

# How often the window looks whether another window, the CLI or another person's program
# saved to this database; asking costs one PRAGMA, so a lead assigned elsewhere shows soon.
ELSEWHERE_EVERY_MS = 3000
ELSEWHERE = Changes(leads=True, tasks=True, people=True, events=True)
LEADS_CHANGED = Changes(leads=True)
TOUCHED = Changes(leads=True, tasks=True)


class ChangeFollowing:
    """Which parts of the window re-read after which change (mixed into MainWindow)."""

    def apply_changes(self: MainWindow, changes: Changes) -> None:
        """Stored data changed: each part of the window re-reads what it shows of it. The lead
        list re-reads at once when in view, else when next shown (the status bar's count follows
        now); Home follows lead changes while in view; the tray's count follows task changes."""
        if changes.events:
            self.booth.reload_events()
        if changes.people or changes.events:
            self.leads.reload_choices()
        if changes.people:  # the signed-in profile's name or role may have changed
            self._show_user()
            self.apply_access()
        if changes.leads:
            if self.pages.currentIndex() == LEADS:
                self.leads.model.refresh()
            else:
                self.unseen_changes = self.unseen_changes | changes
                self._recount()
            if self.pages.currentIndex() == HOME:
                self.home.refresh()
        if changes.tasks:
            self.tray.check()

    def follow_changes_elsewhere(self: MainWindow) -> None:
        """Someone else saved to this database (another window, the CLI, a teammate's program):
        what is in view re-reads, so a lead assigned elsewhere shows without a restart."""
        if not self.services.context.others_wrote():
            return
        self.apply_changes(ELSEWHERE)
        # These pages re-read after their own changes themselves; others' need telling.
        if self.pages.currentIndex() == ASSIGNMENT:
            self.assignment.refresh()
        elif self.pages.currentIndex() == MY_DAY:
            self.my_day.refresh()
        self.statusBar().showMessage("Updated with changes saved elsewhere", 5000)

    def _recount(self: MainWindow) -> None:
        """The status bar's lead count while the list is not in view: one count on the read lane,
        merged while one is on its way."""
        if self._recounting:
            self._recount_again = True
            return
        self._recounting, self._recount_again = True, False
        leads = self.services.leads

        def counted(total: int) -> None:
            self._recounting = False
            if self._recount_again:
                self._recount()
                return
            self.leads.total = total
            if self.unseen_changes.leads:
                self._show_counts(total, total)

        def failed(_error: Exception, _details: str) -> None:
            self._recounting = False

        self.runner.start(lambda _state: leads.count(LeadQuery()), on_done=counted,
                          on_error=failed, lane=Lane.READ, owner=self)

    def _touched(self: MainWindow) -> None:
        """A touch was logged or a task moved: counts, tray and lists follow."""
        self.apply_changes(TOUCHED)

    def _leads_moved(self: MainWindow) -> None:
        """Owners changed (assignment, re-applied rules, undo): lists elsewhere re-read."""
        self.apply_changes(LEADS_CHANGED)

    def refresh_all(self: MainWindow) -> None:
        """Re-read everything in view now (Ctrl+R, and after imports and other wide changes)."""
        self.booth.reload_events()
        self.leads.reload_choices()
        self.leads.model.refresh()
        if self.pages.currentIndex() == HOME:
            self.home.refresh()
        elif self.pages.currentIndex() == ASSIGNMENT:
            self.assignment.refresh()
        elif self.pages.currentIndex() == MY_DAY:
            self.my_day.refresh()
        elif self.pages.currentIndex() == DASHBOARD:
            self.dashboard.refresh()
        self.tray.check()
