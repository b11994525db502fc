"""The versions of one sync conflict as numbered radio buttons (the keys 1, 2, 3… choose), with
"Type another value" for free-text fields, laid out in a grid the conflicts inbox shows."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QButtonGroup, QGridLayout, QLabel, QLineEdit, QRadioButton, QWidget

from app.ui.models.conflict_model import shorten


class VersionChoices:
    """The choices of the conflict in view; ``key_filter`` sees the buttons' keys (digits and
    arrows mean the inbox's keys, not the radio buttons')."""

    def __init__(self, parent: QWidget, key_filter: QObject) -> None:
        self.key_filter = key_filter
        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(14)
        self.grid.setColumnStretch(3, 1)
        self.group = QButtonGroup(parent)
        self.buttons: list[QRadioButton] = []
        self.values: list[Any] = []
        self.custom = QRadioButton("Type another value:")
        self.custom.setAccessibleName("Type another value")
        self.custom_edit = QLineEdit()
        self.custom_edit.setAccessibleName("Another value")
        self.custom_edit.setPlaceholderText("A value that replaces both versions")
        self.custom_edit.textEdited.connect(lambda _text: self.custom.setChecked(True))

    def add(self, text: str, value: Any, origin: str, shown: bool) -> None:
        number = len(self.buttons) + 1
        row = self.grid.rowCount()
        key = QLabel(f"{number}")
        key.setEnabled(False)
        button = QRadioButton(shorten(text, 90))
        button.setToolTip(text)
        button.setAccessibleName(f"Version {number}: {text}"
                                 + (f", {origin}" if origin else "")
                                 + (", shown now" if shown else ""))
        button.setChecked(shown)
        button.installEventFilter(self.key_filter)
        self.group.addButton(button, number)
        where = QLabel(origin)
        tag = QLabel("shown now" if shown else "")
        tag.setObjectName("shownNow")
        if shown:
            font = tag.font()
            font.setBold(True)
            tag.setFont(font)
        for column, widget in enumerate((key, button, where, tag)):
            self.grid.addWidget(widget, row, column)
            widget.show()  # a layout shows new children only at the next event loop turn
        self.buttons.append(button)
        self.values.append(value)

    def add_custom(self) -> None:
        number = len(self.buttons) + 1
        row = self.grid.rowCount()
        key = QLabel(f"{number}")
        key.setEnabled(False)
        self.custom.setChecked(False)
        self.custom.setAccessibleName(f"Version {number}: type another value")
        self.group.addButton(self.custom, number)
        self.custom_edit.clear()
        self.grid.addWidget(key, row, 0)
        self.grid.addWidget(self.custom, row, 1)
        self.grid.addWidget(self.custom_edit, row, 2, 1, 2)
        key.show()
        self.custom.show()
        self.custom_edit.show()
        self.buttons.append(self.custom)
        self.values.append(None)

    def clear(self) -> None:
        for button in self.group.buttons():
            self.group.removeButton(button)
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is None:
                continue
            widget.hide()  # deleteLater() takes effect later: gone from sight now
            if widget not in (self.custom, self.custom_edit):
                widget.deleteLater()
        self.buttons.clear()
        self.values.clear()

    def choose(self, number: int) -> bool:
        """Check version ``number`` (1-based); False when there is no such choice."""
        if not 1 <= number <= len(self.buttons):
            return False
        button = self.buttons[number - 1]
        button.setChecked(True)
        if button is self.custom:
            self.custom_edit.setFocus()
        return True

    def chosen(self) -> int:
        """0-based index of the checked choice, -1 for none."""
        return next((i for i, button in enumerate(self.buttons) if button.isChecked()), -1)

    def chosen_value(self) -> Any:
        position = self.chosen()
        if position < 0:
            return None
        if self.buttons[position] is self.custom:
            return self.custom_edit.text().strip()
        return self.values[position]
