"""Booth camera: frames shown and decoded per second while a badge is held up to a 720p camera.

Run: ``.venv/bin/python -m tests.benchmarks.bench_camera [SECONDS]`` (default 10 per scene).
A PictureFeed plays 1280×720 frames at 30 fps into the real CameraPanel (view and decoder
thread): first a QR vCard badge held in view, then a busy scene with no badge (every frame a
miss, the decoder's slowest case). The view must keep showing at least 15 frames a second; the
decoder takes only the newest frame, so its rate is what is left of the CPU, and one badge held
in view must be read exactly once.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import zxingcpp  # noqa: E402
from PIL import Image, ImageFilter  # noqa: E402
from PySide6.QtCore import QEventLoop, QSettings, QTimer  # noqa: E402
from PySide6.QtGui import QImage  # noqa: E402

from app.services.image_decoding import decode_image  # noqa: E402
from app.ui.application import create_application  # noqa: E402
from app.ui.camera.camera_panel import CameraDevice, CameraPanel  # noqa: E402
from app.ui.camera.frame_decoding import grey_picture  # noqa: E402
from app.ui.camera.picture_feed import PictureFeed  # noqa: E402
from tests.benchmarks.common import report  # noqa: E402

SIZE = (1280, 720)
FPS = 30
MIN_SHOWN_FPS = 15.0
VCARD = ("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Müller;Anna\r\nFN:Anna Müller\r\n"
         "ORG:Brightline Analytics GmbH\r\nEMAIL:anna.mueller@brightline.de\r\n"
         "TEL;TYPE=CELL:+49 171 2345678\r\nEND:VCARD\r\n")


def busy_scene(seed: int = 7) -> Image.Image:
    """A booth as a webcam sees it: soft shapes and texture, edges everywhere, no code."""
    rng = np.random.default_rng(seed)
    blocks = rng.integers(40, 220, size=(SIZE[1] // 16, SIZE[0] // 16), dtype=np.uint8)
    scene = Image.fromarray(blocks).resize(SIZE, Image.Resampling.BILINEAR)
    grain = Image.fromarray(rng.integers(0, 40, size=(SIZE[1], SIZE[0]), dtype=np.uint8))
    return Image.blend(scene, grain, 0.25).filter(ImageFilter.GaussianBlur(0.6))


def badge_in(scene: Image.Image, payload: str) -> Image.Image:
    code = Image.fromarray(np.asarray(zxingcpp.create_barcode(
        payload, zxingcpp.BarcodeFormat.QRCode).to_image(scale=5, add_quiet_zones=True)))
    framed = scene.copy()
    framed.paste(code, ((SIZE[0] - code.width) // 2, (SIZE[1] - code.height) // 2))
    return framed


def frame(picture: Image.Image) -> QImage:
    rgb = picture.convert("RGB")
    data = rgb.tobytes()
    image = QImage(data, rgb.width, rgb.height, 3 * rgb.width, QImage.Format.Format_RGB888)
    return image.convertToFormat(QImage.Format.Format_RGB32)  # a webcam frame as Qt hands it over


def run_scene(panel: CameraPanel, feed: PictureFeed, picture: QImage, seconds: float,
              reads: list[str]) -> tuple[float, float, int]:
    """Frames shown per second, frames decoded per second and reads while ``picture`` is in view."""
    shown, decoded, read = panel.view.frames_shown, panel.decoder.decoded_frames, len(reads)
    feed.play([picture])
    started = time.perf_counter()
    loop = QEventLoop()
    QTimer.singleShot(round(seconds * 1000), loop.quit)
    loop.exec()
    elapsed = time.perf_counter() - started
    return ((panel.view.frames_shown - shown) / elapsed,
            (panel.decoder.decoded_frames - decoded) / elapsed, len(reads) - read)


def decoder_capacity(picture: QImage, tries: int = 20) -> float:
    """Frames a second one thread could decode with nothing else running: the headroom."""
    started = time.perf_counter()
    for _ in range(tries):
        decode_image(grey_picture(picture), thorough=False)
    return tries / (time.perf_counter() - started)


def main(seconds: float = 10.0) -> bool:
    app = create_application()
    scene = busy_scene()
    with tempfile.TemporaryDirectory() as folder:
        settings = QSettings(str(Path(folder) / "booth.ini"), QSettings.Format.IniFormat)
        panel = CameraPanel(settings, cameras=lambda: [CameraDevice("bench", "Picture feed")])
        panel.resize(900, 620)
        panel.show()
        app.processEvents()
        reads: list[str] = []
        panel.payload_read.connect(reads.append)
        feed = PictureFeed(panel.sink, fps=FPS, parent=panel)
        print(f"camera benchmark: {SIZE[0]}×{SIZE[1]} frames at {FPS} fps, {seconds:g} s per scene")
        ok = True
        for name, picture in (("badge in view", frame(badge_in(scene, VCARD))),
                              ("no badge, busy scene", frame(scene))):
            shown, decoded, read = run_scene(panel, feed, picture, seconds, reads)
            print(f"      {name}: {decoded:.1f} frames decoded/s in the view ({read} read(s)); "
                  f"the decoder alone: {decoder_capacity(picture):.1f} frames/s")
            ok = report(f"camera view, {name}", shown, MIN_SHOWN_FPS, "frames shown/s",
                        higher_is_better=True) and ok
            expected = 1 if name == "badge in view" else 0
            if read != expected:
                print(f"FAIL  {name}: {read} reads, expected {expected}")
                ok = False
        feed.stop()
        panel.close()
        app.processEvents()
    return ok


if __name__ == "__main__":
    sys.exit(0 if main(float(sys.argv[1]) if len(sys.argv) > 1 else 10.0) else 1)
