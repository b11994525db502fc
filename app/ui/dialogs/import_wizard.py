"""Import wizard: choose a file, check the column mapping, check how choice values translate,
preview with problems marked, import.

Nothing is written before the last step; the import itself is one batch, run off the GUI thread
with progress and cancel, and can be undone from File → Import history.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.domain.errors import LeadlineError
from app.domain.imports import DuplicatePolicy, ImportReport, RowOutcome
from app.domain.leads import EDITABLE_FIELDS, FIELDS_BY_NAME, REFERENCE_KINDS
from app.domain.value_vocabulary import (
    KEEP_ORIGINAL,
    VOCABULARY_FIELDS,
    ValueMapping,
    ValueSource,
    ValueTranslation,
)
from app.importers.mapping import ColumnMapping, MatchConfidence, match_confidence
from app.importers.tabular import Table
from app.services.container import Services
from app.ui import messages
from app.ui.progress import run_with_progress
from app.ui.style import alarm_colour, warning_colour
from app.ui.wording import counted
from app.ui.workers import JobState, Lane, TaskRunner

IGNORE = ""
_TARGETS = [("(ignore)", IGNORE), ("Full name (split)", "full_name")] + [
    (f.label, f.name) for f in EDITABLE_FIELDS if f.kind not in REFERENCE_KINDS]
_BAD = QBrush(QColor("#ffcdd2"))
_WARN = QBrush(QColor("#fff3c4"))
_ON_MARK = QBrush(QColor("#202020"))  # dark text on the light marks, also in the dark theme
_SHOWN_FIELDS = (("first_name", "First name"), ("last_name", "Last name"),
                 ("company", "Company"), ("email", "Email"), ("phone_e164", "Phone"),
                 ("mobile_e164", "Mobile"), ("country", "Country"), ("badge_id", "Badge id"))


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
        self.values = ValueMapping()  # the person's translations of choice values
        self.file_page = _FilePage(self, path)
        self.mapping_page = _MappingPage(self)
        self.values_page = _ValuesPage(self)
        self.preview_page = _PreviewPage(self)
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
            self.imported = report
            if event_id is not None:
                self.services.events.remember_used(event_id)
            counts = report.counts
            messages.info(self, "Import finished",
                          f"{counted(counts.created, 'lead')} created, {counts.updated:,} "
                          f"updated, {counted(counts.duplicates, 'duplicate')} skipped, "
                          f"{counted(counts.rejected, 'row')} rejected. Undo it from File → "
                          "Import history.")
            super(ImportWizard, self).accept()

        def failed(error: Exception, details: str) -> None:
            finish_button.setEnabled(True)
            text = str(error) if isinstance(error, LeadlineError | OSError) else \
                "The import failed; nothing was imported."
            messages.error(self, "Nothing was imported", text, details)

        run_with_progress(self.runner, self, "Importing…", work, on_done=done, on_error=failed,
                          title="Import leads", percent=True)

    @classmethod
    def ask(cls, services: Services, runner: TaskRunner, path: Path | None = None,
            parent: QWidget | None = None) -> ImportReport | None:
        wizard = cls(services, runner, path, parent)
        wizard.exec()
        return wizard.imported


class _FilePage(QWizardPage):
    def __init__(self, wizard: ImportWizard, path: Path | None) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("Choose the file")
        self.setSubTitle("CSV, TSV, semicolon or pipe separated text, or XLSX, as the lead "
                         "retrieval service or registration desk hands it over.")
        self.path_edit = QLineEdit(str(path) if path else "")
        self.path_edit.setPlaceholderText("Drop a file on the window, or browse")
        self.path_edit.setAccessibleName("File to import")
        self.path_edit.textChanged.connect(lambda _t: self.completeChanged.emit())
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        self.info = QLabel()
        self.info.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.info)
        layout.addStretch(1)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import leads", "",
                                              "Lead exports (*.csv *.tsv *.txt *.xlsx)")
        if path:
            self.path_edit.setText(path)

    def isComplete(self) -> bool:
        return bool(self.path_edit.text().strip())

    def validatePage(self) -> bool:
        try:
            table = self.wiz.services.imports.open(Path(self.path_edit.text().strip()))
        except LeadlineError as error:
            self.info.setText(f"<span style='color:#c62828'>{error}</span>")
            return False
        self.wiz.table = table
        return True


class _MappingPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self.setTitle("Check the columns")
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.grid = QTableWidget(0, 4)
        self.grid.setAccessibleName("Columns of the file and what they become")
        self.grid.setHorizontalHeaderLabels(["Column in the file", "First value", "Becomes",
                                             "How sure"])
        self.grid.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.grid.verticalHeader().hide()
        self.template_name = QLineEdit()
        self.template_name.setPlaceholderText("Name, to offer this mapping again next time")
        self.template_name.setAccessibleName("Mapping name")
        save = QPushButton("Save mapping")
        save.clicked.connect(self._save_template)
        row = QHBoxLayout()
        row.addWidget(self.template_name, 1)
        row.addWidget(save)
        layout = QVBoxLayout(self)
        layout.addWidget(self.info)
        layout.addWidget(self.grid, 1)
        layout.addLayout(row)

    def initializePage(self) -> None:
        table = self.wiz.table
        assert table is not None
        mapping, template = self.wiz.services.imports.suggested_mapping(table)
        self.wiz.values = mapping.values
        info = table.info
        first = next(iter(table.rows()), None)
        source = f"{info.kind.upper()}" + (f", {info.encoding}, delimiter "
                                           f"{info.delimiter!r}" if info.kind == "csv" else "")
        self.info.setText(f"{info.path.name}: {source}, header in row {info.header_row}. "
                          + (f"Using the saved mapping “{template}”." if template else
                             "Columns were matched by their names; correct any that are "
                             "wrong."))
        self.grid.setRowCount(len(info.headers))
        for i, header in enumerate(info.headers):
            self.grid.setItem(i, 0, QTableWidgetItem(header))
            sample = first.values.get(header, "") if first else ""
            self.grid.setItem(i, 1, QTableWidgetItem(sample))
            combo = QComboBox()
            for label, target in _TARGETS:
                combo.addItem(label, target)
            combo.addItem(f"Qualifier answer “{header}”", f"question:{header}")
            combo.setCurrentIndex(max(combo.findData(mapping.target(header)), 0))
            combo.setAccessibleName(f"Column “{header}” becomes")
            self.grid.setCellWidget(i, 2, combo)
            self._show_confidence(i, header, mapping.target(header), template)
            combo.currentIndexChanged.connect(
                lambda _index, row=i: self._show_confidence(row, "", "", "", chosen=True))
        self.grid.resizeColumnToContents(0)
        self.grid.setColumnWidth(2, 260)
        self.grid.resizeColumnToContents(3)
        self.template_name.setText(template)

    def _show_confidence(self, row: int, header: str, target: str, template: str, *,
                         chosen: bool = False) -> None:
        """What the guess rests on: people check the "Check" and "Not matched" rows first."""
        if chosen:
            text, worry = "Chosen by you", False
        elif template:
            text, worry = f"Saved mapping “{template}”", False
        else:
            confidence = match_confidence(header, target)
            text = confidence.label
            worry = confidence in (MatchConfidence.PART, MatchConfidence.NONE)
        item = QTableWidgetItem(text)
        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
        if worry:
            item.setForeground(QBrush(QColor(warning_colour())))
        self.grid.setItem(row, 3, item)

    def mapping(self) -> ColumnMapping:
        pairs = []
        for i in range(self.grid.rowCount()):
            combo = self.grid.cellWidget(i, 2)
            assert isinstance(combo, QComboBox)
            pairs.append((self.grid.item(i, 0).text(), str(combo.currentData())))
        return ColumnMapping(tuple(pairs), self.wiz.values)

    def nextId(self) -> int:
        """The values step only when a column feeds a field with a vocabulary (rating…)."""
        targets = {target for _header, target in self.mapping().columns}
        page = self.wiz.values_page if targets & set(VOCABULARY_FIELDS) else self.wiz.preview_page
        return self.wiz.page_ids[page]

    def _save_template(self) -> None:
        try:
            self.wiz.services.imports.save_template(self.template_name.text(), self.mapping())
        except LeadlineError as error:
            messages.error(self, "Mapping not saved", str(error))
            return
        self.info.setText(self.info.text().split(" Saved")[0] +
                          f" Saved as “{self.template_name.text().strip()}”.")

    def validatePage(self) -> bool:
        self.wiz.mapping = self.mapping()
        return True


class _ValuesPage(QWizardPage):
    """Each distinct value of every rating, status, channel and consent column, what it becomes
    and why; the person changes any of them, and the choice is saved with the mapping."""

    COLUMNS = ("Field", "Value in the file", "Rows", "Becomes", "Why")

    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self._job: JobState | None = None
        self.setTitle("Check the values")
        self.setSubTitle("Other tools write ratings and statuses their own way (A/B/C, stars, "
                         "“heiß”, “Closed - Not Converted”…). Each value found is translated by "
                         "a default rule or your choice; a value kept as the original is "
                         "stored as given and shown on the lead. No row is refused for it.")
        self.info = QLabel()
        self.info.setObjectName("valuesInfo")
        self.info.setWordWrap(True)
        self.grid = QTableWidget(0, len(self.COLUMNS))
        self.grid.setObjectName("valuesGrid")
        self.grid.setAccessibleName("Values found and what they become")
        self.grid.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.grid.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.grid.verticalHeader().hide()
        # Tab walks from one "Becomes" choice to the next instead of through every cell.
        self.grid.setTabKeyNavigation(False)
        self.save_button = QPushButton("Save with the mapping")
        self.save_button.setToolTip("Save the column mapping with these value choices under the "
                                    "mapping name of the previous step")
        self.save_button.clicked.connect(self._save)
        row = QHBoxLayout()
        row.addWidget(self.info, 1)
        row.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.grid, 1)
        layout.addLayout(row)

    def initializePage(self) -> None:
        table, mapping = self.wiz.table, self.wiz.mapping
        if table is None or mapping is None:
            return
        self.info.setText("Reading the values of the file…")
        self.grid.setRowCount(0)
        imports = self.wiz.services.imports
        if self._job is not None:
            self._job.cancel()

        def work(state: JobState) -> dict[str, list[tuple[str, int]]]:
            return imports.values_found(table, mapping, cancelled=lambda: state.cancelled)

        def failed(error: Exception, _details: str) -> None:
            self.info.setText(str(error))

        self._job = self.wiz.runner.start(work, on_done=self._show, on_error=failed,
                                          lane=Lane.READ, owner=self)

    def _show(self, found: dict[str, list[tuple[str, int]]]) -> None:
        rows = [(name, raw, count) for name in VOCABULARY_FIELDS for raw, count in
                found.get(name, [])]
        self.grid.setRowCount(len(rows))
        for index, (name, raw, count) in enumerate(rows):
            label = FIELDS_BY_NAME[name].label
            for col, text in enumerate((label, raw, f"{count:,}")):
                item = QTableWidgetItem(text)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                if col == 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)
                self.grid.setItem(index, col, item)
            combo = QComboBox()
            combo.setAccessibleName(f"{label} “{raw}” becomes")
            combo.addItem("Keep as the original value", KEEP_ORIGINAL)
            for member in VOCABULARY_FIELDS[name]:
                combo.addItem(str(getattr(member, "label", member.value)), member.value)
            translation = self.wiz.values.translate(name, raw)
            combo.setCurrentIndex(max(combo.findData(translation.value), 0))
            combo.currentIndexChanged.connect(
                lambda _i, row=index, field=name, value=raw, box=combo:
                self._chosen(row, field, value, str(box.currentData())))
            self.grid.setCellWidget(index, 3, combo)
            self._explain(index, translation)
        kept = sum(1 for i in range(len(rows)) if self._source(i) is ValueSource.KEPT)
        self.info.setText(
            "No values in these columns." if not rows else
            f"{counted(len(rows), 'distinct value')}; {counted(kept, 'value')} kept as the "
            "original (warned on the row, shown on the lead).")
        self.grid.resizeColumnsToContents()
        self.grid.setColumnWidth(3, max(self.grid.columnWidth(3), 220))
        self.grid.setColumnWidth(1, min(self.grid.columnWidth(1), 260))
        self.grid.resizeRowsToContents()

    def _source(self, row: int) -> ValueSource:
        item = self.grid.item(row, 4)
        return ValueSource(item.data(Qt.ItemDataRole.UserRole)) if item else ValueSource.KEPT

    def _explain(self, row: int, translation: ValueTranslation) -> None:
        text = f"{translation.source.label}: {translation.explanation}"
        item = QTableWidgetItem(text)
        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
        item.setData(Qt.ItemDataRole.UserRole, translation.source.value)
        item.setToolTip(text)
        if translation.source is ValueSource.KEPT:
            item.setForeground(QBrush(QColor(warning_colour())))
        self.grid.setItem(row, 4, item)

    def _chosen(self, row: int, field: str, raw: str, ours: str) -> None:
        self.wiz.values = self.wiz.values.with_choice(field, raw, ours)
        if self.wiz.mapping is not None:
            self.wiz.mapping = self.wiz.mapping.with_values(self.wiz.values)
        self._explain(row, self.wiz.values.translate(field, raw))

    def _save(self) -> None:
        name = self.wiz.mapping_page.template_name.text()
        if self.wiz.mapping is None:
            return
        try:
            self.wiz.services.imports.save_template(name, self.wiz.mapping)
        except LeadlineError as error:
            messages.error(self, "Mapping not saved", f"{error} (in the previous step)")
            return
        self.info.setText(f"Saved with the mapping “{name.strip()}”.")


class _PreviewPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.wiz = wizard
        self._preview_job: JobState | None = None
        self._generation = 0  # previews started; only the newest one's result is shown
        self.setTitle("Preview: nothing has been written yet")
        self.event_combo = QComboBox()
        self.policy_combo = QComboBox()
        for policy in DuplicatePolicy:
            self.policy_combo.addItem(policy.label, policy.value)
        check = QPushButton("Check again")
        check.clicked.connect(self.refresh)
        self.event_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.policy_combo.currentIndexChanged.connect(lambda _i: self.refresh())
        self.event_hint = QLabel()
        self.event_hint.setObjectName("eventHint")
        self.event_hint.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Source &event:", self.event_combo)
        form.addRow("", self.event_hint)
        form.addRow("People already &stored:", self.policy_combo)
        self.counts = QLabel()
        self.counts.setObjectName("importCounts")
        self.rows = QTableWidget(0, 0)
        self.rows.setAccessibleName("Rows to import")
        self.rows.verticalHeader().hide()
        save_rejected = QPushButton("Save rejected rows…")
        save_rejected.clicked.connect(self._save_rejected)
        bottom = QHBoxLayout()
        bottom.addWidget(self.counts, 1)
        bottom.addWidget(check)
        bottom.addWidget(save_rejected)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.rows, 1)
        layout.addLayout(bottom)

    def initializePage(self) -> None:
        self.event_combo.blockSignals(True)
        self.event_combo.clear()
        self.event_combo.addItem("(no event: other source)", None)
        events = self.wiz.services.events
        for event in events.events():
            self.event_combo.addItem(event.name, str(event.id))
        # The show running today, else the one last used; never an arbitrary old one.
        suggested = events.suggested_event()
        found = self.event_combo.findData(str(suggested.id)) if suggested else -1
        self.event_combo.setCurrentIndex(max(found, 0))
        self.event_combo.blockSignals(False)
        self.event_hint.setText(
            "" if suggested is not None or self.event_combo.count() == 1 else
            "No event is running today: choose the show these leads came from, or keep "
            "\u201cno event\u201d for another source (a campaign, a purchased list).")
        self.event_hint.setVisible(bool(self.event_hint.text()))
        self.refresh()

    def choice(self) -> tuple[uuid.UUID | None, DuplicatePolicy]:
        data = self.event_combo.currentData()
        return (uuid.UUID(data) if data else None,
                DuplicatePolicy(self.policy_combo.currentData()))

    def refresh(self) -> None:
        table, mapping = self.wiz.table, self.wiz.mapping
        if table is None or mapping is None:
            return
        event_id, policy = self.choice()
        self.counts.setText("Checking every row…")
        imports = self.wiz.services.imports
        if self._preview_job is not None:
            self._preview_job.cancel()  # the event or policy changed: that preview is moot
        self._generation += 1
        generation = self._generation

        def work(state: JobState) -> ImportReport:
            return imports.preview(table, mapping, event_id, policy,
                                   cancelled=lambda: state.cancelled)

        def failed(error: Exception, _details: str) -> None:
            if generation == self._generation:
                self.counts.setText(str(error))

        def done(report: ImportReport) -> None:
            if generation == self._generation:
                self._show(report)

        self._preview_job = self.wiz.runner.start(work, on_done=done, on_error=failed,
                                                  lane=Lane.READ, owner=self)

    def _show(self, report: ImportReport) -> None:
        self.wiz.report = report
        c = report.counts
        fill = "fills an existing lead" if c.updated == 1 else "fill existing leads"
        self.counts.setText(f"{counted(c.read, 'row')}: <b>{c.created:,} new</b>, {c.updated:,} "
                            f"{fill}, {counted(c.duplicates, 'duplicate')}, "
                            f"<span style='color:{alarm_colour()}'>{c.rejected:,} rejected</span>")
        fields = [name for name, _label in _SHOWN_FIELDS]
        columns = ["Row", "Outcome", "Problems", *[label for _name, label in _SHOWN_FIELDS]]
        self.rows.clear()
        self.rows.setColumnCount(len(columns))
        self.rows.setHorizontalHeaderLabels(columns)
        self.rows.setRowCount(len(report.sample))
        for r, row in enumerate(report.sample):
            problems = row.reason or "; ".join(f"{k}: {v}" for k, v in row.issues.items())
            cells: list[Any] = [str(row.number), row.outcome.value, problems,
                                *[row.values.get(f, "") for f in fields]]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                field = fields[col - 3].replace("_e164", "") if col >= 3 else ""
                if row.outcome is RowOutcome.REJECTED:
                    item.setBackground(_BAD)
                    item.setForeground(_ON_MARK)
                    item.setToolTip(row.reason)
                elif field in row.issues:
                    item.setBackground(_WARN)
                    item.setForeground(_ON_MARK)
                    item.setToolTip(row.issues[field])
                elif col == 2:
                    item.setToolTip(problems)
                self.rows.setItem(r, col, item)
        self.rows.resizeColumnsToContents()
        self.rows.setColumnWidth(2, min(self.rows.columnWidth(2), 300))

    def _save_rejected(self) -> None:
        report, table = self.wiz.report, self.wiz.table
        if report is None or table is None or not report.rejected:
            messages.info(self, "No rejected rows", "Every row can be imported.")
            return
        path, _ = QFileDialog.getSaveFileName(self, "Save rejected rows",
                                              "rejected-rows.csv", "CSV (*.csv)")
        if path:
            self.wiz.services.imports.write_rejected(report, table.info.headers, Path(path))
