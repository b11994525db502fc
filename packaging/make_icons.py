"""Render resources/icons/leadline.svg to the PNG and ICO files the builds and desktops use.

    .venv/bin/python packaging/make_icons.py

Writes resources/icons/leadline-<size>.png for every size in SIZES, resources/icons/leadline.png
(the 256 px one, for places that want a single bitmap) and, when Pillow is installed (reportlab
pulls it in), resources/icons/leadline.ico with every size up to 256 for Windows. The outputs are
committed, so a build never needs this script; rerun it after changing the SVG.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"
SVG = ICONS / "leadline.svg"
SIZES = (16, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 32, 48, 64, 128, 256)  # the ICO format stops at 256


def png_path(size: int) -> Path:
    return ICONS / f"leadline-{size}.png"


def render_pngs() -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (keeps Qt alive)
    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"{SVG} is not a valid SVG")
    written = []
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter)
        painter.end()
        target = png_path(size)
        if not image.save(str(target), "PNG"):
            raise SystemExit(f"could not write {target}")
        written.append(target)
    (ICONS / "leadline.png").write_bytes(png_path(256).read_bytes())
    written.append(ICONS / "leadline.png")
    return written


def write_ico() -> Path | None:
    try:
        from PIL import Image
    except ImportError:
        print("Pillow is not installed: leadline.ico not written (pip install pillow, then rerun)")
        return None
    target = ICONS / "leadline.ico"
    largest = Image.open(png_path(max(ICO_SIZES))).convert("RGBA")
    others = [Image.open(png_path(size)).convert("RGBA") for size in ICO_SIZES[:-1]]
    # Pillow takes each size from the matching appended image, so small sizes stay the crisp
    # renders from the SVG rather than downscaled copies of the big one.
    largest.save(target, format="ICO", sizes=[(s, s) for s in ICO_SIZES], append_images=others)
    return target


def main() -> int:
    written = render_pngs()
    ico = write_ico()
    if ico:
        written.append(ico)
    for path in written:
        print(f"{path.relative_to(ROOT)}  {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
