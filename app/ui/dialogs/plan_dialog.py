"""File → Lead-flow planner…: a revenue target worked back to the leads needed each month.

The measured rates and deal size are read on the runner (they count a year of leads) and fill
the form; any value typed over them becomes an estimate. The months table and the verdict are
recalculated on the runner too, and "Save as PDF…" / "Print…" write the same plan.
"""

from __future__ import annotations

import tempfile
from fractions import Fraction
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.contact_data import parse_money
from app.domain.errors import LeadlineError, ValidationError
from app.domain.planning import LeadFlowPlan, Period, Stage, Verdict
from app.services.container import Services
from app.services.planning_service import Measured
from app.ui import messages
from app.ui.dialogs.report_dialog import open_file
from app.ui.printing import PrintError, print_pdf
from app.ui.wording import counted
from app.ui.workers import JobState, TaskRunner

QUARTERS = (("Whole year", None), ("Q1 (Jan–Mar)", 1), ("Q2 (Apr–Jun)", 2),
            ("Q3 (Jul–Sep)", 3), ("Q4 (Oct–Dec)", 4))
COLUMNS = ("Month", "Needed", "Needed so far", "Created", "Created so far", "Projected")


def _amount(minor: int | None) -> str:
    return "" if minor is None else f"{minor / 100:.2f}"


