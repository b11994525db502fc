"""File → Import customers and orders…: an accounting or ERP export, its columns, a preview of
which leads each order is credited to, then one batch (undone from File → Import history).

The preview and the import both read the whole file and match every order, so both run off
the GUI thread with progress and cancel; nothing is written before the last step.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.domain.contact_data import format_money
from app.domain.customers import (
    CUSTOMER_FIELDS,
    FIELD_LABELS,
    REQUIRED_FIELDS,
    CustomerImportReport,
    check_mapping,
)
from app.domain.errors import LeadlineError
from app.importers.tabular import Table
from app.services.container import Services
from app.ui import messages
from app.ui.dialogs.import_file_pages import FilePage
from app.ui.operations import NOTHING, Changes, Operation, run_operation
from app.ui.style import warning_colour
from app.ui.wording import counted
from app.ui.workers import JobState, TaskRunner

# Matched leads become won with their revenue: the list, the dashboard and reports change.
CREDITED = Changes(leads=True)
NONE_CHOSEN = ""
SAMPLE_COLUMNS = ("Row", "Customer", "Order", "Date", "Amount", "Outcome", "Why", "Change")


class CustomerImportWizard(QWizard):
    def __init__(self, services: Services, runner: TaskRunner, path: Path | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import customers and orders")
        self.services, self.runner = services, runner
        self.table: Table | None = None
        self.mapping: dict[str, str] = {}
        self.imported: CustomerImportReport | None = None
        self.changes = NOTHING
        self.file_page = FilePage(
            self, path, opener=services.customers.open, kinds="Customer or order exports",
            subtitle="A CSV or XLSX export of customers' orders or invoices from the accounting "
                     "or ERP system (DATEV, Lexware, sevDesk, QuickBooks, Xero, SAP…): who "
                     "bought, when, and how much.")
        self.mapping_page = CustomerMappingPage(self)
        self.preview_page = CustomerPreviewPage(self)
        for page in (self.file_page, self.mapping_page, self.preview_page):
            self.addPage(page)
        self.setButtonText(QWizard.WizardButton.FinishButton, "Import")
        self.resize(980, 640)

    def accept(self) -> None:
        if self.table is None:
            return
        table, mapping, customers = self.table, dict(self.mapping), self.services.customers
        finish_button = self.button(QWizard.WizardButton.FinishButton)
        finish_button.setEnabled(False)  # one import per click, however long it takes

        def work(state: JobState) -> CustomerImportReport:
            return customers.run(table, mapping, progress=state.report,
                                 cancelled=lambda: state.cancelled)

        def done(report: CustomerImportReport) -> None:
            self.imported, self.changes = report, CREDITED
            review = (f" {counted(report.review, 'order')} need a look: Data → Customer "
                      "matches to review…" if report.review else "")
            messages.info(self, "Customers imported",
                          f"{counted(report.created, 'order')} added, {report.updated:,} "
                          f"updated, {report.unchanged:,} unchanged; "
                          f"{counted(report.leads_won, 'lead')} won. "
                          f"{counted(len(report.rejected), 'row')} rejected.{review} Undo it "
                          "from File → Import history.")
            super(CustomerImportWizard, self).accept()

        def failed(error: Exception) -> bool:
            finish_button.setEnabled(True)
            if isinstance(error, LeadlineError | OSError):
                messages.error(self, "Nothing was imported", str(error))
                return True
            return False

        operation = Operation("Import customers", "Importing orders…", work, CREDITED,
                              percent=True, failure_text="The import failed; nothing was "
                              "imported.", failure_title="Nothing was imported")
        run_operation(self.runner, self, operation,
                      on_success=lambda report, _changes: done(report), on_failure=failed)

    @classmethod
    def ask(cls, services: Services, runner: TaskRunner, path: Path | None = None,
            parent: QWidget | None = None) -> CustomerImportReport | None:
        """Run the wizard; the finished import's report (None when nothing was imported)."""
        wizard = cls(services, runner, path, parent)
        wizard.exec()
        return wizard.imported


