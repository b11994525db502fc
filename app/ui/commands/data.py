"""Commands that bring data in or out, or re-apply rules to it: imports, exports, demo data,
routing and scoring rules."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QInputDialog

from app.ui import messages
from app.ui.dialogs import export_dialog
from app.ui.dialogs.audit_dialog import AuditDialog
from app.ui.dialogs.customer_import_wizard import CREDITED, CustomerImportWizard
from app.ui.dialogs.customer_review_dialog import CustomerReviewDialog
from app.ui.dialogs.import_history_dialog import ImportHistoryDialog
from app.ui.dialogs.import_wizard import ImportWizard
from app.ui.dialogs.reassign_dialog import ReassignDialog
from app.ui.dialogs.retention_dialog import RetentionDialog
from app.ui.dialogs.routing_rules_dialog import RoutingRulesDialog
from app.ui.dialogs.scoring_rules_dialog import ScoringRulesDialog, rescore_all
from app.ui.dialogs.suppression_dialog import SuppressionDialog
from app.ui.navigation import LEADS
from app.ui.operations import EVERYTHING, Changes, Operation, run_operation
from app.ui.wording import counted
from app.ui.workers import JobState

if TYPE_CHECKING:
    from app.services.scoring_service import RescoreSummary
    from app.ui.main_window import MainWindow

DEMO_DEFAULT = 2000


class DataCommands:
    """The Data menu's commands (mixed into MainWindow)."""

    def import_leads_chosen(self: MainWindow) -> None:
        self.import_leads()

    def import_leads(self: MainWindow, path: Path | None = None) -> None:
        changes = ImportWizard.ask(self.services, self.runner, path, self)
        if changes:
            self.show_page(LEADS)
            self.apply_changes(changes)

    def import_customers_chosen(self: MainWindow) -> None:
        self.import_customers()

    def import_customers(self: MainWindow, path: Path | None = None) -> None:
        report = CustomerImportWizard.ask(self.services, self.runner, path, self)
        if report is None:
            return
        self.apply_changes(CREDITED)
        if report.review and messages.confirm(
                self, "Customers imported", f"{counted(report.review, 'order')} could be "
                "credited to a lead with a similar name. Look at them now?", "Review"):
            self.review_customer_matches()

    def review_customer_matches(self: MainWindow) -> None:
        if CustomerReviewDialog.ask(self.services.customers, self):
            self.apply_changes(CREDITED)

    def show_suppression_list(self: MainWindow) -> None:
        if SuppressionDialog.ask(self.services.suppressions, self):
            self.refresh_all()

    def show_audit_trail(self: MainWindow) -> None:
        AuditDialog(self.services.audit, self).exec()

    def edit_retention_rule(self: MainWindow) -> None:
        dialog = RetentionDialog(self.services.retention, self.runner, self)
        dialog.exec()
        if dialog.erased is not None and dialog.erased.erased:
            # Undo commands hold erased people's old values in memory: never write them back.
            self.undo_stack.clear()
            self.leads.detail.show_lead(None)
            self.refresh_all()

    def export_leads(self: MainWindow) -> None:
        export_dialog.export_leads(
            self, self.services, self.runner, self.leads.current_query(), self.leads.model.rowCount()
        )

    def import_company_directory(self: MainWindow) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            "Import company directory",
            "",
            "Company directory: domain, company, industry, size, country (*.csv *.txt)",
        )
        if not path:
            return
        with messages.reported(self, "Company directory not imported") as attempt:
            result = self.services.enrichment.import_directory(Path(path))
        if attempt.failed:
            return
        problems = (
            f"\n{counted(len(result.problems), 'row')} skipped, e.g. {result.problems[0]}"
            if result.problems
            else ""
        )
        messages.info(
            self,
            "Company directory imported",
            f"{counted(result.added, 'company', 'companies')} added, "
            f"{result.updated:,} updated; {counted(result.leads_enriched, 'lead')} had "
            f"blanks filled (typed values are never replaced).{problems}",
        )
        self.refresh_all()

    def show_import_history(self: MainWindow) -> None:
        if ImportHistoryDialog.ask(self.services.imports, self.services.customers, self):
            self.refresh_all()

    def load_demo(self: MainWindow) -> None:
        count, ok = QInputDialog.getInt(
            self,
            "Load demo data",
            "How many demo leads? (events, team and history are added too)",
            DEMO_DEFAULT,
            10,
            1_000_000,
            1000,
        )
        if not ok:
            return
        from app.services.demo_service import DemoService

        demo = DemoService(self.services.context)

        def work(state: JobState) -> object:
            return demo.generate(count, progress=state.report, cancelled=lambda: state.cancelled)

        operation = Operation(
            "Demo data", "Creating demo leads…", work, EVERYTHING, failure_text="Demo data failed."
        )
        run_operation(
            self.runner,
            self,
            operation,
            on_changes=lambda _changes: self.refresh_all(),
            done_message="Demo data loaded",
            status_bar=self.statusBar(),
        )

    def reapply_rules(self: MainWindow) -> None:
        if (
            ReassignDialog.ask(
                self.services, self.runner, self.undo_stack, self.assignment.after_change, self
            )
            is not None
        ):
            self.statusBar().showMessage("Routing rules re-applied. Ctrl+Z undoes it.", 6000)

    def edit_routing_rules(self: MainWindow) -> None:
        if RoutingRulesDialog.ask(self.services, self):
            self.reapply_rules()

    def edit_scoring_rules(self: MainWindow) -> None:
        if not ScoringRulesDialog.ask(self.services, self):
            return
        if messages.confirm(
            self,
            "Scoring rules saved",
            "New and edited leads are scored with "
            "the new rules. Re-score all existing leads now? (Statuses may "
            "move up to MQL or SQL.)",
            "Re-score all",
        ):
            rescore_all(self, self.services, self.runner, on_changes=self._rescored_changes,
                        on_success=self._rescored, status_bar=self.statusBar())

    def _rescored_changes(self: MainWindow, changes: Changes) -> None:
        self.refresh_all()
        self.apply_changes(changes)

    def _rescored(self: MainWindow, summary: RescoreSummary) -> None:
        self.statusBar().showMessage(
            f"Re-scored: {summary.changed:,} scores changed, {summary.promoted:,} leads promoted",
            8000,
        )
