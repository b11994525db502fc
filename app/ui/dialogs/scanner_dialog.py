"""Scanner settings for this laptop: prefix and suffix the scanner adds, its device, burst timing.

A "try it" field shows what a scan really delivers here (how fast, from which device), so the
scanner's device can be chosen where the system reports it separately from the keyboard.
"""

from __future__ import annotations

import codecs
import statistics
import time

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer
from PySide6.QtGui import QInputDevice, QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.importers.badges import WedgeSettings
from app.ui.local_settings import LocalSettings, Scanner

_ANY_DEVICE = "any: tell scans by their keys"


def load_wedge_settings(settings: QSettings) -> WedgeSettings:
    """What this laptop's scanner is set to (defaults suit most USB and Bluetooth wedges)."""
    local = LocalSettings(settings)
    return WedgeSettings(
        max_gap_s=local.get(Scanner.SCAN_GAP_MS) / 1000, silence_s=local.get(Scanner.SILENCE_MS) / 1000,
        prefix=local.get(Scanner.PREFIX), suffix=local.get(Scanner.SUFFIX), device=local.get(Scanner.DEVICE))


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
        self.local = LocalSettings(settings)
        current = load_wedge_settings(settings)
        self.prefix = QLineEdit(_shown(current.prefix))
        self.suffix = QLineEdit(_shown(current.suffix))
        for edit in (self.prefix, self.suffix):
            edit.setPlaceholderText("none (e.g. \\x02 for STX, ~ or \\x07)")
        self.device = QComboBox()
        self.device.setEditable(True)
        self.device.lineEdit().setPlaceholderText(_ANY_DEVICE)
        self.device.addItem("")
        for known in QInputDevice.devices():
            if known.type() == QInputDevice.DeviceType.Keyboard and known.name():
                self.device.addItem(known.name())
        self.device.setEditText(current.device)
        self.max_gap = QSpinBox()
        self.max_gap.setRange(5, 200)
        self.max_gap.setSuffix(" ms")
        self.max_gap.setValue(int(current.max_gap_s * 1000))
        self.silence = QSpinBox()
        self.silence.setRange(20, 2000)
        self.silence.setSuffix(" ms")
        self.silence.setValue(int(current.silence_s * 1000))
        help_text = QLabel(
            "A scanner types a badge as a burst of keys, 5–20 ms apart, usually ending with Enter "
            "or Tab; people type 40–80 ms apart. Leadline tells them apart by speed, length and "
            "the Enter at the end, and whatever turns out to be typing stays in the field. A "
            "prefix or suffix programmed into the scanner, or the scanner's own device (where "
            "your system reports it), makes it certain; with a slow scanner, set a prefix. Write "
            "control characters as \\x02 (STX), \\x03 (ETX), \\r (Enter) or \\t (Tab).")
        help_text.setWordWrap(True)
        form = QFormLayout()
        form.addRow("&Prefix:", self.prefix)
        form.addRow("&Suffix:", self.suffix)
        form.addRow("Scanner &device:", self.device)
        form.addRow("A scanner's keys come at most this far &apart:", self.max_gap)
        form.addRow("A scan &ends after this much quiet:", self.silence)
        self.trial = QLineEdit()
        self.trial.setObjectName("scannerTrial")
        self.trial.setPlaceholderText("scan any badge here")
        self.trial_result = QLabel("Scan a badge into the field above to see what arrives.")
        self.trial_result.setWordWrap(True)
        self.use_device = QPushButton("&Use this device")
        self.use_device.hide()
        self.use_device.clicked.connect(lambda: self.device.setEditText(self._seen_device))
        self._seen_device = ""
        self._trial_keys: list[tuple[float, str]] = []
        self._trial_done = QTimer(self, singleShot=True, interval=400)
        self._trial_done.timeout.connect(self.summarise_trial)
        self.trial.installEventFilter(self)
        form.addRow("&Try it:", self.trial)
        result_row = QHBoxLayout()
        result_row.addWidget(self.trial_result, 1)
        result_row.addWidget(self.use_device)
        form.addRow("", result_row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(help_text)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.trial and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if not event.text():
                return super().eventFilter(watched, event)  # Shift and friends are not keys of the code
            device = event.device()
            self._trial_keys.append((time.monotonic(), device.name() if device is not None else ""))
            self._trial_done.start()
            # A scan's Enter or Tab would save the dialog or leave the field: keep them here.
            return Qt.Key(event.key()) in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab)
        return super().eventFilter(watched, event)

    def summarise_trial(self) -> None:
        """What the last keys in the try-it field were: how many, how fast, from which device."""
        keys, self._trial_keys = self._trial_keys, []
        times = [at for at, _device in keys]
        gaps = [round((b - a) * 1000) for a, b in zip(times, times[1:], strict=False)]
        names = {name for _at, name in keys if name}
        self._seen_device = names.pop() if len(names) == 1 else ""
        typical = statistics.median(gaps) if gaps else 0
        speed = f", typically {typical:.0f} ms apart" if gaps else ""
        source = f" from “{self._seen_device}”" if self._seen_device else \
            " (this system does not say which device)"
        slow = " Slower than the limit above: raise it, or set a prefix, so scans are not typed " \
            "as text." if typical > self.max_gap.value() else ""
        self.trial_result.setText(f"{len(keys)} keys{speed}{source}.{slow}")
        self.use_device.setVisible(bool(self._seen_device))
        self.trial.clear()

    def save(self) -> None:
        self.local.set(Scanner.PREFIX, _typed(self.prefix.text()))
        self.local.set(Scanner.SUFFIX, _typed(self.suffix.text()))
        self.local.set(Scanner.SCAN_GAP_MS, self.max_gap.value())
        self.local.set(Scanner.SILENCE_MS, self.silence.value())
        self.local.set(Scanner.DEVICE, self.device.currentText().strip())
        self.accept()

    @classmethod
    def ask(cls, settings: QSettings, parent: QWidget | None = None) -> WedgeSettings | None:
        dialog = cls(settings, parent)
        return load_wedge_settings(settings) if dialog.exec() else None
