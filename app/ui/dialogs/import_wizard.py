"""Import wizard: choose a file, check the column mapping, check how choice values translate,
preview with problems marked, import.

Nothing is written before the last step; the import itself is one batch, run off the GUI thread
with progress and cancel, and can be undone from File → Import history.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QWidget, QWizard

from app.domain.errors import LeadlineError
from app.domain.imports import ImportReport
from app.domain.value_vocabulary import ValueMapping
from app.importers.mapping import ColumnMapping
from app.importers.tabular import Table
from app.services.container import Services
from app.ui import messages
from app.ui.dialogs.import_file_pages import FilePage, MappingPage
from app.ui.dialogs.import_preview_page import PreviewPage
from app.ui.dialogs.import_values_page import ValuesPage
from app.ui.operations import NOTHING, Changes, Operation, run_operation
from app.ui.wording import counted
from app.ui.workers import JobState, TaskRunner

# An import adds and updates leads, plans their first tasks and marks its event as used.
IMPORTED = Changes(leads=True, tasks=True, events=True)


class ImportWizard(QWizard):
    def __init__(self, services: Services, runner: TaskRunner, path: Path | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import leads")
        self.services, self.runner = services, runner
        self.table: Table | None = None
        self.mapping: ColumnMapping | None = None
        self.report: ImportReport | None = None
        self.imported: ImportReport | None = None
        self.changes = NOTHING  # what a finished import changed, for the window's pages
        self.values = ValueMapping()  # the person's translations of choice values
        self.file_page = FilePage(self, path)
        self.mapping_page = MappingPage(self)
        self.values_page = ValuesPage(self)
        self.preview_page = PreviewPage(self)
        self.page_ids = {page: self.addPage(page) for page in (
            self.file_page, self.mapping_page, self.values_page, self.preview_page)}
        self.setButtonText(QWizard.WizardButton.FinishButton, "Import")
        self.resize(980, 640)

    def accept(self) -> None:
        if self.table is None or self.mapping is None:
            return
        event_id, policy = self.preview_page.choice()
        table, mapping, imports = self.table, self.mapping, self.services.imports
        finish_button = self.button(QWizard.WizardButton.FinishButton)
        finish_button.setEnabled(False)  # one import per click, however long it takes

        def work(state: JobState) -> ImportReport:
            return imports.run(table, mapping, event_id, policy, progress=state.report,
                               cancelled=lambda: state.cancelled)

        def done(report: ImportReport) -> None:
            self.imported, self.changes = report, IMPORTED
            if event_id is not None:
                self.services.events.remember_used(event_id)
            counts = report.counts
            messages.info(self, "Import finished",
                          f"{counted(counts.created, 'lead')} created, {counts.updated:,} "
                          f"updated, {counted(counts.duplicates, 'duplicate')} skipped, "
                          f"{counted(counts.rejected, 'row')} rejected. Undo it from File → "
                          "Import history.")
            super(ImportWizard, self).accept()

        def failed(error: Exception) -> bool:
            finish_button.setEnabled(True)
            if isinstance(error, LeadlineError | OSError):
                messages.error(self, "Nothing was imported", str(error))
                return True
            return False  # run_operation shows the failure text with the technical details

        operation = Operation("Import leads", "Importing…", work, IMPORTED, percent=True,
                              failure_text="The import failed; nothing was imported.",
                              failure_title="Nothing was imported")
        run_operation(self.runner, self, operation,
                      on_success=lambda report, _changes: done(report), on_failure=failed)

    @classmethod
    def ask(cls, services: Services, runner: TaskRunner, path: Path | None = None,
            parent: QWidget | None = None) -> Changes:
        """Run the wizard; what the import changed (NOTHING when nothing was imported)."""
        wizard = cls(services, runner, path, parent)
        wizard.exec()
        return wizard.changes
