"""The import wizard's values step: what each rating, status, channel or consent value becomes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWizardPage,
)

from app.domain.errors import LeadlineError
from app.domain.leads import FIELDS_BY_NAME
from app.domain.value_vocabulary import (
    KEEP_ORIGINAL,
    VOCABULARY_FIELDS,
    ValueSource,
    ValueTranslation,
)
from app.ui import messages
from app.ui.style import warning_colour
from app.ui.wording import counted
from app.ui.workers import JobState, Lane

if TYPE_CHECKING:
    from app.ui.dialogs.import_wizard import ImportWizard


class ValuesPage(QWizardPage):
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
