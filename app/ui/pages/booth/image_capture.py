"""Badge images and business cards at the booth: read off the GUI thread, the form stays usable.

A badge image's codes go, one by one, through the page's ``handle_scan``: the path a wedge
scan takes (formats, duplicates, registration lookup, scan log). A card's OCR guesses go into
the form's empty fields, marked for checking (card_prefill). Progress shows in a row of the page,
never a modal dialog: staff keep typing while a card is read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from app.domain.card_fields import CardFields
from app.domain.card_pictures import CardPicture
from app.domain.errors import LeadlineError
from app.domain.progress import CancelledError
from app.services.card_pictures import card_pictures
from app.services.card_reading import CardReader, rapidocr_engine
from app.services.image_decoding import DecodedCode, decode_image, open_image, zxing
from app.ui.camera.frame_decoding import png_bytes
from app.ui.pages.booth.banner import BAD, OK, WARN
from app.ui.pages.booth.card_prefill import CardMarks, merge_sides
from app.ui.wording import counted
from app.ui.workers import JobState, TaskRunner

if TYPE_CHECKING:
    from app.ui.pages.booth.capture_page import CapturePage

log = logging.getLogger(__name__)

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff")
IMAGE_FILTER = "Images (" + " ".join(f"*{suffix}" for suffix in IMAGE_SUFFIXES) + ")"
FIELD_NAMES = {"first_name": "first name", "last_name": "last name", "title": "job title"}


def is_image_file(path: Path) -> bool:
    return path.suffix.lower() in IMAGE_SUFFIXES


#: What a card photographed with the booth's camera is called in messages (it has no file).
CAMERA_PICTURE = "from the camera"

class CaptureProgress(QWidget):
    """The row under the banner: what is being read, a busy bar, Cancel; after a card, the
    "Checked" button that confirms every marked field at once."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("imageCaptureProgress")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)  # busy: OCR and decoding say nothing of how far they are
        self.bar.setMaximumWidth(160)
        self.bar.setAccessibleName("Reading the image")
        self.cancel_button = QPushButton("Cancel reading")
        self.confirm_button = QPushButton("Card fields checked")
        self.confirm_button.setToolTip("Every field marked as read from the card is right")
        row.addWidget(self.label, 1)
        row.addWidget(self.bar)
        row.addWidget(self.cancel_button)
        row.addWidget(self.confirm_button)
        self.hide()

    def running(self, text: str) -> None:
        self.label.setText(text)
        self.bar.show()
        self.cancel_button.show()
        self.confirm_button.hide()
        self.show()

    def finished(self, text: str = "", *, marks: bool = False) -> None:
        self.label.setText(text)
        self.bar.hide()
        self.cancel_button.hide()
        self.confirm_button.setVisible(marks)
        self.setVisible(bool(text) or marks)


