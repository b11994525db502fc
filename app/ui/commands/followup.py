"""Follow-up: the periodic checks, the daily re-score, what the app changed by itself, cadences,
reports and the calendar export."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog

from app.domain.history import AutomaticChange
from app.domain.people import Role
from app.services.followup_checks import FollowUpCancelledError, NurtureReturn, SlaCheck
from app.services.scoring_service import RescoreSummary
from app.ui import messages
from app.ui.dialogs.cadences_dialog import CadencesDialog
from app.ui.dialogs.followup_settings_dialog import followup_settings_dialog
from app.ui.dialogs.plan_dialog import PlanDialog
from app.ui.dialogs.report_dialog import ReportDialog
from app.ui.navigation import ASSIGNMENT, MY_DAY
from app.ui.operations import Changes
from app.ui.wording import counted
from app.ui.workers import JobState

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow


class FollowUpCommands:
    """Follow-up commands and background checks (mixed into MainWindow)."""

    def rescore_daily(self: MainWindow) -> None:
        if not self.services.scoring.rescore_due() or self._rescoring:
            return
        status = self.statusBar()
        status.showMessage("Updating scores for today…")
        scoring = self.services.scoring

        def finished() -> None:
            self._rescoring = False
            if self._checks_waiting:  # the follow-up checks waited for the scores
                self._checks_waiting = False
                self.run_periodic_checks()

        def done(summary: RescoreSummary | None) -> None:
            finished()
            status.showMessage("Scores are up to date.", 5000)
            if summary is None:
                return
            self.report_automatic_changes(summary.changes)
            if summary.changed:
                self.leads.model.refresh()

        def failed(error: Exception, _details: str) -> None:
            finished()
            status.showMessage(f"Scores were not updated: {error}", 10000)

        self._rescoring = True
        self.runner.start(
            lambda state: scoring.rescore_daily(progress=state.report, cancelled=lambda: state.cancelled),
            on_done=done,
            on_error=failed,
            owner=self,
        )

    def run_periodic_checks(self: MainWindow) -> None:
        """First-touch deadlines and nurture returns, on the runner; tests call it directly."""
        if self._periodic_job is not None and not self._periodic_job.finished:
            return  # the last round is still at work (a big file): never two at once
        if self._rescoring:
            # One pass over every lead at a time: the checks follow today's re-score (both
            # at once cost memory and slow the pages people are looking at).
            self._checks_waiting = True
            return
        followup = self.services.followup

        def work(state: JobState) -> tuple[SlaCheck, NurtureReturn]:
            stop = lambda: state.cancelled  # noqa: E731
            return (
                followup.check_service_levels(cancelled=stop),
                followup.return_from_nurture(cancelled=stop),
            )

        def failed(error: Exception, _details: str) -> None:
            if not isinstance(error, FollowUpCancelledError):  # the window closed: done later
                self.statusBar().showMessage(f"Follow-up checks failed: {error}", 10000)

        self._periodic_job = self.runner.start(work, on_done=self._periodic_done, on_error=failed, owner=self)

    def _periodic_done(self: MainWindow, result: tuple[SlaCheck, NurtureReturn]) -> None:
        check, back = result
        if check.breached:
            user = self.services.people.current_user()
            if user is not None and user.role is Role.MANAGER:
                self.tray.notify("Leadline", check.changes[0].summary)
        if self.report_automatic_changes((*check.changes, *back.changes)):
            self.tray.check()
            if self.pages.currentIndex() == MY_DAY:
                self.my_day.refresh()
            elif self.pages.currentIndex() == ASSIGNMENT:
                self.assignment.refresh()

    def report_automatic_changes(self: MainWindow, changes: Sequence[AutomaticChange]) -> bool:
        """What the app changed by itself: a notice each (with a link to the leads), the
        status bar, and lists that read again. Returns whether there was anything."""
        if not changes:
            return False
        at = f"{self.services.context.clock().astimezone():%H:%M}"
        for change in changes:
            self.notices.add(change.summary, change.lead_ids, at)
        self.statusBar().showMessage("; ".join(c.summary for c in changes), 15000)
        self.apply_changes(Changes(leads=True))
        return True

    def show_reports(self: MainWindow) -> None:
        ReportDialog.ask(self.services, self.runner, self)

    def show_plan(self: MainWindow) -> None:
        PlanDialog.ask(self.services, self.runner, self)

    def edit_cadences(self: MainWindow) -> None:
        if CadencesDialog.ask(self.services, self):
            self.statusBar().showMessage("Cadences saved: new owners get the new plan.", 5000)

    def edit_followup_settings(self: MainWindow) -> None:
        if followup_settings_dialog(self.services, self.settings, self).ask():
            self.statusBar().showMessage("Follow-up settings saved.", 5000)
            self.refresh_all()

    def export_calendar(self: MainWindow) -> None:
        user = self.services.people.current_user()
        if user is None:
            messages.info(self, "Export my tasks", "Sign in first (File → Switch user…).")
            return
        path, _ = QFileDialog.getSaveFileName(
            self, "Export my tasks to calendar", "leadline-tasks.ics", "iCalendar (*.ics)"
        )
        if not path:
            return
        with messages.reported(self, "Tasks not exported") as attempt:
            count = self.services.followup.export_calendar(user.id, Path(path))
        if attempt.failed:
            return
        self.statusBar().showMessage(f"{counted(count, 'open task')} written to {path}", 8000)
