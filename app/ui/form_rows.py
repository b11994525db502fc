"""A form row with a message line under its editor: the way every Leadline form shows hints
and errors next to the field they concern."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app.ui.style import alarm_colour


def add_field_row(form: QFormLayout, caption: str, editor: QWidget) -> QLabel:
    """Add ``caption: editor`` with a hidden, wrapping message label below; returns the label."""
    message = QLabel()
    message.setWordWrap(True)
    message.setMinimumWidth(10)  # wrap instead of widening the form
    message.hide()
    cell = QWidget()
    column = QVBoxLayout(cell)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(2)
    column.addWidget(editor)
    column.addWidget(message)
    label = QLabel(caption)
    label.setBuddy(editor)
    form.addRow(label, cell)
    return message


def error_label() -> QLabel:
    """A hidden, wrapping red line under a dialog's fields for what must be fixed first."""
    label = QLabel()
    label.setStyleSheet(f"color: {alarm_colour()};")
    label.setWordWrap(True)
    label.hide()
    return label


def save_cancel_buttons(dialog: QDialog, on_save: Callable[[], object]) -> QDialogButtonBox:
    """Save (runs ``on_save``, which accepts the dialog when all is well) and Cancel."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                               | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(on_save)
    buttons.rejected.connect(dialog.reject)
    return buttons