class ImageCapture:
    """The booth page's image work: one badge image or one card at a time."""

    def __init__(self, page: CapturePage, runner: TaskRunner) -> None:
        self.page, self.runner = page, runner
        self.progress = CaptureProgress()
        self.progress.cancel_button.clicked.connect(lambda: self.cancel())
        self.marks = CardMarks(page.fields, self._marks_changed)
        self.progress.confirm_button.clicked.connect(self.confirm_card)
        self.reader = CardReader()  # its models load on the first card, then stay
        self._job: JobState | None = None
        self._card_job = False

    @property
    def running(self) -> bool:
        return self._job is not None

    # -- badges -------------------------------------------------------------------------------
    def scan_badge_file(self, path: Path) -> None:
        self._decode(path, path.name)

    def paste(self) -> None:
        """The clipboard's picture (a screenshot), or the image file copied in a file manager."""
        clipboard = QApplication.clipboard()
        data = clipboard.mimeData()
        if data is not None and data.hasImage():
            image = clipboard.image()
            if not image.isNull():
                self._decode(png_bytes(image), "the pasted image")
                return
        files = [Path(url.toLocalFile()) for url in data.urls() if url.isLocalFile()] \
            if data is not None else []
        pictures = [path for path in files if is_image_file(path)]
        if pictures:
            self.scan_badge_file(pictures[0])
            return
        self._say("The clipboard holds no picture: copy a badge photo, a screenshot or an image "
                  "file, then paste again (Ctrl+Shift+V).", BAD)

    def _decode(self, source: Path | bytes, name: str) -> None:
        if not self._may_start():
            return
        try:
            zxing()
        except LeadlineError as error:
            self._say(str(error), BAD)
            return
        self._start(lambda _state: decode_image(source, thorough=True),
                    f"Looking for a badge code in {name}…",
                    lambda codes: self._decoded(codes, name), card=False)

    def _decoded(self, codes: list[DecodedCode], name: str) -> None:
        self.progress.finished(marks=bool(self.marks.marked))
        if not codes:
            self._say(f"No badge code found in {name}: take the photo straight on, closer and "
                      "sharp, or type the badge id printed on it.", BAD)
            return
        # One photo is one visitor: a badge often carries a QR code with the details and a
        # barcode with only the badge id, so the code with the most in it is the scan.
        richest = max(codes, key=lambda code: len(code.text))
        self.page.handle_scan(richest.text)
        if len(codes) > 1:
            banner = self.page.banner
            banner.say(f"{banner.text()} ({counted(len(codes), 'code')} in {name}: the "
                       f"{richest.format} was read, it holds the most.)", banner.tone)

    # -- business cards -----------------------------------------------------------------------
    def read_card(self, front: Path | bytes, back: Path | bytes | None = None) -> None:
        """Read the card (and its back: a file, or a camera's picture) offline, then fill the
        form's empty fields."""
        if not self._may_start():
            return
        try:
            rapidocr_engine()
        except LeadlineError as error:
            self._say(str(error), BAD)
            return
        region = self.page.fields.default_country() or self.page.services.context.default_country
        reader = self.reader

        def read(state: JobState) -> tuple[CardFields, tuple[CardPicture, ...]]:
            sides = [open_image(front)] + ([] if back is None else [open_image(back)])
            fields = reader.read_card(sides[0], region).fields
            if state.cancelled:
                raise CancelledError("Card reading stopped.")
            if back is not None:
                fields = merge_sides(fields, reader.read_card(sides[1], region).fields)
            return fields, card_pictures(*sides)  # kept with the lead when it is saved

        name = front.name if isinstance(front, Path) else CAMERA_PICTURE
        self._start(read, f"Reading the card {name}… keep typing meanwhile: "
                          "what you type is kept.",
                    lambda done: self.fill_from_card(done[0], name, done[1]), card=True)

    def fill_from_card(self, card: CardFields, name: str,
                       pictures: tuple[CardPicture, ...] = ()) -> None:
        """A card's guesses into the form's empty fields, marked; the banner says what came."""
        if not card.guesses:
            self.progress.finished()
            self._say(f"No text found on {name}: photograph the card flat, in good "
                      "light, filling the picture.", BAD)
            return
        done = self.marks.prefill(card, name, pictures)
        filled, kept, extra = (_names(names) for names in (done.filled, done.kept, done.extra))
        text = (f"From the card: {filled or 'nothing new'}. Check the marked fields (hover one "
                "to see how sure the reading is)")
        text += f"; kept what you typed in {kept}" if kept else ""
        text += f". Saved with the lead too: {extra}." if extra else "."
        self._marks_changed()
        self._say(text, WARN, flash=False)  # stays: the focus stays where the person types

    def _marks_changed(self) -> None:
        if self._job is not None:
            return
        marked = self.marks.marked
        name = self.marks.source or "read"
        self.progress.finished(f"Card {name}: {counted(len(marked), 'field')} to check."
                               if marked else "", marks=bool(marked))

    def confirm_card(self) -> None:
        self.marks.confirm_all()
        self.progress.finished()
        self._say("Card fields checked: Enter saves.", OK)

    # -- running ------------------------------------------------------------------------------
    def _may_start(self) -> bool:
        if self._job is None:
            return True
        self._say("Still reading the last image: wait a moment, or Cancel it.", WARN)
        return False

    def _start(self, work: Callable[[JobState], Any], text: str,
               on_done: Callable[[Any], None], *, card: bool) -> None:
        holder: list[JobState] = []

        def done(result: Any) -> None:
            if not self._ours(holder):
                return
            self._job = None
            on_done(result)

        def failed(error: Exception, details: str) -> None:
            if not self._ours(holder):
                return
            self._job = None
            stopped = isinstance(error, CancelledError)
            self.progress.finished(str(error) if stopped else "", marks=bool(self.marks.marked))
            if stopped:
                return
            if isinstance(error, LeadlineError):
                self._say(str(error), BAD)
            else:
                log.error("reading an image failed: %s", details)
                self._say(f"The image could not be read ({error}).", BAD)

        self.progress.running(text)
        self._card_job = card
        job = self.runner.start(work, on_done=done, on_error=failed, owner=self.page)
        holder.append(job)
        if not job.finished:  # a synchronous runner (tests) has delivered already
            self._job = job

    def _ours(self, holder: list[JobState]) -> bool:
        """The job still wanted: not cancelled, and still the one the page waits for."""
        return not holder or (not holder[0].cancelled and self._job in (None, holder[0]))

    def cancel(self, reason: str = "Stopped: nothing from that image was used.") -> None:
        if self._job is None:
            return
        self._job.cancel()  # the engine finishes its current picture; its result is dropped
        self._job = None
        self.progress.finished(reason, marks=bool(self.marks.marked))

    def visitor_changed(self) -> None:
        """The form moved on (saved, cleared, a scan, another lead): no card belongs to it now."""
        self.marks.clear()
        if self._job is not None and self._card_job:
            self.cancel("Card reading stopped: the form moved on to another visitor.")
        elif self._job is None:
            self.progress.finished()

    def _say(self, text: str, tone: str, *, flash: bool = True) -> None:
        self.page.banner.say(text, tone, flash=flash)


def _names(fields: tuple[str, ...]) -> str:
    return ", ".join(FIELD_NAMES.get(name, name.replace("_", " ")) for name in fields)
