"""A form row with a message line under its editor: the way every Leadline form shows hints
and errors next to the field they concern."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from app.ui.style import ALARM, set_tone


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


def let_combo_shrink(combo: QComboBox, characters: int = 10) -> QComboBox:
    """A picker that may get as narrow as ``characters`` instead of as wide as its longest
    choice (a long event or country name must not push a pane past the window's edge).

    The current choice is elided when narrow and shown whole in the tooltip; the list that
    drops down stays wide enough for every choice."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(characters)

    explanation = combo.toolTip()

    def fit_popup() -> None:
        view = combo.view()
        scroll_bar = combo.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        view.setMinimumWidth(view.sizeHintForColumn(0) + scroll_bar + 8)

    def show_whole(text: str) -> None:
        combo.setToolTip(f"{explanation}\n{text}" if explanation and text else explanation or text)

    # Measured once the choices have settled, not once per item added.
    refit = QTimer(combo)
    refit.setSingleShot(True)
    refit.setInterval(0)
    refit.timeout.connect(fit_popup)
    for signal in (combo.model().rowsInserted, combo.model().rowsRemoved,
                   combo.model().modelReset):
        signal.connect(refit.start)
    combo.currentTextChanged.connect(show_whole)
    fit_popup()
    show_whole(combo.currentText())
    return combo


def error_label() -> QLabel:
    """A hidden, wrapping red line under a dialog's fields for what must be fixed first."""
    label = QLabel()
    set_tone(label, ALARM)
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
