"""How the app's read-only record tables look and behave: whole rows, no editing, no row numbers."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView


def read_only_rows(table: QTableView, accessible_name: str, *, fit_columns: bool = True) -> None:
    """Set ``table`` up as a list of records: a click picks a whole row, nothing is edited in
    place, rows carry no numbers; ``fit_columns`` sizes columns to their text and lets the last
    one take the rest of the width."""
    table.setAccessibleName(accessible_name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().hide()
    if fit_columns:
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
