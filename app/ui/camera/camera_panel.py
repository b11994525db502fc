"""The booth's webcam badge scanner: choose a camera, see it live, every badge code read once;
and business cards photographed with it, front and back.

The panel only reads codes and takes pictures; whoever shows it connects ``payload_read`` to
the booth page's ``handle_scan``, so a camera read takes the wedge scanner's path (formats,
duplicates, registration lookup, scan log), and ``card_photographed`` to its card reading.
Frames arrive in ``sink`` (a QVideoSink): from the chosen QCamera, or from anything else that
feeds a sink (tests and the benchmark use a PictureFeed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QCameraPermission, QRect, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtMultimedia import (
    QCamera,
    QCameraDevice,
    QMediaCaptureSession,
    QMediaDevices,
    QVideoFrame,
    QVideoSink,
)
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import LeadlineError
from app.services.image_decoding import zxing
from app.ui.camera.frame_decoding import FrameDecoder, png_bytes
from app.ui.local_settings import Booth, LocalSettings

NO_CAMERA = "No camera found. Connect a camera, or scan with a handheld scanner."
DENIED = ("Leadline may not use the camera. Allow camera access for Leadline in the system's "
          "privacy settings, then press Start; or scan with a handheld scanner.")
OFF = "Camera off: press Start, then hold a badge's code up to the camera."
LOOKING = "Hold the badge's code up to the camera, about a hand's width away."
READ = "Badge read."
FLASH_MS = 400
#: After the front is photographed, this long to turn the card over and photograph the back.
BACK_WAIT_MS = 6000
FRONT_TAKEN = ("Front taken. Turn the card over and press Photograph the back, or wait: the "
               "front alone is read in a few seconds.")
CARD_TAKEN = "Card photographed: reading it…"


@dataclass(frozen=True)
class CameraDevice:
    """A camera as the chooser lists it; ``id`` is what is remembered (names can repeat)."""

    id: str
    name: str


def _device_id(device: QCameraDevice) -> str:
    return bytes(device.id().data()).decode("utf-8", "replace")


def system_cameras() -> list[CameraDevice]:
    return [CameraDevice(_device_id(d), d.description()) for d in QMediaDevices.videoInputs()]


class FrameView(QWidget):
    """The live picture, scaled to fit, with a green border for a moment after each read."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(320, 180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Camera view")
        self.image = QImage()
        self.frames_shown = 0  # frames actually painted: the benchmark's frame rate
        self._painted = True
        self._flash = QTimer(self, singleShot=True, interval=FLASH_MS)
        self._flash.timeout.connect(self.update)

    @property
    def flashing(self) -> bool:
        return self._flash.isActive()

    def show_image(self, image: QImage) -> None:
        self.image, self._painted = image, False
        self.update()  # coalesced: a burst of frames between two paints shows the newest

    def clear(self) -> None:
        self.show_image(QImage())

    def flash(self) -> None:
        self._flash.start()
        self.update()

    def paintEvent(self, _event: Any) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#202020"))
        if not self.image.isNull():
            size = self.image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRect(0, 0, size.width(), size.height())
            target.moveCenter(self.rect().center())
            painter.drawImage(target, self.image)  # fast scaling: a live view, not a photo
            if not self._painted:
                self._painted = True
                self.frames_shown += 1
        if self.flashing:
            painter.setPen(QPen(QColor("#2e7d32"), 10))
            painter.drawRect(self.rect().adjusted(5, 5, -5, -5))
        painter.end()


