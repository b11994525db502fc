"""File → Reports…: choose a printed report and its filters, then save the PDF or print it.

The PDF is written on the runner (progress, cancel); printing renders it to a temporary PDF
first and then paints its pages onto the printer chosen in Qt's print dialog.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QDate, QSettings, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.attribution import Model
from app.domain.errors import LeadlineError
from app.services.container import Services
from app.services.report_service import REPORT_KINDS, ReportCancelledError, ReportResult
from app.ui import messages
from app.ui.local_settings import LocalSettings, Reports
from app.ui.printing import PrintError, print_pdf
from app.ui.progress import run_with_progress
from app.ui.wording import counted
from app.ui.workers import JobState, TaskRunner

REPORTS = {
    "status": ("Lead status",
               "Counts by status and owner per event or source, untouched and overdue leads, "
               "then every lead with its owner, last touch and next step."),
    "reps": ("Rep accountability",
             "Per rep: leads assigned and touched, time to first touch, service level met, "
             "overdue tasks, skipped cadence steps and conversions."),
    "roi": ("Source and event return",
            "Leads, MQL, SQL, opportunities, won deals and revenue per event and source, with "
            "cost per lead, per SQL and per customer, and the return on the spend."),
    "funnel": ("Funnel by month",
               "How many leads came in each month and how far they got: MQL, SQL, "
               "opportunity, won or lost."),
    "attribution": ("Attribution and conversion",
                    "Revenue from matched customer orders per event, source and campaign, and "
                    "the funnel to customer: rates, days between stages, cost per lead, SQL "
                    "and customer, and return."),
    "followup": ("Follow-up sheet",
                 "A printable to-do list per rep: overdue tasks and the next 7 days (or the "
                 "dates chosen), with phone numbers. Without an owner: one sheet per rep."),
}
PAPER = (("Automatic (by locale)", None), ("A4", "A4"), ("Letter", "Letter"))
MODELS = (("First touch: the lead's own show or source", Model.FIRST.value),
          ("Even split across every show the person was at", Model.EVEN.value))
_ANY_DATE = QDate(2000, 1, 1)


@dataclass(frozen=True)
class ReportChoice:
    kind: str
    event_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    page_size: str | None = None
    model: str = Model.FIRST.value  # attribution only


def default_page_size(settings: object) -> str | None:
    """The paper chosen in Settings → Reports: "A4", "Letter", or None (by locale).

    ``settings`` is a QSettings, or anything else (the parent window had none): automatic.
    """
    if not isinstance(settings, QSettings):
        return None
    return LocalSettings(settings).get(Reports.PAGE_SIZE) or None


def open_file(path: Path) -> bool:
    """Show the saved report in the system's PDF viewer (tests replace this)."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class ReportDialog(QDialog):
    def __init__(self, services: Services, runner: TaskRunner,
                 parent: QWidget | None = None, settings: QSettings | None = None) -> None:
        super().__init__(parent)
        self.services, self.runner = services, runner
        self.setWindowTitle("Reports")
        self.last_result: ReportResult | None = None
        self._temp: tempfile.TemporaryDirectory[str] | None = None

        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("reportKind")
        for kind in REPORT_KINDS:
            self.kind_combo.addItem(REPORTS[kind][0], kind)
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.description.setMinimumHeight(48)
        self.description.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.description.setStyleSheet("color: palette(mid);")
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)

        self.event_combo = QComboBox()
        self.event_combo.addItem("All events and sources", None)
        for event in services.events.events():
            self.event_combo.addItem(event.name, event.id)
        self.owner_combo = QComboBox()
        self.owner_combo.addItem("All owners", None)
        for user in services.people.users():
            self.owner_combo.addItem(f"{user.name} ({user.email})", user.id)
        self.from_edit = self._date_edit("reportFrom")
        self.to_edit = self._date_edit("reportTo")
        self.paper_combo = QComboBox()
        for label, value in PAPER:
            self.paper_combo.addItem(label, value)
        self.paper_combo.setCurrentIndex(max(0, self.paper_combo.findData(
            default_page_size(settings or getattr(parent, "settings", None)))))
        self.model_combo = QComboBox()
        self.model_combo.setObjectName("reportModel")
        for label, value in MODELS:
            self.model_combo.addItem(label, value)
        self.dates_hint = QLabel()
        self.dates_hint.setWordWrap(True)
        self.dates_hint.setStyleSheet("color: palette(mid);")

        form = QFormLayout()
        form.addRow("&Report:", self.kind_combo)
        form.addRow("", self.description)
        form.addRow("&Event:", self.event_combo)
        form.addRow("&Owner:", self.owner_combo)
        form.addRow("&From:", self.from_edit)
        form.addRow("&To:", self.to_edit)
        form.addRow("", self.dates_hint)
        form.addRow("Re&venue:", self.model_combo)
        self.form = form
        form.addRow("&Paper:", self.paper_combo)

        buttons = QDialogButtonBox()
        self.save_button = QPushButton("&Save PDF…")
        self.save_button.setDefault(True)
        self.print_button = QPushButton("&Print…")
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.save_button.clicked.connect(self.save_pdf)
        self.print_button.clicked.connect(self.print_report)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)
        self._kind_changed()

    @classmethod
    def ask(cls, services: Services, runner: TaskRunner, parent: QWidget | None = None,
            settings: QSettings | None = None) -> ReportResult | None:
        """Show the dialog; the last report saved or printed, or None."""
        dialog = cls(services, runner, parent, settings)
        dialog.exec()
        return dialog.last_result

    def _date_edit(self, name: str) -> QDateEdit:
        edit = QDateEdit()
        edit.setObjectName(name)
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setMinimumDate(_ANY_DATE)
        edit.setSpecialValueText("any")
        edit.setDate(_ANY_DATE)
        edit.setToolTip("Choose a day, or go back to the start for any")
        return edit

    def _kind_changed(self) -> None:
        kind = self.kind_combo.currentData()
        self.description.setText(REPORTS[kind][1])
        self.dates_hint.setText("Dates: the day each task is due." if kind == "followup"
                                else "Dates: the day each lead came in (both inclusive).")
        self.form.setRowVisible(self.model_combo, kind == "attribution")

    # -- the choice ---------------------------------------------------------------------------
    @staticmethod
    def _day(edit: QDateEdit) -> dt.date | None:
        date = edit.date()
        return None if date == edit.minimumDate() else date.toPython()

    def set_day(self, edit: QDateEdit, day: dt.date | None) -> None:
        edit.setDate(QDate(day.year, day.month, day.day) if day else edit.minimumDate())

    def choice(self) -> ReportChoice:
        return ReportChoice(self.kind_combo.currentData(), self.event_combo.currentData(),
                            self.owner_combo.currentData(), self._day(self.from_edit),
                            self._day(self.to_edit), self.paper_combo.currentData(),
                            self.model_combo.currentData())

    def suggested_name(self) -> str:
        choice = self.choice()
        today = self.services.context.clock().astimezone().date()
        return f"leadline-{choice.kind}-{today.isoformat()}.pdf"

    # -- save and print -----------------------------------------------------------------------
    def save_pdf(self) -> None:
        start = str(Path.home() / self.suggested_name())
        path, _ = QFileDialog.getSaveFileName(self, "Save report", start, "PDF (*.pdf)")
        if not path:
            return
        target = Path(path)
        if target.suffix.lower() != ".pdf":
            target = target.with_name(target.name + ".pdf")
        self.run(target, self._saved)

    def _saved(self, result: ReportResult) -> None:
        self.last_result = result
        pages = counted(result.pages, "page")
        if messages.confirm(self, "Report saved", f"{pages} written to {result.path}. Open "
                            "it now?", "Open"):
            open_file(result.path)

    def print_report(self) -> None:
        if self._temp is not None:
            self._temp.cleanup()
        self._temp = tempfile.TemporaryDirectory(prefix="leadline-report-")
        self.run(Path(self._temp.name) / self.suggested_name(), self._print_rendered,
                 printing=True)

    def ask_printer(self) -> QPrinter | None:
        """Qt's print dialog; the chosen printer, or None (tests replace this)."""
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        dialog.setOption(QPrintDialog.PrintDialogOption.PrintToFile, True)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return printer

    def _print_rendered(self, result: ReportResult) -> None:
        printer = self.ask_printer()
        if printer is None:
            self._drop_temp()
            return
        printer.setDocName(result.path.stem)
        self.setCursor(Qt.CursorShape.WaitCursor)
        try:
            printed = print_pdf(result.path, printer)
        except PrintError as error:
            messages.error(self, "Report not printed", str(error))
            return
        finally:
            self.unsetCursor()
            self._drop_temp()  # printed or not, the rendered PDF is not needed any more
        self.last_result = result
        self.services.reports.record_print(result, self.choice().kind, printed)
        parent = self.parentWidget()
        status = getattr(parent, "statusBar", None)
        if callable(status):
            status().showMessage(f"{printed} pages sent to the printer", 6000)

    def run(self, path: Path, then: Callable[[ReportResult], None], *,
            printing: bool = False) -> None:
        """Write the chosen report to ``path`` on the runner, with progress and cancel
        (``printing``: rendered to be printed, so the print is what the audit trail records)."""
        choice = self.choice()
        if choice.date_from and choice.date_to and choice.date_to < choice.date_from:
            messages.error(self, "Report not made", "The end date is before the start date.")
            return
        reports = self.services.reports
        self.save_button.setEnabled(False)
        self.print_button.setEnabled(False)

        def work(state: JobState) -> ReportResult:
            return reports.report(choice.kind, path, event_id=choice.event_id,
                                  owner_id=choice.owner_id, date_from=choice.date_from,
                                  date_to=choice.date_to, page_size=choice.page_size,
                                  progress=state.report, cancelled=lambda: state.cancelled,
                                  printing=printing, model=choice.model)

        def finish() -> None:
            self.save_button.setEnabled(True)
            self.print_button.setEnabled(True)

        def done(result: ReportResult) -> None:
            finish()
            then(result)

        def failed(error: Exception, details: str) -> None:
            finish()
            if isinstance(error, ReportCancelledError):
                return
            text = str(error) if isinstance(error, LeadlineError) else "The report failed."
            messages.error(self, "Report not made", text, details)

        run_with_progress(self.runner, self, f"Writing the {REPORTS[choice.kind][0].lower()} "
                          "report…", work, on_done=done, on_error=failed, title="Reports")

    def _drop_temp(self) -> None:
        if self._temp is not None:
            self._temp.cleanup()
            self._temp = None

    def done(self, result: int) -> None:
        self._drop_temp()
        super().done(result)
