"""The lead list's face with no leads at all: what Leadline is for and how to start."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.ui.style import make_heading


class EmptyState(QWidget):
    """What a newcomer sees with no leads: what Leadline is for and how to start."""

    def __init__(self, on_demo: Callable[[], None], on_new: Callable[[], None],
                 on_import: Callable[[], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        title = make_heading(QLabel("No leads yet"), 20)
        text = QLabel("Leadline keeps every lead from your shows and campaigns in one place: "
                      "who owns it, what was done, and what it turned into.\n\n"
                      "Load demo data to look around, import a lead export, or add your first "
                      "lead.")
        text.setWordWrap(True)
        text.setMaximumWidth(560)
        for label in (title, text):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            # Centred by stretches, not an alignment flag: a wrapped label added with an
            # alignment gets no height-for-width from the layout and its lines are clipped.
            row = QHBoxLayout()
            row.addStretch(1)
            row.addWidget(label, 10)
            row.addStretch(1)
            layout.addLayout(row)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.demo_button = QPushButton("Load demo data")
        self.demo_button.clicked.connect(on_demo)
        self.import_button = QPushButton("Import leads… (Ctrl+I)")
        self.import_button.clicked.connect(on_import)
        self.new_button = QPushButton("Add a lead (Ctrl+N)")
        self.new_button.clicked.connect(on_new)
        self.new_button.setDefault(True)
        buttons.addWidget(self.demo_button)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.new_button)
        buttons.addStretch(1)
        layout.addSpacing(12)
        layout.addLayout(buttons)
        layout.addStretch(2)
