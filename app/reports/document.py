"""The document: page templates with the "page X of Y" footer, and a story built lazily.

A report module turns its data into flowables (a generator is fine); ``render`` lays them out.
Tables that can run to thousands of rows are written as chunks of rows under a column header
that the page template draws on every page of the list (``ListColumns``), so no table of
100,000 rows is ever held; shorter tables are ``LongTable``s with ``repeatRows=1``."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
)

from app.domain.progress import CancelledError
from app.reports.fonts import BOLD, REGULAR, register_fonts
from app.reports.page import MARGIN, PageSize
from app.reports.page_stream import StreamingCanvas
from app.reports.style import BAND, INK, MUTED, RULE
from app.reports.tables import ListColumns


class ReportCancelledError(CancelledError):
    """The user cancelled a running report; nothing was written."""


class _LazyStory:
    """The part of ``list`` reportlab's build loop uses, fed from a generator on demand.

    reportlab pops flowables off the front and pushes split remainders back; only a few are
    ever held, so a story of 100,000 rows costs the memory of one chunk.
    """

    def __init__(self, source: Iterable[Flowable]) -> None:
        self._source: Iterator[Flowable] | None = iter(source)
        self._buffer: list[Flowable] = []

    def _fill(self, count: int = 2) -> None:
        while self._source is not None and len(self._buffer) < count:
            item = next(self._source, None)
            if item is None:
                self._source = None
            else:
                self._buffer.append(item)

    def __len__(self) -> int:
        self._fill()
        return len(self._buffer)

    def __getitem__(self, index: Any) -> Any:
        self._fill((index.stop or 2) if isinstance(index, slice) else index + 2)
        return self._buffer[index]

    def __delitem__(self, index: Any) -> None:
        del self._buffer[index]

    def __setitem__(self, index: Any, value: Any) -> None:
        self._buffer[index] = value

    def insert(self, index: int, value: Flowable) -> None:
        self._buffer.insert(index, value)


class _ReportDoc(BaseDocTemplate):
    def __init__(self, handle: IO[bytes], page: PageSize, title: str, footer_left: str,
                 columns: ListColumns | None) -> None:
        super().__init__(handle, pagesize=page, leftMargin=MARGIN, rightMargin=MARGIN,
                         topMargin=MARGIN, bottomMargin=MARGIN + 4 * mm, title=title,
                         author="Leadline", creator="Leadline", pageCompression=1)
        self.footer_left = footer_left
        self.columns = columns
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body",
                      leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
        templates = [PageTemplate("normal", [frame], onPage=self._footer)]
        if columns is not None:
            band = columns.header_height()
            list_frame = Frame(self.leftMargin, self.bottomMargin, self.width,
                               self.height - band, id="list", leftPadding=0, rightPadding=0,
                               topPadding=0, bottomPadding=0)
            templates.append(PageTemplate("list", [list_frame], onPage=self._list_page))
        self.addPageTemplates(templates)

    def _footer(self, canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(REGULAR, 7.5)
        canvas.setFillColor(MUTED)
        y = MARGIN - 2 * mm
        canvas.drawString(self.leftMargin, y, self.footer_left)
        right = self.leftMargin + self.width
        label = f"Page {doc.page} of "
        reserve = stringWidth("99999", REGULAR, 7.5)
        canvas.drawRightString(right - reserve, y, label)
        canvas.doForm("pageTotal")
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.4)
        canvas.line(self.leftMargin, y + 9, right, y + 9)
        canvas.restoreState()

    def _list_page(self, canvas: Any, doc: Any) -> None:
        self._footer(canvas, doc)
        assert self.columns is not None
        canvas.saveState()
        band = self.columns.header_height()
        top = self.bottomMargin + self.height
        canvas.setFillColor(BAND)
        canvas.rect(self.leftMargin, top - band, self.width, band, stroke=0, fill=1)
        canvas.setStrokeColor(INK)
        canvas.setLineWidth(0.6)
        canvas.line(self.leftMargin, top - band, self.leftMargin + self.width, top - band)
        canvas.setFillColor(INK)
        canvas.setFont(BOLD, 7.5)
        x = self.leftMargin
        for label, width in zip(self.columns.labels, self.columns.widths, strict=True):
            canvas.drawString(x + 2.5, top - band + 3.5, label)
            x += width
        canvas.restoreState()

    def write_total(self) -> None:
        """Draw the total page count into the form every footer refers to."""
        canvas = self.canv
        canvas.beginForm("pageTotal")
        canvas.setFont(REGULAR, 7.5)
        canvas.setFillColor(MUTED)
        right = self.leftMargin + self.width
        reserve = stringWidth("99999", REGULAR, 7.5)
        canvas.drawString(right - reserve, MARGIN - 2 * mm, str(self.page))
        canvas.endForm()

    def _endBuild(self) -> None:  # noqa: N802 - reportlab's hook name
        # reportlab ends the last page here; the page count is final only then, so saving
        # waits until the total has been drawn into the form every footer refers to.
        self._doSave = 0
        super()._endBuild()
        self.write_total()
        self.canv.save()


def start_list() -> list[Flowable]:
    """Flowables that put what follows on list pages (column header drawn by the template)."""
    return [NextPageTemplate("list"), PageBreak()]


@dataclass
class RenderResult:
    pages: int


@dataclass
class Progress:
    """Reports progress and honours cancellation while a story is consumed."""

    callback: Callable[[int, int], None] | None = None
    cancelled: Callable[[], bool] | None = None
    total: int = 0
    done: int = field(default=0)

    def advance(self, count: int) -> None:
        if self.cancelled is not None and self.cancelled():
            raise ReportCancelledError("The report was cancelled; no file was written.")
        self.done += count
        if self.callback is not None:
            self.callback(self.done, self.total)


def render(handle: IO[bytes], story: Iterable[Flowable], *, title: str, page: PageSize,
           footer_left: str = "", columns: ListColumns | None = None) -> RenderResult:
    """Lay ``story`` out into ``handle``; flowables are pulled one at a time."""
    register_fonts()
    doc = _ReportDoc(handle, page, title, footer_left or title, columns)
    try:
        doc.build(_LazyStory(story), canvasmaker=StreamingCanvas)  # type: ignore[arg-type]
    finally:
        canvas = getattr(doc, "canv", None)
        if isinstance(canvas, StreamingCanvas):  # a cancelled build never saves
            canvas.document.close()
    return RenderResult(pages=doc.page)
