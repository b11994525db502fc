"""Commands on one lead or the selected leads: new, save, delete, hand back, recycle, score,
touch, privacy."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.domain.leads import LeadRecord
from app.domain.tasks import TaskKind
from app.ui import messages
from app.ui.dialogs import erasure_dialog
from app.ui.dialogs.hand_back_dialog import HandBackDialog, RecycleDialog
from app.ui.dialogs.new_lead_dialog import NewLeadDialog
from app.ui.followup_actions import log_touch_for
from app.ui.navigation import ASSIGNMENT, LEADS, MY_DAY
from app.ui.undo import AssignmentRunCommand, CreateLeadCommand

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow


class LeadCommands:
    """The Lead menu and the lead list's own commands (mixed into MainWindow)."""

    def save_lead(self: MainWindow) -> None:
        self.leads.detail.save()

    def delete_selected_leads(self: MainWindow) -> None:
        self.leads.delete_selected()

    def new_lead(self: MainWindow) -> None:
        record = NewLeadDialog.ask(self.services.leads, self.leads._choices(), self)
        if record is None:
            return
        self.undo_stack.push(CreateLeadCommand(self.services.leads, record, self.leads.lead_stored))
        self.show_page(LEADS)
        self.leads.model.refresh()
        self.leads.select_lead(record)
        self.statusBar().showMessage(f"Added {record.display_name}", 4000)

    def _single_selected(self: MainWindow, what: str) -> LeadRecord | None:
        records = self.leads.selected_records()
        if len(records) != 1:
            messages.info(self, what, "Select one lead in the list first.")
            self.show_page(LEADS)
            return None
        return records[0]

    def export_person_data(self: MainWindow) -> None:
        record = self._single_selected("Export person's data")
        if record is not None:
            erasure_dialog.export_person(self, self.services, record)

    def erase_person(self: MainWindow) -> None:
        record = self._single_selected("Erase person")
        if record is None or erasure_dialog.erase_person(self, self.services, record, self.runner) is None:
            return
        # Undo commands hold the person's old values in memory; they must not write them back.
        self.undo_stack.clear()
        self.leads.detail.show_lead(None)
        self.refresh_all()

    def _lead_for(self: MainWindow, what: str) -> LeadRecord | None:
        """The lead in the detail pane, else the one selected lead."""
        if self.pages.currentIndex() == LEADS and self.leads.detail.record is not None:
            return self.leads.detail.record
        return self._single_selected(what)

    def hand_back(self: MainWindow) -> None:
        record = self._lead_for("Hand back to queue")
        if record is None:
            return
        reason = HandBackDialog.ask(record.display_name, self)
        if reason is None:
            return
        routing = self.services.routing
        with messages.reported(self, "Lead not handed back") as attempt:
            result = routing.hand_back(record.id, reason)
        if attempt.failed:
            return
        if result.run_id is not None:
            self.undo_stack.push(
                AssignmentRunCommand(
                    f"Hand back {record.display_name}",
                    routing,
                    result.run_id,
                    lambda: routing.hand_back(record.id, reason),
                    self._after_lead_moved,
                )
            )
        self._after_lead_moved()
        self.statusBar().showMessage(f"{record.display_name} handed back to the queue", 5000)

    def recycle(self: MainWindow) -> None:
        record = self._lead_for("Recycle to nurture")
        if record is None:
            return
        today = self.services.context.clock().date()
        chosen = RecycleDialog.ask(record.display_name, today, self)
        if chosen is None:
            return
        reason, come_back_on = chosen
        with messages.reported(self, "Lead not recycled") as attempt:
            self.services.routing.recycle(record.id, reason, come_back_on)
        if attempt.failed:
            return
        self._after_lead_moved()
        self.statusBar().showMessage(
            f"{record.display_name} is in nurture until {come_back_on:%Y-%m-%d}", 5000
        )

    def _after_lead_moved(self: MainWindow) -> None:
        record = self.leads.detail.record
        if record is not None:
            # Re-read the list (owner or status changed) but stay on the lead.
            self.leads.model.refresh()
            self.leads.select_lead(self.services.leads.get(record.id))
        else:
            self.leads.model.refresh()
        if self.pages.currentIndex() == ASSIGNMENT:
            self.assignment.refresh()

    def why_score(self: MainWindow) -> None:
        record = self._lead_for("Why this score?")
        if record is None:
            return
        with messages.reported(self, "Why this score?") as attempt:
            lead, result = self.services.scoring.explain(record.id)
        if attempt.failed:
            return
        lines = "\n".join(result.explain().split("; "))
        messages.info(self, "Why this score?", f"{lead.display_name}: score {result.total}\n\n{lines}")

    def log_touch(self: MainWindow) -> None:
        """A touch on the lead in view (no task needed): My day's selected task, else the
        lead in the detail pane or the one selected lead."""
        if self.pages.currentIndex() == MY_DAY:
            self.my_day.log_touch()
            return
        record = self._lead_for("Log touch")
        if record is None:
            return
        if log_touch_for(self, self.services, record.id, record.display_name, None, "", TaskKind.CALL):
            self.leads.detail.refresh_record()
            self._touched()
