"""Help → About Leadline: version, Qt and Python, where the data and logs are, bundled licences."""

from __future__ import annotations

import platform
from pathlib import Path

from PySide6.QtCore import Qt, qVersion
from PySide6.QtCore import __version__ as pyside_version
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import __version__
from app.paths import resource, user_log_dir

TAGLINE = "Lead management for small B2B sales teams: every lead followed up."


def bundled_licences(fonts_dir: Path | None = None) -> str:
    """The licence texts shipped in resources/fonts (the fonts embedded in PDF reports)."""
    folder = fonts_dir or resource("fonts")
    texts = []
    for path in sorted(folder.glob("*")) if folder.is_dir() else []:
        if path.suffix.lower() in {".txt", ".md"} or path.stem.upper().startswith(("LICENSE",
                                                                                   "COPYING")):
            try:
                texts.append(f"== {path.name} ==\n{path.read_text(encoding='utf-8').strip()}")
            except (OSError, UnicodeDecodeError):
                continue
    return "\n\n".join(texts) or "No bundled licences found."


class AboutDialog(QDialog):
    def __init__(self, database_path: Path | str, log_folder: Path | None = None,
                 parent: QWidget | None = None, fonts_dir: Path | None = None, *,
                 on_server: bool = False) -> None:
        super().__init__(parent)
        self.setWindowTitle("About Leadline")
        self.facts = {
            "Version": __version__,
            "Qt": f"{qVersion()} (PySide6 {pyside_version})",
            "Python": f"{platform.python_version()} on {platform.platform()}",
            "Team server" if on_server else "Database": str(database_path),
            "Log folder": str(log_folder or user_log_dir()),
        }
        heading = QLabel(f"<h2>Leadline {__version__}</h2>{TAGLINE}")
        heading.setWordWrap(True)
        form = QFormLayout()
        for name, value in self.facts.items():
            label = QLabel(value)
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setAccessibleName(name)
            form.addRow(f"{name}:", label)
        licences_label = QLabel("&Licences of the bundled fonts (used in PDF reports):")
        self.licences = QPlainTextEdit(bundled_licences(fonts_dir))
        self.licences.setReadOnly(True)
        self.licences.setAccessibleName("Licences of the bundled fonts")
        licences_label.setBuddy(self.licences)

        buttons = QDialogButtonBox()
        self.copy_button = QPushButton("&Copy version information")
        self.copy_button.clicked.connect(self.copy)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Close).setDefault(True)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addLayout(form)
        layout.addWidget(licences_label)
        layout.addWidget(self.licences, 1)
        layout.addWidget(buttons)
        chars = self.fontMetrics().averageCharWidth()
        self.resize(80 * chars, 40 * self.fontMetrics().height())

    def text(self) -> str:
        """What "Copy" puts on the clipboard: for a support request or a bug report."""
        return "\n".join([f"Leadline {__version__}"]
                         + [f"{name}: {value}" for name, value in self.facts.items()])

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text())
        self.copy_button.setText("&Copied")

    @classmethod
    def show_about(cls, database_path: Path | str, parent: QWidget | None = None, *,
                   on_server: bool = False) -> None:
        cls(database_path, parent=parent, on_server=on_server).exec()
