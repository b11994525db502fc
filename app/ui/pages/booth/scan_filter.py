"""Catch keyboard-wedge scans anywhere in a window without slowing down or losing human typing.

Keys reach the focused field at once. Only when a scan may be arriving (two keys at scanner
speed, the configured prefix, or a key from the configured scanner device) are keys held back;
the first of a fast pair, already typed, is taken back out of the field. What was held becomes a
scan only on evidence (app.importers.badges.burst); a person's burst is typed back into the
field it was meant for, in order. A scan ends at once on the suffix or when the payload is
complete (app.importers.scan_end), otherwise after a short silence.

Line breaks arrive as Enter, Return, Ctrl+J / Ctrl+M or bare LF / CR characters, depending on
the scanner: all of them count.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QPlainTextEdit, QWidget

from app.importers.badges import BurstAssembler, WedgeSettings
from app.importers.badges.burst import Burst

_KEY_TEXT = {Qt.Key.Key_Return: "\r", Qt.Key.Key_Enter: "\r", Qt.Key.Key_Tab: "\t"}
# Control characters scanners use for framing and field separators (STX, ETX, EOT, BEL, GS, RS)
# plus line breaks; anything else with Ctrl held is a shortcut.
_SCANNER_CONTROLS = "\x02\x03\x04\x07\x1d\x1e"
_LINE_BREAKS = "\r\n"
_CTRL_SYMBOLS = {Qt.Key.Key_BracketRight: "\x1d", Qt.Key.Key_AsciiCircum: "\x1e"}
_MODIFIER_KEYS = {Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_Meta,
                  Qt.Key.Key_AltGr, Qt.Key.Key_CapsLock, Qt.Key.Key_NumLock}


class ScanFilter(QObject):
    """Install on the application while a capture screen is showing; calls ``on_scan(payload)``."""

    def __init__(self, scope: QWidget, on_scan: Callable[[str], object],
                 settings: WedgeSettings | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(scope)
        self.scope, self.on_scan, self.clock = scope, on_scan, clock
        self.settings = settings or WedgeSettings()
        self.assembler = BurstAssembler(self.settings)
        self._before: tuple[QWidget, str] | None = None  # the field and its text before the last key
        self._held_for: QWidget | None = None  # where the held keys were typed
        self._replaying = False
        self._silence = QTimer(self)
        self._silence.setSingleShot(True)
        self._silence.setInterval(max(1, int(self.settings.silence_s * 1000)))
        self._silence.timeout.connect(self.finish_burst)

    def configure(self, settings: WedgeSettings) -> None:
        """Apply new scanner settings (prefix, suffix, timing, device); keys held are settled first."""
        self.finish_burst()
        self.settings = settings
        self.assembler = BurstAssembler(settings)
        self._silence.setInterval(max(1, int(settings.silence_s * 1000)))
        self._before = None

    def finish_burst(self) -> None:
        """The keys have gone quiet (the silence timer): deliver the scan or type the keys back."""
        self._silence.stop()
        self._deliver(self.assembler.finish())

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
        text = key_text(event, holding=self.assembler.holding, settings=self.settings)
        if not text:
            if _interrupts(event):
                self._silence.stop()
                self._deliver(self.assembler.interrupt())
                self._before = None
            return False
        if self._before is not None and self._before[0] is not focus and not self.assembler.holding:
            self.assembler.interrupt()  # focus moved: the last key cannot be taken back from here
            self._before = None
        device = event.device()
        verdict = self.assembler.feed(text, self.clock(),
                                      device=device.name() if device is not None else "",
                                      auto_repeat=event.isAutoRepeat())
        if verdict.take_back and self._before is not None:
            _set_text(*self._before)
        if verdict.hold and self._held_for is None:
            self._held_for = focus
        self._deliver(verdict.ended)
        if self.assembler.holding:
            self._silence.start()
        else:
            self._silence.stop()
        if verdict.hold:
            self._before = None
            return True
        self._before = (focus, _text_of(focus))
        return False

    # -- burst endings ------------------------------------------------------------------------
    def _deliver(self, bursts: Iterable[Burst]) -> None:
        for burst in bursts:
            target, self._held_for, self._before = self._held_for, None, None
            if burst.payload is None:
                self._type_back(target, burst.keys)  # a person typing fast, not a scan
            elif not burst.repeat:  # a repeat is the trigger held: the same code read twice
                self.on_scan(burst.payload)

    def _type_back(self, widget: QWidget | None, text: str) -> None:
        self._replaying = True
        try:
            for char in text:
                key = {"\r": Qt.Key.Key_Return, "\n": Qt.Key.Key_Return,
                       "\t": Qt.Key.Key_Tab}.get(char, Qt.Key.Key_unknown)
                typed = "\r" if char == "\n" else char
                target = QApplication.focusWidget() or widget
                if target is None:
                    return
                for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                    QApplication.sendEvent(target, QKeyEvent(
                        kind, key, Qt.KeyboardModifier.NoModifier, typed))
        finally:
            self._replaying = False


def key_text(event: QKeyEvent, *, holding: bool = False,
             settings: WedgeSettings | None = None) -> str:
    """The character a key stands for in a scan ("" for keys that are not part of one)."""
    modifiers = event.modifiers()
    key = Qt.Key(event.key())
    if modifiers & (Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.MetaModifier):
        return ""
    if modifiers & Qt.KeyboardModifier.ControlModifier:
        if key in _KEY_TEXT:
            return ""  # Ctrl+Enter saves, Ctrl+Tab moves: shortcuts, never scan keys
        if Qt.Key.Key_A <= key <= Qt.Key.Key_Z:
            control = chr(key - Qt.Key.Key_A + 1)  # Ctrl+J is LF, Ctrl+M is CR, Ctrl+B is STX
        else:
            control = _CTRL_SYMBOLS.get(key, "")
        framing = settings.prefix + settings.suffix if settings else ""
        if control in _LINE_BREAKS or (control and control in framing) or (
                holding and control in _SCANNER_CONTROLS):
            return control
        return ""
    special = _KEY_TEXT.get(key)
    if special:
        return special
    text = event.text()
    if text in _LINE_BREAKS:
        return text
    if text and (text.isprintable() or all(char in _SCANNER_CONTROLS for char in text)):
        return text
    return ""


def _interrupts(event: QKeyEvent) -> bool:
    """Keys that edit or move (Backspace, arrows, shortcuts): held keys must land before them.

    Alt + keypad digits are a wedge spelling a character (Alt+029 for GS), not an edit."""
    modifiers = event.modifiers()
    if modifiers & Qt.KeyboardModifier.AltModifier and modifiers & Qt.KeyboardModifier.KeypadModifier:
        return False
    return Qt.Key(event.key()) not in _MODIFIER_KEYS and event.key() != Qt.Key.Key_unknown


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
