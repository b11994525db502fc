"""Scanner settings for this laptop: prefix and suffix the scanner adds, and burst timing."""

from __future__ import annotations

import codecs

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.importers.badges import WedgeSettings

_KEYS = ("scanner/prefix", "scanner/suffix", "scanner/max_gap_ms", "scanner/silence_ms")


def load_wedge_settings(settings: QSettings) -> WedgeSettings:
    """What this laptop's scanner is set to (defaults suit most USB and Bluetooth wedges)."""
    default = WedgeSettings()
    return WedgeSettings(
        max_gap_s=int(settings.value(_KEYS[2], int(default.max_gap_s * 1000))) / 1000,
        silence_s=int(settings.value(_KEYS[3], int(default.silence_s * 1000))) / 1000,
        prefix=str(settings.value(_KEYS[0], "")), suffix=str(settings.value(_KEYS[1], "")))


def _typed(text: str) -> str:
    """'\\x02' or '\\r' as typed by a person → the control character itself."""
    try:
        return codecs.decode(text, "unicode_escape")
    except UnicodeDecodeError:
        return text


def _shown(value: str) -> str:
    return value.encode("unicode_escape").decode("ascii")


class ScannerDialog(QDialog):
    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Scanner settings")
        self.settings = settings
        current = load_wedge_settings(settings)
        self.prefix = QLineEdit(_shown(current.prefix))
        self.suffix = QLineEdit(_shown(current.suffix))
        for edit in (self.prefix, self.suffix):
            edit.setPlaceholderText("none (e.g. \\x02 for STX, ~ or \\x07)")
        self.max_gap = QSpinBox()
        self.max_gap.setRange(5, 500)
        self.max_gap.setSuffix(" ms")
        self.max_gap.setValue(int(current.max_gap_s * 1000))
        self.silence = QSpinBox()
        self.silence.setRange(20, 2000)
        self.silence.setSuffix(" ms")
        self.silence.setValue(int(current.silence_s * 1000))
        help_text = QLabel(
            "A scanner types a badge as a burst of keys. Leadline tells scans from typing by "
            "speed; a prefix or suffix programmed into the scanner makes it certain. Write "
            "control characters as \\x02 (STX), \\x03 (ETX), \\r (Enter) or \\t (Tab).")
        help_text.setWordWrap(True)
        form = QFormLayout()
        form.addRow("&Prefix:", self.prefix)
        form.addRow("&Suffix:", self.suffix)
        form.addRow("Keys of one scan at most this far &apart:", self.max_gap)
        form.addRow("A scan &ends after this much quiet:", self.silence)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(help_text)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def save(self) -> None:
        self.settings.setValue(_KEYS[0], _typed(self.prefix.text()))
        self.settings.setValue(_KEYS[1], _typed(self.suffix.text()))
        self.settings.setValue(_KEYS[2], self.max_gap.value())
        self.settings.setValue(_KEYS[3], self.silence.value())
        self.accept()

    @classmethod
    def ask(cls, settings: QSettings, parent: QWidget | None = None) -> WedgeSettings | None:
        dialog = cls(settings, parent)
        return load_wedge_settings(settings) if dialog.exec() else None
