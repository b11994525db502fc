"""Business cards read offline: image → OCR lines (RapidOCR, models inside its wheel) → fields.

RapidOCR 3.x on onnxruntime is the optional ``ocr`` extra; its engine is loaded once, on the
first card, and shared (one card at a time: the engine already uses every core).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.domain.business_card import extract_card_fields
from app.domain.card_fields import CardFields, OcrLine
from app.services.image_decoding import CaptureUnavailableError, open_image


@dataclass(frozen=True)
class CardReading:
    """What one card said: the OCR lines, the field guesses, and how long reading took."""

    lines: tuple[OcrLine, ...]
    fields: CardFields
    seconds: float


class CardReader:
    def __init__(self) -> None:
        self._engine: Any = None
        self._lock = threading.Lock()

    def read_lines(self, image: Any) -> list[OcrLine]:
        """The text lines on a card image (a PIL image, or a file's path or bytes)."""
        rapidocr_engine()  # CaptureUnavailableError before any work; numpy comes with it
        import numpy as np

        picture = open_image(Path(image) if isinstance(image, str) else image) \
            if isinstance(image, (bytes, Path, str)) else image
        # RapidOCR works on OpenCV's channel order.
        pixels = np.ascontiguousarray(np.asarray(picture.convert("RGB"))[:, :, ::-1])
        with self._lock:
            result = self._load()(pixels)
        lines: list[OcrLine] = []
        # An empty card comes back as an output whose boxes, txts and scores are all None.
        for corners, text, score in zip(result.boxes if result.boxes is not None else (),
                                        result.txts or (), result.scores or (), strict=True):
            xs = [float(x) for x, _y in corners]
            ys = [float(y) for _x, y in corners]
            lines.append(OcrLine(str(text), (min(xs), min(ys), max(xs), max(ys)), float(score)))
        return lines

    def read_card(self, image: Any, region: str = "") -> CardReading:
        """OCR a card and guess its fields; ``region`` is the event's country (national phones)."""
        started = time.perf_counter()
        lines = self.read_lines(image)
        fields = extract_card_fields(lines, region)
        return CardReading(tuple(lines), fields, time.perf_counter() - started)

    def _load(self) -> Any:
        if self._engine is None:
            self._engine = rapidocr_engine()(params=offline_settings())
        return self._engine


def rapidocr_engine() -> Any:
    """RapidOCR's engine class, or CaptureUnavailableError naming the extra that brings it."""
    try:
        import numpy  # noqa: F401 - onnxruntime's own dependency; a frozen app may lack it
        import onnxruntime  # noqa: F401 - rapidocr imports its engine only when a model loads
        from rapidocr import RapidOCR
    except ImportError:
        raise CaptureUnavailableError("Business-card reading", "ocr", "rapidocr and onnxruntime") \
            from None
    return RapidOCR


def offline_settings() -> dict[str, Any]:
    """RapidOCR settings that load only the three models its wheel ships, never a download.

    Without a model_path RapidOCR looks each model up by version and fetches any file it lacks,
    so a newer default (or a missing file) would go to the network at a trade show; with one,
    a missing file is an error. The text-line direction model (cls: upright or upside down) is
    the PP-OCRv4 one in the wheel; the recogniser's alphabet is inside its .onnx file.
    """
    import rapidocr
    from rapidocr import EngineType, ModelType, OCRVersion

    models = Path(rapidocr.__file__).resolve().parent / "models"
    wheel_models = {
        "Det": (OCRVersion.PPOCRV6, ModelType.SMALL, "PP-OCRv6_det_small.onnx"),
        "Cls": (OCRVersion.PPOCRV4, ModelType.MOBILE, "ch_ppocr_mobile_v2.0_cls_mobile.onnx"),
        "Rec": (OCRVersion.PPOCRV6, ModelType.SMALL, "PP-OCRv6_rec_small.onnx"),
    }
    # Quiet like 1.x was: its INFO and WARNING lines (e.g. "detection result is empty") go to stderr.
    settings: dict[str, Any] = {"Global.log_level": "error"}
    for task, (version, size, file_name) in wheel_models.items():
        settings |= {f"{task}.engine_type": EngineType.ONNXRUNTIME,
                     f"{task}.ocr_version": version, f"{task}.model_type": size,
                     f"{task}.model_path": str(models / file_name)}
    return settings
