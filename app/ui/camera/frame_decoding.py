"""Camera frames decoded on a thread of their own, latest frame only, each badge read once; and
pictures (frames, pasted images) turned into what a worker thread can take.

The view hands over every frame it shows and never waits: while a frame is being decoded, newer
ones replace each other in a single slot, so a slow decode costs reads, never frames shown.
The decoding thread touches no QObject at all (the rule of app/ui/workers.py, kept strictly): it
leaves what it found in a list that the next offered frame collects on the GUI thread, a frame
interval later at most, since a running camera offers frames all the time.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from PIL import Image
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, Signal
from PySide6.QtGui import QImage

from app.services.image_decoding import decode_image

log = logging.getLogger(__name__)

#: A payload seen again within this long after its last sighting is the same badge still held
#: in front of the camera, not a second scan.
HOLD_S = 3.0


def grey_picture(image: QImage) -> Image.Image:
    """The frame as an 8-bit grey Pillow image: what decode_image reads fastest, without Qt."""
    grey = image.convertToFormat(QImage.Format.Format_Grayscale8)
    width, height, stride = grey.width(), grey.height(), grey.bytesPerLine()
    data = bytes(grey.constBits())  # a copy: the picture outlives the QImage
    return Image.frombuffer("L", (width, height), data, "raw", "L", stride, 1)


def png_bytes(image: QImage) -> bytes:
    """A picture as PNG bytes (lossless: a card's small print is what OCR reads), so a worker
    thread gets plain bytes, never a Qt object."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


class RepeatFilter:
    """Lets a payload through once while it stays in view; again once it has been gone a while."""

    def __init__(self, hold_s: float = HOLD_S, clock: Callable[[], float] = time.monotonic) -> None:
        self.hold_s, self._clock = hold_s, clock
        self._last_seen: dict[str, float] = {}

    def is_new(self, payload: str) -> bool:
        now = self._clock()
        for old, seen in list(self._last_seen.items()):
            if now - seen > self.hold_s:
                del self._last_seen[old]
        new = payload not in self._last_seen
        self._last_seen[payload] = now  # every sighting extends the hold
        return new


class FrameDecoder(QObject):
    """Decodes the latest offered frame on its own thread and emits each new payload once.

    ``offer`` is cheap and never blocks; ``stop`` ends the thread (the panel calls it when it
    is hidden). ``decoded_frames`` counts frames actually decoded, for the benchmark.
    """

    payload_read = Signal(str)

    def __init__(self, parent: QObject | None = None, *, hold_s: float = HOLD_S,
                 decode: Callable[[Image.Image], list[str]] | None = None) -> None:
        super().__init__(parent)
        self._decode = decode or _badge_texts
        self._repeats = RepeatFilter(hold_s)
        self._wake = threading.Condition()
        self._latest: QImage | None = None
        self._found: list[str] = []
        self._stopping = False
        self._thread: threading.Thread | None = None
        self.decoded_frames = 0

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def offer(self, image: QImage) -> None:
        """The newest frame; replaces one still waiting. Starts the thread on the first one, and
        emits what earlier frames were found to hold."""
        if image.isNull():
            return
        with self._wake:
            # An instance of its own for the thread (the pixels stay shared, nothing is copied).
            self._latest = QImage(image)
            found, self._found = self._found, []
            self._wake.notify()
        if not self.running:
            self._start()
        for payload in found:
            if self._repeats.is_new(payload):
                self.payload_read.emit(payload)

    def stop(self) -> None:
        with self._wake:
            self._stopping = True
            self._latest = None
            self._found = []
            self._wake.notify()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _start(self) -> None:
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="badge-camera-decoder", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._latest is None and not self._stopping:
                    self._wake.wait()
                if self._stopping:
                    return
                image, self._latest = self._latest, None
            try:
                texts = self._decode(grey_picture(image))
            except Exception:  # a bad frame must not end the camera: the next one is a new try
                log.exception("a camera frame could not be decoded")
                texts = []
            del image
            with self._wake:
                if self._stopping:
                    return
                self.decoded_frames += 1
                self._found.extend(texts)


def _badge_texts(picture: Image.Image) -> list[str]:
    # thorough=False: turning a frame by many angles costs more than waiting for the next one.
    return [code.text for code in decode_image(picture, thorough=False)]
