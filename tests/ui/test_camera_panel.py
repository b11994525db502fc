"""The booth's camera badge scanner, fed generated badges through a picture feed (no camera)."""

from __future__ import annotations

import io
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication

from app.ui.camera import camera_panel
from app.ui.camera.camera_panel import DENIED, NO_CAMERA, CameraDevice, CameraPanel
from app.ui.camera.frame_decoding import FrameDecoder, RepeatFilter
from app.ui.camera.picture_feed import PictureFeed
from app.ui.local_settings import Booth, LocalSettings

zxingcpp = pytest.importorskip("zxingcpp")
np = pytest.importorskip("numpy")

# Qt Multimedia's backend says which hardware helpers (VA-API, PipeWire, a GPU for converting
# frames) it did not find on a headless machine; the panel needs none of them.
pytestmark = pytest.mark.qt_log_ignore(r"Couldn't (load|resolve) (va|pipewire)", "No RHI backend",
                                       extend=True)

VCARD = ("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Müller;Anna\r\nFN:Anna Müller\r\n"
         "ORG:Brightline Analytics GmbH\r\nEMAIL:anna.mueller@brightline.de\r\nEND:VCARD\r\n")
MECARD = "MECARD:N:Dubois,Camille;EMAIL:camille@lumiere.fr;ORG:Lumière SAS;;"
PDF417_ID = "Anna^Müller^2427"
TWO_CAMERAS = [CameraDevice("/dev/video0", "Laptop camera"), CameraDevice("usb-42", "Desk webcam")]


