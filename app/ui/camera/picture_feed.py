"""Pictures played into a video sink at a camera's frame rate, standing in for a camera.

The camera panel reads whatever arrives in its QVideoSink; tests and the benchmark put a
PictureFeed there instead of a webcam, so the whole view and decoder run on machines (CI, a
laptop without a camera) that have none.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QVideoFrame, QVideoSink


class PictureFeed(QObject):
    """Plays ``pictures`` in a loop, one frame every 1/``fps`` s, into ``sink``."""

    def __init__(self, sink: QVideoSink, fps: float = 30.0, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.sink = sink
        self.frames_sent = 0
        self._pictures: list[QImage] = []
        self._timer = QTimer(self, interval=max(1, round(1000 / fps)))
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._send)

    def play(self, pictures: Sequence[QImage]) -> None:
        """From now on the camera "sees" these pictures (a badge held up, an empty booth…)."""
        self._pictures = list(pictures)
        if not self._timer.isActive():
            self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _send(self) -> None:
        if self._pictures:
            # A new frame each time, as from a camera: a sink ignores the frame it already has.
            picture = self._pictures[self.frames_sent % len(self._pictures)]
            self.sink.setVideoFrame(QVideoFrame(picture))
            self.frames_sent += 1