class PlanDialog(QDialog):
    def __init__(self, services: Services, runner: TaskRunner,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services, self.runner = services, runner
        self.setWindowTitle("Lead-flow planner")
        self.measured: Measured | None = None
        self.result: LeadFlowPlan | None = None
        self._loading = False

        today = services.context.clock()
        self.target_edit = QLineEdit()
        self.target_edit.setObjectName("planTarget")
        self.target_edit.setPlaceholderText("e.g. 500000")
        self.year_spin = QSpinBox()
        self.year_spin.setRange(2000, 2100)
        self.year_spin.setValue(today.year + 1 if today.month >= 10 else today.year)
        self.quarter_combo = QComboBox()
        for label, quarter in QUARTERS:
            self.quarter_combo.addItem(label, quarter)
        period_row = QWidget()
        period_layout = QHBoxLayout(period_row)
        period_layout.setContentsMargins(0, 0, 0, 0)
        period_layout.addWidget(self.year_spin)
        period_layout.addWidget(self.quarter_combo, 1)
        self.deal_edit = QLineEdit()
        self.deal_edit.setObjectName("planDealSize")
        self.deal_source = QLabel()
        self.rate_spins: dict[Stage, QDoubleSpinBox] = {}
        self.rate_sources: dict[Stage, QLabel] = {}
        self.window_label = QLabel()
        self.window_label.setWordWrap(True)
        self.window_label.setStyleSheet("color: palette(mid);")

        form = QFormLayout()
        form.addRow("&Revenue target:", self.target_edit)
        form.addRow("&Period:", period_row)
        form.addRow("&Average deal size:", self._with_source(self.deal_edit, self.deal_source))
        for stage in Stage:
            spin = QDoubleSpinBox()
            spin.setObjectName(f"planRate-{stage.value}")
            spin.setRange(0.0, 100.0)
            spin.setDecimals(1)
            spin.setSuffix(" %")
            spin.setSpecialValueText("none yet")
            self.rate_spins[stage], self.rate_sources[stage] = spin, QLabel()
            form.addRow(f"{stage.label}:", self._with_source(spin, self.rate_sources[stage]))
        form.addRow("", self.window_label)

        self.verdict_label = QLabel()
        self.verdict_label.setObjectName("planVerdict")
        self.verdict_label.setWordWrap(True)
        self.verdict_label.setStyleSheet("font-weight: bold;")
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setMinimumHeight(240)
        self.table.verticalHeader().setDefaultSectionSize(22)

        buttons = QDialogButtonBox()
        self.calculate_button = QPushButton("&Calculate")
        self.calculate_button.setDefault(True)
        self.save_button = QPushButton("&Save as PDF…")
        self.print_button = QPushButton("&Print…")
        for button in (self.calculate_button, self.save_button, self.print_button):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.calculate_button.clicked.connect(self.calculate)
        self.save_button.clicked.connect(self.save_pdf)
        self.print_button.clicked.connect(self.print_plan)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.verdict_label)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.setMinimumWidth(640)
        self._set_outputs_enabled(False)

        self.year_spin.valueChanged.connect(self.load_measured)
        self.quarter_combo.currentIndexChanged.connect(self.load_measured)
        self.deal_edit.textEdited.connect(self._mark_sources)
        for spin in self.rate_spins.values():
            spin.valueChanged.connect(self._mark_sources)
        self.load_measured()

    @classmethod
    def ask(cls, services: Services, runner: TaskRunner, parent: QWidget | None = None) -> None:
        cls(services, runner, parent).exec()

    @staticmethod
    def _with_source(field: QWidget, source: QLabel) -> QWidget:
        source.setStyleSheet("color: palette(mid);")
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(field)
        row.addWidget(source, 1)
        return box

    def period(self) -> Period:
        return Period(self.year_spin.value(), self.quarter_combo.currentData())

    # -- measured values ----------------------------------------------------------------------
    def load_measured(self) -> None:
        planning, period = self.services.planning, self.period()

        def work(_state: JobState) -> Measured:
            return planning.measured(period)

        self._loading = True
        self.runner.start(work, on_done=self._fill, on_error=self._failed, owner=self)

    def _fill(self, measured: Measured) -> None:
        self.measured = measured
        history = measured.history
        rates = history.rates()
        self._loading = True
        self.deal_edit.setText(_amount(history.deal_size))
        for stage, spin in self.rate_spins.items():
            rate = rates[stage].rate
            spin.setValue(float(rate * 100) if rate is not None else 0.0)
        self._loading = False
        first, last = measured.window
        self.window_label.setText(f"Measured from the {counted(history.leads, 'lead')} created "
                                  f"{first} to {last} (UTC months). Type over a value to use "
                                  f"an estimate. Amounts in {measured.currency}.")
        self._mark_sources()
        if self.target_edit.text().strip():
            self.calculate()

    def _measured_rate(self, stage: Stage) -> Fraction | None:
        return self.measured.history.rates()[stage].rate if self.measured else None

    def estimates(self) -> dict[Stage, Fraction]:
        """The rates typed over the measured ones (shown rounded to 0.1 %)."""
        typed: dict[Stage, Fraction] = {}
        for stage, spin in self.rate_spins.items():
            measured = self._measured_rate(stage)
            shown = round(float(measured * 100), 1) if measured is not None else 0.0
            if spin.value() and (measured is None or abs(spin.value() - shown) > 1e-9):
                typed[stage] = Fraction(str(spin.value())) / 100
        return typed

    def typed_deal_size(self) -> int | None:
        text = self.deal_edit.text().strip()
        measured = self.measured.history.deal_size if self.measured else None
        if not text or text == _amount(measured):
            return None
        try:
            return parse_money(text)
        except ValueError as error:
            raise ValidationError.single("deal size", str(error)) from None

    def _mark_sources(self) -> None:
        if self._loading:
            return
        history = self.measured.history if self.measured else None
        typed = self.estimates()
        for stage, label in self.rate_sources.items():
            measured = history.rates()[stage] if history else None
            label.setText("estimate" if stage in typed or measured is None or not measured.rate
                          else measured.source)
        text = self.deal_edit.text().strip()
        measured_deal = history.deal_size if history else None
        self.deal_source.setText(f"measured from {counted(history.won, 'won deal')}"
                                 if history and measured_deal is not None
                                 and text == _amount(measured_deal) else "estimate")

    # -- the plan -----------------------------------------------------------------------------
    def calculate(self) -> None:
        try:
            target = parse_money(self.target_edit.text() or "0")
            deal_size = self.typed_deal_size()
        except ValueError as error:
            messages.error(self, "Plan not made", f"Revenue target: {error}")
            return
        except ValidationError as error:
            messages.error(self, "Plan not made", str(error))
            return
        planning, period, estimates = self.services.planning, self.period(), self.estimates()
        measured = self.measured

        def work(_state: JobState) -> LeadFlowPlan:
            return planning.plan(target, period, deal_size=deal_size, estimates=estimates,
                                 measured=measured)

        self.runner.start(work, on_done=self.show_plan, on_error=self._failed, owner=self)

    def show_plan(self, result: LeadFlowPlan) -> None:
        self.result = result
        verdict = result.verdict_text
        self.verdict_label.setText(("On track" if result.verdict is Verdict.ON_TRACK else
                                    verdict[:1].upper() + verdict[1:]) + ".")
        self.summary_label.setText(f"{result.summary()} {counted(result.actual_so_far, 'lead')} "
                                   "created so far. Leads are spread evenly over the months; "
                                   "every step rounds up.")
        self.table.setRowCount(len(result.months))
        started = result.verdict is not Verdict.NOT_STARTED
        for row, line in enumerate(result.months):
            values = (line.name, f"{line.needed:,}", f"{line.needed_total:,}",
                      "" if line.actual is None else f"{line.actual:,}",
                      "" if line.actual_total is None else f"{line.actual_total:,}",
                      f"{line.projected_total:,}" if started else "")
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                if column:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        self._set_outputs_enabled(True)

    def _failed(self, error: Exception, details: str) -> None:
        self._loading = False
        text = str(error) if isinstance(error, LeadlineError) else "The plan could not be made."
        messages.error(self, "Plan not made", text, details)

    def _set_outputs_enabled(self, enabled: bool) -> None:
        self.save_button.setEnabled(enabled)
        self.print_button.setEnabled(enabled)

    # -- save and print -----------------------------------------------------------------------
    def suggested_name(self) -> str:
        return f"leadline-plan-{self.period()}.pdf"

    def save_pdf(self) -> None:
        if self.result is None:
            return
        start = str(Path.home() / self.suggested_name())
        path, _ = QFileDialog.getSaveFileName(self, "Save plan", start, "PDF (*.pdf)")
        if not path:
            return
        target = Path(path)
        if target.suffix.lower() != ".pdf":
            target = target.with_name(target.name + ".pdf")
        with messages.reported(self, "Plan not saved") as attempt:
            pages = self.services.planning.write_pdf(self.result, target)
        if attempt.failed:
            return
        if messages.confirm(self, "Plan saved", f"{counted(pages, 'page')} written to "
                            f"{target}. Open it now?", "Open"):
            open_file(target)

    def ask_printer(self) -> QPrinter | None:
        """Qt's print dialog; the chosen printer, or None (tests replace this)."""
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return printer

    def print_plan(self) -> None:
        if self.result is None:
            return
        printer = self.ask_printer()
        if printer is None:
            return
        with tempfile.TemporaryDirectory(prefix="leadline-plan-") as folder:
            path = Path(folder) / self.suggested_name()
            printer.setDocName(path.stem)
            try:
                self.services.planning.write_pdf(self.result, path, printing=True)
                printed = print_pdf(path, printer)
            except (PrintError, LeadlineError, OSError) as error:
                messages.error(self, "Plan not printed", str(error))
                return
        self.services.planning.record_print(self.result, printed)