def badge_frame(payload: str, symbology: str, size: tuple[int, int] = (1280, 720)) -> QImage:
    """A camera frame: grey background, the badge's code somewhere left of the middle."""
    barcode = zxingcpp.create_barcode(payload, getattr(zxingcpp.BarcodeFormat, symbology))
    code = Image.fromarray(np.asarray(barcode.to_image(scale=4)))
    page = Image.new("L", size, 200)
    page.paste(code, (size[0] // 4, (size[1] - code.height) // 2))
    return qimage(page)


def empty_frame(size: tuple[int, int] = (1280, 720)) -> QImage:
    return qimage(Image.new("L", size, 200))


def qimage(picture: Image.Image) -> QImage:
    data = picture.tobytes()
    grey = QImage(data, picture.width, picture.height, picture.width, QImage.Format.Format_Grayscale8)
    return grey.convertToFormat(QImage.Format.Format_RGB32)  # a copy, as a camera's frames come


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "laptop.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def make_panel(qtbot: Any, settings: QSettings) -> Callable[..., CameraPanel]:
    def make(cameras: list[CameraDevice] | None = None) -> CameraPanel:
        panel = CameraPanel(settings, cameras=lambda: list(TWO_CAMERAS if cameras is None else cameras))
        qtbot.addWidget(panel)
        panel.resize(800, 560)
        panel.show()
        return panel
    return make


def reads_of(panel: CameraPanel) -> list[str]:
    reads: list[str] = []
    panel.payload_read.connect(reads.append)
    return reads


def test_each_badge_held_up_is_read_once_with_its_exact_text(qtbot: Any,
                                                              make_panel: Callable[..., CameraPanel]) -> None:
    panel = make_panel()
    reads = reads_of(panel)
    feed = PictureFeed(panel.sink, fps=30, parent=panel)
    badges = [(VCARD, "QRCode"), (PDF417_ID, "PDF417"), (MECARD, "DataMatrix")]
    for count, (payload, symbology) in enumerate(badges, start=1):
        feed.play([badge_frame(payload, symbology)])
        qtbot.waitUntil(lambda n=count: len(reads) >= n, timeout=15000)
        assert panel.view.flashing
        assert panel.status.text() == camera_panel.READ
    qtbot.wait(1500)  # the last badge stays in front of the camera: no second read
    assert reads == [payload for payload, _ in badges]
    assert feed.frames_sent > 30 and panel.view.frames_shown > 10
    feed.stop()


def test_a_badge_held_in_view_is_one_read_and_a_frame_without_a_badge_none(
        qtbot: Any, make_panel: Callable[..., CameraPanel]) -> None:
    panel = make_panel()
    reads = reads_of(panel)
    feed = PictureFeed(panel.sink, fps=30, parent=panel)
    feed.play([empty_frame()])
    qtbot.waitUntil(lambda: panel.decoder.decoded_frames >= 3, timeout=15000)
    assert reads == []
    feed.play([badge_frame(MECARD, "QRCode"), badge_frame(MECARD, "QRCode")])
    qtbot.waitUntil(lambda: len(reads) == 1, timeout=15000)
    decoded = panel.decoder.decoded_frames
    qtbot.waitUntil(lambda: panel.decoder.decoded_frames >= decoded + 5, timeout=15000)
    assert reads == [MECARD]
    feed.stop()


def test_the_same_badge_reads_again_only_after_it_was_out_of_view_for_the_hold() -> None:
    now = [0.0]
    repeats = RepeatFilter(hold_s=3.0, clock=lambda: now[0])
    seen = []
    for moment, payload in [(0.0, "A"), (1.0, "A"), (3.5, "A"), (3.6, "B"), (6.0, "A"),
                            (9.5, "A"), (9.6, "B")]:
        now[0] = moment
        seen.append(repeats.is_new(payload))
    # Still in view at 1.0 and 3.5 (each sighting extends the hold); gone 3.5 → 9.5: read again.
    assert seen == [True, False, False, True, False, True, True]


def test_the_view_renders_offscreen_and_flashes_green_on_a_read(
        qtbot: Any, make_panel: Callable[..., CameraPanel]) -> None:
    panel = make_panel()
    reads = reads_of(panel)
    feed = PictureFeed(panel.sink, fps=30, parent=panel)
    feed.play([badge_frame(VCARD, "QRCode")])
    qtbot.waitUntil(lambda: reads == [VCARD], timeout=15000)
    shot = panel.view.grab().toImage()
    assert not shot.isNull()
    assert shot.pixelColor(4, shot.height() // 2) == QColor("#2e7d32")  # the flash border
    middle = shot.pixelColor(shot.width() // 2, shot.height() // 2)
    assert middle.red() == middle.green() == middle.blue() >= 150  # the frame's grey, not the dark
    qtbot.waitUntil(lambda: not panel.view.flashing, timeout=5000)
    feed.stop()


def test_no_camera_says_what_to_do_and_start_is_off(make_panel: Callable[..., CameraPanel]) -> None:
    panel = make_panel(cameras=[])
    assert panel.status.text() == NO_CAMERA
    assert not panel.start_button.isEnabled() and not panel.chooser.isEnabled()
    panel.start()
    assert not panel.active and panel.status.text() == NO_CAMERA


def test_the_chosen_camera_is_remembered_for_the_next_panel(
        tmp_path: Path, make_panel: Callable[..., CameraPanel], qtbot: Any) -> None:
    first = make_panel()
    assert first.camera_id == "/dev/video0" and first.status.text() == camera_panel.OFF
    first.chooser.setCurrentIndex(1)
    first.chooser.activated.emit(1)
    first.local.sync()
    again = QSettings(str(tmp_path / "laptop.ini"), QSettings.Format.IniFormat)
    assert LocalSettings(again).get(Booth.CAMERA) == "usb-42"
    second = CameraPanel(again, cameras=lambda: list(TWO_CAMERAS))
    qtbot.addWidget(second)
    assert second.camera_id == "usb-42" and second.chooser.currentText() == "Desk webcam"
    unplugged = CameraPanel(again, cameras=lambda: TWO_CAMERAS[:1])
    qtbot.addWidget(unplugged)
    assert unplugged.camera_id == "/dev/video0"  # the remembered one is gone: the first one


def test_camera_access_denied_says_where_to_allow_it(
        monkeypatch: pytest.MonkeyPatch, make_panel: Callable[..., CameraPanel]) -> None:
    panel = make_panel()
    monkeypatch.setattr(QApplication, "checkPermission",
                        lambda _app, _permission: Qt.PermissionStatus.Denied)
    panel.start()
    assert not panel.active and panel.status.text() == DENIED


def test_without_the_zxing_extra_the_panel_says_how_to_install_it(
        qtbot: Any, monkeypatch: pytest.MonkeyPatch, make_panel: Callable[..., CameraPanel]) -> None:
    monkeypatch.setitem(sys.modules, "zxingcpp", None)  # the import fails as if not installed
    panel = make_panel()
    assert "pip install 'leadline[camera]'" in panel.status.text()
    assert not panel.start_button.isEnabled()
    reads = reads_of(panel)
    feed = PictureFeed(panel.sink, fps=30, parent=panel)
    feed.play([badge_frame(MECARD, "QRCode")])
    qtbot.waitUntil(lambda: panel.view.frames_shown >= 3, timeout=15000)
    assert reads == [] and panel.decoder.decoded_frames == 0
    feed.stop()


def test_the_system_camera_list_is_what_the_panel_offers(qtbot: Any, settings: QSettings) -> None:
    panel = CameraPanel(settings)  # Qt Multimedia's own list: none on CI, a webcam on a laptop
    qtbot.addWidget(panel)
    names = [panel.chooser.itemText(i) for i in range(panel.chooser.count())]
    assert names == [camera.name for camera in camera_panel.system_cameras()]
    assert panel.status.text() == (NO_CAMERA if not names else camera_panel.OFF)


def test_a_slow_decode_drops_frames_and_never_holds_up_the_one_offering_them(qtbot: Any) -> None:
    def slow(_picture: Image.Image) -> list[str]:
        time.sleep(0.3)
        return ["000123"]

    decoder = FrameDecoder(decode=slow)
    reads: list[str] = []
    decoder.payload_read.connect(reads.append)
    frame = empty_frame((320, 240))
    started = time.perf_counter()
    for _ in range(30):
        decoder.offer(frame)
    assert time.perf_counter() - started < 0.25  # 30 frames handed over while one decodes
    qtbot.waitUntil(lambda: decoder.decoded_frames >= 1, timeout=10000)
    decoder.offer(frame)  # the next frame brings the first one's read back
    assert reads == ["000123"]
    decoder.stop()
    assert decoder.decoded_frames <= 2 and not decoder.running


def card_frame(shade: int) -> QImage:
    """A frame with a business card held up: a light card on the grey booth."""
    page = Image.new("L", (1280, 720), 120)
    page.paste(Image.new("L", (1050, 600), shade), (115, 60))
    return qimage(page)


def test_a_card_is_photographed_front_then_back(
        qtbot: Any, make_panel: Callable[..., CameraPanel]) -> None:
    panel = make_panel()
    taken: list[tuple[bytes, bytes | None]] = []
    panel.card_photographed.connect(lambda front, back: taken.append((front, back)))
    assert not panel.card_button.isEnabled()  # nothing in view yet
    feed = PictureFeed(panel.sink, fps=30, parent=panel)
    feed.play([card_frame(250)])
    qtbot.waitUntil(panel.card_button.isEnabled, timeout=5000)
    panel.card_button.click()
    assert panel.status.text() == camera_panel.FRONT_TAKEN and "back" in panel.card_button.text()
    assert taken == []  # waiting for the back
    feed.play([card_frame(230)])
    qtbot.waitUntil(lambda: panel.view.image.pixelColor(200, 100).red() == 230, timeout=5000)
    panel.card_button.click()
    assert len(taken) == 1 and panel.status.text() == camera_panel.CARD_TAKEN
    front, back = taken[0]
    assert back is not None
    shades = [Image.open(io.BytesIO(side)).convert("L").getpixel((200, 100)) for side in (front, back)]
    assert shades == [250, 230]  # each side as it was in view, losslessly
    assert "card" in panel.card_button.text().lower() and "back" not in panel.card_button.text()
    feed.stop()


def test_a_card_without_a_back_is_read_once_the_wait_is_over_or_the_camera_stops(
        qtbot: Any, make_panel: Callable[..., CameraPanel]) -> None:
    panel = make_panel()
    taken: list[tuple[bytes, bytes | None]] = []
    panel.card_photographed.connect(lambda front, back: taken.append((front, back)))
    panel._back_wait.setInterval(100)
    feed = PictureFeed(panel.sink, fps=30, parent=panel)
    feed.play([card_frame(250)])
    qtbot.waitUntil(panel.card_button.isEnabled, timeout=5000)
    panel.card_button.click()
    qtbot.waitUntil(lambda: len(taken) == 1, timeout=5000)
    assert taken[0][1] is None
    panel._back_wait.setInterval(60_000)
    panel.card_button.click()
    feed.stop()
    panel.stop()  # the booth page was left: the front taken is still read
    assert len(taken) == 2 and taken[1][1] is None
    assert not panel.card_button.isEnabled()
