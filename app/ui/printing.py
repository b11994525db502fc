"""Print a PDF file on a QPrinter: each page rasterised at the printer's resolution and
painted onto it, fitted to the printable area. Used for the reports (File → Reports… → Print).

Pages are drawn with Qt PDF (QPdfDocument) where the Qt installation has it, otherwise with
poppler's ``pdftoppm``. One page image is held at a time, so long reports stay small.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtPrintSupport import QPrinter

MAX_DPI = 300  # enough for text on paper; 1200 dpi pages would take ~140 MB each


class PrintError(Exception):
    """The PDF could not be drawn for printing (no renderer, unreadable file)."""


def can_print() -> bool:
    return _qtpdf() is not None or shutil.which("pdftoppm") is not None


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
    elif shutil.which("pdftoppm"):
        yield from _poppler_pages(path, dpi, first, last)
    else:
        raise PrintError("Printing needs Qt PDF or poppler (pdftoppm). Save the PDF and print "
                         "it from your PDF viewer instead.")


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


def _poppler_pages(path: Path, dpi: int, first: int, last: int | None
                   ) -> Iterator[tuple[int, int, QImage]]:
    count = _page_count(path)
    end = min(last or count, count) if count else (last or 0)
    with tempfile.TemporaryDirectory(prefix="leadline-print-") as folder:
        number = first
        while not end or number <= end:
            prefix = Path(folder) / f"page{number}"
            done = subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(number), "-l",
                                   str(number), "-singlefile", "-png", str(path), str(prefix)],
                                  capture_output=True, check=False)
            picture = prefix.with_suffix(".png")
            if done.returncode != 0 or not picture.is_file():
                if number == first:
                    raise PrintError(f"{path.name} could not be read as a PDF: "
                                     f"{done.stderr.decode(errors='replace').strip()}")
                return
            image = QImage(str(picture))
            picture.unlink()
            yield number, end or number, image
            number += 1


def _page_count(path: Path) -> int:
    """Pages in the PDF (0 when unknown: then pages are read until one is missing)."""
    try:
        from pypdf import PdfReader
    except ImportError:
        return 0
    try:
        return len(PdfReader(str(path)).pages)
    except Exception:
        return 0
