"""Print a PDF file on a QPrinter: each page rasterised at the printer's resolution and
painted onto it, fitted to the printable area. Used for the reports (File → Reports… → Print).

Pages are drawn with Qt PDF (QPdfDocument) where the Qt installation has it, otherwise with
PDFium through pypdfium2. One page image is held at a time, so long reports stay small.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtPrintSupport import QPrinter

MAX_DPI = 300  # enough for text on paper; 1200 dpi pages would take ~140 MB each


class PrintError(Exception):
    """The PDF could not be drawn for printing (no renderer, unreadable file)."""


def print_pdf(path: Path, printer: QPrinter, *,
              progress: Callable[[int, int], None] | None = None) -> int:
    """Paint every page of ``path`` (or the printer's from/to page range) onto ``printer``.

    Returns the number of pages printed. Raises PrintError when the file cannot be drawn.
    """
    dpi = max(72, min(printer.resolution(), MAX_DPI))
    first, last = printer.fromPage(), printer.toPage()  # 1-based; 0 means "all"
    painter = QPainter()
    printed = 0
    try:
        for number, total, image in _pages(Path(path), dpi, first or 1, last or None):
            if printed == 0:
                if not painter.begin(printer):
                    raise PrintError("The printer could not be opened.")
            elif not printer.newPage():
                raise PrintError("The printer refused a new page.")
            area = QRectF(painter.viewport())
            size = QSize(image.width(), image.height()).scaled(
                area.size().toSize(), Qt.AspectRatioMode.KeepAspectRatio)
            target = QRectF(area.x() + (area.width() - size.width()) / 2, area.y(),
                            size.width(), size.height())
            painter.drawImage(target, image)
            printed += 1
            if progress is not None:
                progress(number, total)
    finally:
        if painter.isActive():
            painter.end()
    if printed == 0:
        raise PrintError("The report has no pages to print.")
    return printed


def _qtpdf() -> object | None:
    try:
        from PySide6 import QtPdf
    except ImportError:
        return None
    return QtPdf


def _pages(path: Path, dpi: int, first: int, last: int | None
           ) -> Iterator[tuple[int, int, QImage]]:
    if not path.is_file():
        raise PrintError(f"{path} does not exist.")
    qtpdf = _qtpdf()
    if qtpdf is not None:
        yield from _qtpdf_pages(qtpdf, path, dpi, first, last)
    else:
        yield from _pdfium_pages(path, dpi, first, last)


def _pdfium_pages(path: Path, dpi: int, first: int, last: int | None
                  ) -> Iterator[tuple[int, int, QImage]]:
    """Pages drawn by PDFium (the pypdfium2 wheel bundles it): works where Qt ships without
    its PDF module, as the Linux wheels of PySide6 do."""
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(str(path))
    except pypdfium2.PdfiumError as exc:
        raise PrintError(f"{path.name} could not be read as a PDF: {exc}") from exc
    try:
        count = len(document)
        end = min(last or count, count)
        for index in range(first - 1, end):
            bitmap = document[index].render(scale=dpi / 72)
            # PDFium hands out BGR (3 bytes a pixel) or BGRx/BGRA (4): Qt names them BGR888
            # and RGB32 (on little-endian machines). copy() detaches the image from the bytes.
            fmt = (QImage.Format.Format_BGR888 if bitmap.stride < bitmap.width * 4
                   else QImage.Format.Format_RGB32)
            data = bytes(bitmap.buffer)
            image = QImage(data, bitmap.width, bitmap.height, bitmap.stride, fmt).copy()
            yield index + 1, end, image
    finally:
        document.close()


def _qtpdf_pages(qtpdf: object, path: Path, dpi: int, first: int, last: int | None
                 ) -> Iterator[tuple[int, int, QImage]]:
    document = qtpdf.QPdfDocument()  # type: ignore[attr-defined]
    document.load(str(path))
    count = document.pageCount()
    if count <= 0:
        raise PrintError(f"{path.name} could not be read as a PDF.")
    end = min(last or count, count)
    for index in range(first - 1, end):
        points = document.pagePointSize(index)
        size = QSize(round(points.width() * dpi / 72), round(points.height() * dpi / 72))
        yield index + 1, end, document.render(index, size)
    document.close()
