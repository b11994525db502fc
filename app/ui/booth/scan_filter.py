"""Catch keyboard-wedge scans anywhere in a window without slowing down human typing.

Keys reach the focused field at once. When keys start arriving at scanner speed, the filter
swallows them, takes back the first one it had let through, and gathers the burst; a burst too
short to be a scan is typed back into the field. A scan ends at once when the payload is
complete (app.importers.scan_end), otherwise after a short silence.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QPlainTextEdit, QWidget

from app.importers.badges import BurstAssembler, WedgeSettings
from app.importers.scan_end import payload_complete

_KEY_TEXT = {Qt.Key.Key_Return: "\r", Qt.Key.Key_Enter: "\r", Qt.Key.Key_Tab: "\t"}


class ScanFilter(QObject):
    """Install on the application while a capture screen is showing; calls ``on_scan(payload)``."""

    def __init__(self, scope: QWidget, on_scan: Callable[[str], None],
                 settings: WedgeSettings | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(scope)
        self.scope, self.on_scan, self.clock = scope, on_scan, clock
        self.settings = settings or WedgeSettings()
        self.assembler = BurstAssembler(self.settings)
        self._first: tuple[QWidget, str, str] | None = None  # widget, text before, key text
        self._swallowed = ""
        self._replaying = False
        self._silence = QTimer(self)
        self._silence.setSingleShot(True)
        self._silence.setInterval(max(1, int(self.settings.silence_s * 1000)))
        self._silence.timeout.connect(self._quiet)

    def configure(self, settings: WedgeSettings) -> None:
        """Apply new scanner settings (prefix, suffix, timing); a scan in progress is dropped."""
        self.settings = settings
        self.assembler = BurstAssembler(settings)
        self._silence.setInterval(max(1, int(settings.silence_s * 1000)))
        self._swallowed, self._first = "", None

    # -- Qt event filter ----------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._replaying or event.type() != QEvent.Type.KeyPress:
            return False
        assert isinstance(event, QKeyEvent)
        focus = QApplication.focusWidget()
        # Each key once, where it lands: an ignored key travels on to the parents as well.
        if focus is None or watched is not focus or not (
                focus is self.scope or self.scope.isAncestorOf(focus)):
            return False
        text = _key_text(event)
        if not text:
            return False
        now = self.clock()
        scanning_before = self.assembler.is_scanning(now) or bool(self._swallowed)
        payloads = self.assembler.feed(text, now)
        self._silence.start()
        if payloads:
            self._finish(payloads)
            return True
        if self.assembler.is_scanning(now) or scanning_before:
            if not self._swallowed:
                self._take_back_first_key()
            self._swallowed += text
            # With a suffix configured, only the suffix ends a scan.
            if not self.settings.suffix and payload_complete(self.assembler.pending,
                                                             self.settings.min_length):
                self._finish(self.assembler.flush(now + self.settings.silence_s + 1))
            return True
        self._first = (focus, _text_of(focus), text)
        return False

    # -- burst endings ------------------------------------------------------------------------
    def _quiet(self) -> None:
        self._finish(self.assembler.flush(self.clock() + self.settings.silence_s))

    def _finish(self, payloads: list[str]) -> None:
        self._silence.stop()
        swallowed, first = self._swallowed, self._first
        self._swallowed, self._first = "", None
        if payloads:
            for payload in payloads:
                self.on_scan(payload)
        elif swallowed and first is not None:
            self._type_back(first[0], first[2] + swallowed)  # fast typing, not a scan

    def _take_back_first_key(self) -> None:
        if self._first is None:
            return
        widget, before, _key = self._first
        _set_text(widget, before)

    def _type_back(self, widget: QWidget, text: str) -> None:
        self._replaying = True
        try:
            for char in text:
                key = {"\r": Qt.Key.Key_Return, "\t": Qt.Key.Key_Tab}.get(char, Qt.Key.Key_unknown)
                press = QKeyEvent(QEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier, char)
                QApplication.sendEvent(QApplication.focusWidget() or widget, press)
        finally:
            self._replaying = False


def _key_text(event: QKeyEvent) -> str:
    if event.modifiers() & (Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
                            | Qt.KeyboardModifier.MetaModifier):
        return ""
    special = _KEY_TEXT.get(Qt.Key(event.key()))
    if special:
        return special
    text = event.text()
    return text if text and (text.isprintable() or text in "\x02\x03\x1d\x1e") else ""


def _text_of(widget: QWidget) -> str:
    if isinstance(widget, QLineEdit):
        return widget.text()
    if isinstance(widget, QPlainTextEdit):
        return widget.toPlainText()
    if isinstance(widget, QComboBox) and widget.isEditable():
        return widget.currentText()
    return ""


def _set_text(widget: QWidget, text: str) -> None:
    if isinstance(widget, QLineEdit):
        widget.setText(text)
    elif isinstance(widget, QPlainTextEdit):
        widget.setPlainText(text)
        widget.moveCursor(widget.textCursor().MoveOperation.End)
    elif isinstance(widget, QComboBox) and widget.isEditable():
        widget.setEditText(text)
