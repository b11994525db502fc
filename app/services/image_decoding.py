"""Badge codes read from images (a photo, a screenshot, a camera frame) with zxing-cpp.

Decoding is pure image work: no Qt and no database here, so a camera thread can call it.
Images are opened with Pillow (already installed with reportlab); zxing-cpp itself is the
optional ``camera`` extra. The payloads go through the keyboard-wedge scanner's own parsing
and capture (``BoothService.scan``), so an image scan is the same as a scanned one.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

from app.domain.errors import LeadlineError

#: Badge symbologies: 2-D codes carrying contact cards, 1-D codes carrying badge ids. Code 32
#: and PZN (pharmacy subsets of Code 39) are left out: they would re-read a Code 39 badge id.
BADGE_FORMATS = "QRCode,MicroQRCode,PDF417,CompactPDF417,DataMatrix,Aztec,Code128,Code39Std,Code39Ext"
_OLDER_BADGE_FORMATS = "QRCode,MicroQRCode,PDF417,DataMatrix,Aztec,Code128,Code39"
#: Photos from a phone are far larger than a badge needs; this keeps decoding fast.
MAX_SIDE = 2400


class CaptureUnavailableError(LeadlineError):
    """An optional capture extra (camera or OCR) is not installed; says how to add it."""

    def __init__(self, what: str, extra: str, package: str) -> None:
        super().__init__(f"{what} is not available: install it with "
                         f"`pip install 'leadline[{extra}]'` (adds {package}).")
        self.extra = extra


class ImageUnreadableError(LeadlineError):
    """The file is not an image Pillow can open."""


@dataclass(frozen=True)
class DecodedCode:
    """One code found in an image: what a scanner would have typed, and which symbology."""

    text: str
    format: str  # "QR Code", "PDF417", "Code 128"…
    position: tuple[tuple[int, int], ...] = ()  # corners in image pixels, for a camera overlay


def zxing() -> Any:
    """The zxing-cpp module, or CaptureUnavailableError naming the extra that brings it."""
    try:
        import zxingcpp
    except ImportError:
        raise CaptureUnavailableError("Badge reading from images", "camera", "zxing-cpp") from None
    return zxingcpp


def open_image(source: Path | bytes) -> Image.Image:
    """A file or its bytes as an upright RGB/grey image (phone photos carry their rotation)."""
    try:
        with Image.open(io.BytesIO(source) if isinstance(source, bytes) else source) as opened:
            image = ImageOps.exif_transpose(opened)
            image.load()
    except UnidentifiedImageError:
        raise ImageUnreadableError(f"{_name(source)}not an image (PNG, JPEG, WebP, BMP, TIFF, "
                                   "GIF…)") from None
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ImageUnreadableError(f"{_name(source)}the image cannot be read ({exc})") from None
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        # A screenshot's transparent background is black once dropped: white is what it showed.
        rgba = image.convert("RGBA")
        image = Image.new("RGB", rgba.size, "white")
        image.paste(rgba, mask=rgba.getchannel("A"))
    elif image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    if max(image.size) > MAX_SIDE:
        image.thumbnail((MAX_SIDE, MAX_SIDE))
    return image


#: Angles a photo is turned by when nothing was found: zxing-cpp finds a PDF417 only within a
#: few degrees of the four right angles, and a badge photographed askew is common.
SKEW_ANGLES = tuple(sign * step for step in range(5, 45, 5) for sign in (-1, 1))


def _name(source: Path | bytes) -> str:
    return "" if isinstance(source, bytes) else f"{Path(source).name}: "


def decode_image(image: Any, *, thorough: bool = True) -> list[DecodedCode]:
    """Every badge code in the image, duplicates once. ``image`` is a PIL image, a numpy
    array (grey or BGR, as camera frames come), a QImage (from the UI) or a file's bytes/path.

    Hard pictures get more tries when nothing is found: a contrast-stretched grey copy (blur,
    low contrast) and, if ``thorough``, that copy turned by a few angles (a skewed PDF417).
    A camera passes ``thorough=False``: the next frame is a better second try.
    """
    module = zxing()
    if isinstance(image, (bytes, Path, str)):
        image = open_image(Path(image) if isinstance(image, str) else image)
    codes = _read(module, image)
    if codes or not isinstance(image, Image.Image):
        return codes
    stretched = ImageOps.autocontrast(image.convert("L"), cutoff=1)
    codes = _read(module, stretched)
    for angle in SKEW_ANGLES if thorough else ():
        if codes:
            break
        codes = _read(module, stretched.rotate(angle, expand=True, fillcolor=255,
                                               resample=Image.Resampling.BILINEAR))
    return codes


def _read(module: Any, image: Any) -> list[DecodedCode]:
    found = module.read_barcodes(image, formats=_formats(module),
                                 text_mode=module.TextMode.Plain)
    codes: dict[str, DecodedCode] = {}
    for barcode in found:
        if barcode.valid and barcode.text and barcode.text not in codes:
            position = barcode.position
            corners = tuple((int(p.x), int(p.y)) for p in (
                position.top_left, position.top_right, position.bottom_right,
                position.bottom_left))
            codes[barcode.text] = DecodedCode(barcode.text, str(barcode.format), corners)
    return list(codes.values())


def _formats(module: Any) -> Any:
    try:
        return module.barcode_formats_from_str(BADGE_FORMATS)
    except ValueError:  # zxing-cpp before 3.0 names Code 39 as one format
        return module.barcode_formats_from_str(_OLDER_BADGE_FORMATS)
