"""The coloured strip above the booth form that says what the last scan or save did."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QWidget

#: Tones, as style sheets: done, check this, not done, nothing going on, a cleared form can return.
OK = "background: #2e7d32; color: white; padding: 8px; font-size: 13pt;"
WARN = "background: #f9a825; color: black; padding: 8px; font-size: 13pt;"
BAD = "background: #c62828; color: white; padding: 8px; font-size: 13pt;"
IDLE = "padding: 8px; font-size: 13pt;"
UNDO = "background: #1565c0; color: white; padding: 8px; font-size: 13pt;"
READY = "Ready. Scan a badge or type."


class CaptureBanner(QLabel):
    """Good news (and a warning) gives way to "Ready" after a moment, so the strip never still
    shows the last visitor to the next one; problems stay until something else happens."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scanBanner")
        self.setWordWrap(True)
        self.tone = IDLE
        self._flash = QTimer(self, singleShot=True, interval=2500)
        self._flash.timeout.connect(lambda: self.say(READY, IDLE))
        self.say(READY, IDLE)

    def say(self, text: str, tone: str, *, flash: bool = True) -> None:
        self.setText(text)
        self.setStyleSheet(tone)
        self.tone = tone
        if flash and tone in (OK, WARN):
            self._flash.start()
        else:
            self._flash.stop()