class CustomerMappingPage(QWizardPage):
    """Which column of the file holds each customer field (suggested from the headers)."""

    def __init__(self, wizard: CustomerImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("Check the columns")
        self.setSubTitle("Orders are matched to leads by email, then the company's web domain, "
                         "then the company name (similar spellings are asked about).")
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.problems = QLabel()
        self.problems.setWordWrap(True)
        self.problems.setStyleSheet(f"color: {warning_colour()}")
        self.combos: dict[str, QComboBox] = {}
        self.form = QFormLayout()
        for name in CUSTOMER_FIELDS:
            combo = QComboBox()
            combo.setAccessibleName(f"Column for {FIELD_LABELS[name]}")
            combo.currentIndexChanged.connect(self._changed)
            self.combos[name] = combo
            required = " (needed)" if name in REQUIRED_FIELDS else ""
            self.form.addRow(f"{FIELD_LABELS[name]}{required}:", combo)
        layout = QVBoxLayout(self)
        layout.addWidget(self.info)
        layout.addLayout(self.form)
        layout.addWidget(self.problems)
        layout.addStretch(1)

    def initializePage(self) -> None:
        table = self.wiz.table
        assert table is not None
        info = table.info
        first = next(iter(table.rows()), None)
        suggested = self.wiz.services.customers.suggested_mapping(table)
        for name, combo in self.combos.items():
            combo.blockSignals(True)
            combo.clear()
            combo.addItem("(none)", NONE_CHOSEN)
            for header in info.headers:
                sample = first.values.get(header, "") if first else ""
                combo.addItem(f"{header}  —  e.g. {sample[:40]}" if sample else header, header)
            combo.setCurrentIndex(max(combo.findData(suggested.get(name, NONE_CHOSEN)), 0))
            combo.blockSignals(False)
        self.info.setText(f"{info.path.name}: {info.kind.upper()}, header in row "
                          f"{info.header_row}. Columns were matched by their names; correct "
                          "any that are wrong.")
        self._changed()

    def chosen(self) -> dict[str, str]:
        return {name: str(combo.currentData()) for name, combo in self.combos.items()
                if combo.currentData()}

    def _changed(self) -> None:
        table = self.wiz.table
        headers = table.info.headers if table is not None else ()
        problems = check_mapping(self.chosen(), headers)
        self.problems.setText("To import: " + "; ".join(problems) + "." if problems else "")
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        table = self.wiz.table
        return table is not None and not check_mapping(self.chosen(), table.info.headers)

    def validatePage(self) -> bool:
        self.wiz.mapping = self.chosen()
        return True


class CustomerPreviewPage(QWizardPage):
    """What the import would do: counts by outcome, the first orders with their lead and why,
    and the rows that cannot be imported, with the reason."""

    def __init__(self, wizard: CustomerImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.report: CustomerImportReport | None = None
        self.setTitle("Preview")
        self.summary = QLabel("Reading the file…")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.sample = QTableWidget(0, len(SAMPLE_COLUMNS))
        self.sample.setAccessibleName("The first orders and the lead each is credited to")
        self.sample.setHorizontalHeaderLabels(list(SAMPLE_COLUMNS))
        self.sample.verticalHeader().hide()
        self.sample.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.sample.horizontalHeader().setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)
        self.rejected = QLabel()
        self.rejected.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.sample, 1)
        layout.addWidget(self.rejected)

    def initializePage(self) -> None:
        self.report = None
        self.completeChanged.emit()
        table, mapping = self.wiz.table, dict(self.wiz.mapping)
        assert table is not None
        customers = self.wiz.services.customers

        def work(state: JobState) -> CustomerImportReport:
            return customers.preview(table, mapping, progress=state.report,
                                     cancelled=lambda: state.cancelled)

        def failed(error: Exception) -> bool:
            self.summary.setText(f"The file cannot be imported: {error}")
            return isinstance(error, LeadlineError | OSError)

        operation = Operation("Preview", "Matching orders to leads…", work, NOTHING,
                              percent=True, failure_text="The preview failed.")
        run_operation(self.wiz.runner, self, operation,
                      on_success=lambda report, _changes: self.show_report(report),
                      on_failure=failed)

    def show_report(self, report: CustomerImportReport) -> None:
        self.report = report
        self.summary.setText(
            f"{counted(report.read, 'row')} read: {report.matched:,} credited to a lead, "
            f"{report.review:,} to review (a similar company name, or the same domain with "
            f"another name), {report.unmatched:,} without a lead. {report.created:,} new, "
            f"{report.updated:,} updated, {report.unchanged:,} unchanged since the last "
            "import." + ("".join(f" {note}" for note in report.notes)))
        self.sample.setRowCount(len(report.sample))
        for row, order in enumerate(report.sample):
            cells = (str(order.row), order.company, order.order_number,
                     order.order_date.isoformat(), format_money(order.amount, order.currency),
                     order.status.label, order.reason, order.change)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 4:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.sample.setItem(row, column, item)
        self.sample.resizeColumnsToContents()
        shown = report.rejected[:5]
        more = f" (and {len(report.rejected) - len(shown):,} more)" if \
            len(report.rejected) > len(shown) else ""
        self.rejected.setText(
            f"{counted(len(report.rejected), 'row')} cannot be imported: " +
            "; ".join(f"row {r.row}: {r.reason}" for r in shown) + more
            if report.rejected else "")
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.report is not None and self.report.read > 0