class CameraPanel(QWidget):
    """Camera chooser, Start/Stop, the live view and a plain-language line saying what is up."""

    payload_read = Signal(str)
    card_photographed = Signal(bytes, object)  # the front's PNG, the back's (or None)

    def __init__(self, settings: QSettings, parent: QWidget | None = None, *,
                 cameras: Callable[[], list[CameraDevice]] = system_cameras) -> None:
        super().__init__(parent)
        self.local, self._cameras = LocalSettings(settings), cameras
        self._camera: QCamera | None = None
        self._session: QMediaCaptureSession | None = None
        self._camera_id_in_use = ""
        self.chooser = QComboBox()
        self.chooser.setAccessibleName("Camera")
        self.chooser.setPlaceholderText("No camera")
        self.chooser.activated.connect(self._chosen)
        self.start_button = QPushButton("Start")
        self.start_button.clicked.connect(self._toggle)
        self.card_button = QPushButton("Photograph &card")
        self.card_button.setToolTip("Hold a business card up to the camera, flat and filling "
                                    "the view, then press this; press again for its back")
        self.card_button.clicked.connect(self.photograph_card)
        self._front: bytes | None = None
        self._back_wait = QTimer(self, singleShot=True, interval=BACK_WAIT_MS)
        self._back_wait.timeout.connect(self._card_done)
        self.status = QLabel()
        self.status.setObjectName("cameraStatus")
        self.status.setWordWrap(True)
        self.view = FrameView()
        top = QHBoxLayout()
        top.addWidget(QLabel("Camera:"))
        top.addWidget(self.chooser, 1)
        top.addWidget(self.start_button)
        column = QVBoxLayout(self)
        column.addLayout(top)
        column.addWidget(self.view, 1)
        column.addWidget(self.card_button)
        column.addWidget(self.status)
        self.sink = QVideoSink(self)
        self.sink.videoFrameChanged.connect(self._frame)
        self.decoder = FrameDecoder(self)
        self.decoder.payload_read.connect(self._read)
        self._unavailable = ""
        try:
            zxing()
        except LeadlineError as error:
            self._unavailable = str(error)
        if cameras is system_cameras:
            self._devices = QMediaDevices(self)
            self._devices.videoInputsChanged.connect(self.refresh_cameras)
        self.refresh_cameras()

    # -- cameras ------------------------------------------------------------------------------
    @property
    def camera_id(self) -> str:
        """The chosen camera's id, "" when there is none."""
        return str(self.chooser.currentData() or "")

    @property
    def active(self) -> bool:
        return self._camera is not None

    def refresh_cameras(self) -> None:
        """List the cameras again (one was plugged in or out), keeping the remembered choice."""
        wanted = self.camera_id or self.local.get(Booth.CAMERA)
        devices = self._cameras()
        self.chooser.clear()
        for device in devices:
            self.chooser.addItem(device.name, device.id)
        index = self.chooser.findData(wanted)
        self.chooser.setCurrentIndex(index if index >= 0 else 0 if devices else -1)
        if self._camera is not None and self.camera_id != self._camera_id_in_use:
            self.stop()  # the camera in use was unplugged
        self._show_state()

    def _chosen(self, _index: int) -> None:
        self.local.set(Booth.CAMERA, self.camera_id)
        if self.active:
            self.stop()
            self.start()

    # -- running ------------------------------------------------------------------------------
    def _toggle(self) -> None:
        if self.active:
            self.stop()
        else:
            self.start()

    def start(self) -> None:
        """Open the chosen camera into the view (asking for camera access where the system does)."""
        if self._unavailable or not self.camera_id:
            self._show_state()
            return
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        permission = QCameraPermission()
        status = app.checkPermission(permission)
        if status == Qt.PermissionStatus.Undetermined:
            app.requestPermission(permission, self, self._permission_answered)
            return
        if status == Qt.PermissionStatus.Denied:
            self._say(DENIED)
            return
        self._open(self.camera_id)

    def _permission_answered(self, _permission: Any) -> None:
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        if app.checkPermission(QCameraPermission()) == Qt.PermissionStatus.Granted:
            self._open(self.camera_id)
        else:
            self._say(DENIED)

    def _open(self, camera_id: str) -> None:
        device = next((d for d in QMediaDevices.videoInputs() if _device_id(d) == camera_id), None)
        if device is None:
            self.refresh_cameras()  # gone since it was listed
            return
        self._camera, self._session = QCamera(device), QMediaCaptureSession()
        self._camera_id_in_use = camera_id
        self._camera.errorOccurred.connect(self._camera_failed)
        self._session.setCamera(self._camera)
        self._session.setVideoSink(self.sink)
        self._camera.start()
        self.start_button.setText("Stop")
        self._say(LOOKING)

    def stop(self) -> None:
        if self._camera is not None:
            self._camera.stop()
            self._camera.deleteLater()
        if self._session is not None:
            self._session.deleteLater()
        self._camera = self._session = None
        self.decoder.stop()
        self._card_done()  # a front taken before the camera stopped is still read
        self.view.clear()
        self.start_button.setText("Start")
        self._show_state()

    def _camera_failed(self, _error: QCamera.Error, text: str) -> None:
        self.stop()
        self._say(f"The camera could not be started ({text or 'no reason given'}). Another app may "
                  "be using it, or camera access is denied: close that app or allow access, then "
                  "press Start; or scan with a handheld scanner.")

    def hideEvent(self, event: Any) -> None:
        self.stop()  # no camera light on, and no decoding, once the booth page is left
        super().hideEvent(event)

    # -- frames and reads ---------------------------------------------------------------------
    def _frame(self, frame: QVideoFrame) -> None:
        if not self.isVisible():
            return  # a last frame after the page was left must not start the decoder again
        image = frame.toImage()
        self.view.show_image(image)
        if not self.card_button.isEnabled():
            self.card_button.setEnabled(True)
        if not self._unavailable:
            self.decoder.offer(image)

    def _read(self, payload: str) -> None:
        QApplication.beep()
        self.view.flash()
        self._say(READ)
        self.payload_read.emit(payload)

    # -- business cards -----------------------------------------------------------------------
    def photograph_card(self) -> None:
        """The frame in view is the card's front; pressed again soon after, its back."""
        if self.view.image.isNull():
            return  # nothing in view yet
        picture = png_bytes(self.view.image)
        self.view.flash()
        if self._front is None:
            self._front = picture
            self._back_wait.start()
            self.card_button.setText("Photograph the &back")
            self._say(FRONT_TAKEN)
        else:
            self._card_done(picture)

    def _card_done(self, back: bytes | None = None) -> None:
        self._back_wait.stop()
        front, self._front = self._front, None
        self.card_button.setText("Photograph &card")
        if front is not None:
            self._say(CARD_TAKEN)
            self.card_photographed.emit(front, back)

    # -- states -------------------------------------------------------------------------------
    def _show_state(self) -> None:
        no_camera = self.chooser.count() == 0
        self.chooser.setEnabled(not no_camera)
        self.start_button.setEnabled(not (no_camera or self._unavailable))
        self.card_button.setEnabled(not self.view.image.isNull())
        if self._unavailable:
            self._say(self._unavailable)
        elif no_camera:
            self._say(NO_CAMERA)
        elif not self.active:
            self._say(OFF)

    def _say(self, text: str) -> None:
        self.status.setText(text)
