"""The import wizard's first steps: choose the file, then say which column feeds which field."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWizardPage,
)

from app.domain.errors import LeadlineError
from app.domain.leads import EDITABLE_FIELDS, REFERENCE_KINDS
from app.domain.value_vocabulary import VOCABULARY_FIELDS
from app.importers.mapping import ColumnMapping, MatchConfidence, match_confidence
from app.ui import messages
from app.ui.style import warning_colour

if TYPE_CHECKING:
    from app.importers.tabular import Table
    from app.ui.dialogs.customer_import_wizard import CustomerImportWizard
    from app.ui.dialogs.import_wizard import ImportWizard

IGNORE = ""
_TARGETS = [("(ignore)", IGNORE), ("Full name (split)", "full_name")] + [
    (f.label, f.name) for f in EDITABLE_FIELDS if f.kind not in REFERENCE_KINDS]


class FilePage(QWizardPage):
    """The first step of an import: the file, opened as a table when the person goes on."""

    def __init__(self, wizard: ImportWizard | CustomerImportWizard, path: Path | None, *,
                 opener: Callable[[Path], Table] | None = None,
                 subtitle: str = "CSV, TSV, semicolon or pipe separated text, or XLSX, as the "
                                 "lead retrieval service or registration desk hands it over.",
                 kinds: str = "Lead exports") -> None:
        super().__init__()
        self.wiz = wizard
        self.opener = opener or wizard.services.imports.open
        self.kinds = kinds
        self.setTitle("Choose the file")
        self.setSubTitle(subtitle)
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
        path, _ = QFileDialog.getOpenFileName(self, self.wiz.windowTitle(), "",
                                              f"{self.kinds} (*.csv *.tsv *.txt *.xlsx)")
        if path:
            self.path_edit.setText(path)

    def isComplete(self) -> bool:
        return bool(self.path_edit.text().strip())

    def validatePage(self) -> bool:
        try:
            table = self.opener(Path(self.path_edit.text().strip()))
        except LeadlineError as error:
            self.info.setText(f"<span style='color:#c62828'>{error}</span>")
            return False
        self.wiz.table = table
        return True


class MappingPage(QWizardPage):
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
        with messages.reported(self, "Mapping not saved") as attempt:
            self.wiz.services.imports.save_template(self.template_name.text(), self.mapping())
        if attempt.failed:
            return
        self.info.setText(self.info.text().split(" Saved")[0] +
                          f" Saved as “{self.template_name.text().strip()}”.")

    def validatePage(self) -> bool:
        self.wiz.mapping = self.mapping()
        return True
