"""What every printed report shares: page size by locale, title block, "page X of Y" footer,
table styles, charts, and a story that is built lazily so long lists never sit in memory.

A report module turns its data into flowables (a generator is fine); ``render`` lays them out.
Tables that can run to thousands of rows are written as chunks of rows under a column header
that the page template draws on every page of the list (``ListColumns``), so no table of
100,000 rows is ever held; shorter tables are ``LongTable``s with ``repeatRows=1``.
"""

from __future__ import annotations

import datetime as dt
import locale
import os
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfdoc import PDFArray, PDFName, PDFStream
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    LongTable,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from app.domain.progress import CancelledError
from app.reports.fonts import BOLD, REGULAR, has_cjk, markup, register_fonts

PageSize = tuple[float, float]
# Countries that print on US Letter; everyone else uses A4.
_LETTER_COUNTRIES = frozenset({"US", "CA", "MX", "PH", "CL", "CO", "VE", "PR", "GT", "CR", "PA",
                               "SV", "NI", "DO", "BZ"})
MARGIN = 15 * mm
INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#616e7c")
RULE = colors.HexColor("#cbd2d9")
BAND = colors.HexColor("#e4e7eb")
ZEBRA = colors.HexColor("#f5f7fa")
ACCENT = colors.HexColor("#2f6fba")
ACCENT_LIGHT = colors.HexColor("#9fc1e6")
WARN = colors.HexColor("#c0392b")


class ReportCancelledError(CancelledError):
    """The user cancelled a running report; nothing was written."""


def page_size_for(override: str | PageSize | None = None, *, locale_name: str | None = None
                  ) -> PageSize:
    """A4, or Letter where the locale's country prints on Letter; ``override`` wins."""
    if isinstance(override, tuple):
        return override
    if isinstance(override, str) and override.strip():
        name = override.strip().lower()
        if name == "a4":
            return A4
        if name in ("letter", "us-letter", "us letter"):
            return LETTER
        raise ValueError(f"'{override}' is not a page size: use A4 or Letter")
    name = locale_name if locale_name is not None else _current_locale()
    country = name.split(".")[0].split("@")[0].replace("-", "_").split("_")[-1].upper() \
        if "_" in name or "-" in name else ""
    return LETTER if country in _LETTER_COUNTRIES else A4


def _current_locale() -> str:
    for variable in ("LC_ALL", "LC_PAPER", "LANG"):
        value = os.environ.get(variable, "")
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            return value
    try:
        return locale.getlocale()[0] or ""
    except ValueError:
        return ""


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    subtitle: ParagraphStyle
    h2: ParagraphStyle
    body: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    cell_right: ParagraphStyle
    note: ParagraphStyle


def styles() -> Styles:
    register_fonts()
    body = ParagraphStyle("body", fontName=REGULAR, fontSize=9.5, leading=12.5, textColor=INK)
    cell = ParagraphStyle("cell", fontName=REGULAR, fontSize=7.5, leading=9, textColor=INK)
    return Styles(
        title=ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=17, leading=21,
                             spaceAfter=2),
        subtitle=ParagraphStyle("subtitle", parent=body, fontSize=9, leading=12,
                                textColor=MUTED),
        h2=ParagraphStyle("h2", parent=body, fontName=BOLD, fontSize=12, leading=15,
                          spaceBefore=8, spaceAfter=4, keepWithNext=1),
        body=body,
        cell=cell,
        cell_bold=ParagraphStyle("cell_bold", parent=cell, fontName=BOLD),
        cell_right=ParagraphStyle("cell_right", parent=cell, alignment=TA_RIGHT),
        note=ParagraphStyle("note", parent=body, fontSize=8, leading=10, textColor=MUTED),
    )


# -- the title block ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Filters:
    """The filters in words, as the title block states them."""

    event: str = ""
    owner: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def words(self) -> str:
        event = f"Event: {self.event}" if self.event else "All events and sources"
        owner = f"Owner: {self.owner}" if self.owner else "all owners"
        if self.date_from and self.date_to:
            dates = f"leads created {self.date_from.isoformat()} to {self.date_to.isoformat()}"
        elif self.date_from:
            dates = f"leads created from {self.date_from.isoformat()}"
        elif self.date_to:
            dates = f"leads created up to {self.date_to.isoformat()}"
        else:
            dates = "all dates"
        return f"{event} · {owner} · {dates}"


def title_block(name: str, filters: Filters, generated_at: dt.datetime, st: Styles
                ) -> list[Flowable]:
    local = generated_at.astimezone()
    stamp = f"{local:%Y-%m-%d %H:%M} {local.tzname() or ''}".strip()
    return [Paragraph(markup(name), st.title),
            Paragraph(markup(filters.words()), st.subtitle),
            Paragraph(f"Generated {markup(stamp)} by Leadline", st.subtitle),
            Spacer(1, 4 * mm)]


def nothing_to_show(st: Styles, what: str = "leads") -> Paragraph:
    return Paragraph(f"There are no {what} for these filters, so there is nothing to report. "
                     "Widen the date range, or choose another event or owner.", st.body)


def story_header(name: str, filters: Filters, generated_at: dt.datetime, st: Styles, *,
                 empty: bool, what: str = "leads") -> list[Flowable]:
    """A report's title block, followed by the "nothing to report" note when it is ``empty``."""
    head = title_block(name, filters, generated_at, st)
    return [*head, nothing_to_show(st, what)] if empty else head


# -- tables -------------------------------------------------------------------------------------
def table_style(*, numeric_from: int | None = None, header: bool = True,
                total_row: bool = False) -> TableStyle:
    commands: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), REGULAR, 7.5, 9),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 1.6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1.6),
        ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE),
    ]
    if header:
        commands += [("FONT", (0, 0), (-1, 0), BOLD, 7.5, 9),
                     ("BACKGROUND", (0, 0), (-1, 0), BAND),
                     ("LINEBELOW", (0, 0), (-1, 0), 0.6, INK),
                     ("VALIGN", (0, 0), (-1, 0), "BOTTOM")]
    if numeric_from is not None:
        commands.append(("ALIGN", (numeric_from, 0), (-1, -1), "RIGHT"))
    if total_row:
        commands += [("FONT", (0, -1), (-1, -1), BOLD, 7.5, 9),
                     ("LINEABOVE", (0, -1), (-1, -1), 0.6, INK)]
    return TableStyle(commands)


def cell(text: str, width: float, st: Styles, *, bold: bool = False) -> str | Paragraph:
    """Plain (possibly multi-line) text when it wraps at spaces within ``width`` in the DejaVu
    font: a Table draws that far faster than a Paragraph. CJK text, and words too long for the
    column, go through a Paragraph (per-run CJK font, wrapping inside the word)."""
    if not text:
        return ""
    font = BOLD if bold else REGULAR
    room = width - 5.5
    if not has_cjk(text):
        if "\n" not in text and stringWidth(text, font, 7.5) <= room:
            return text
        lines = simpleSplit(text, font, 7.5, room)
        if all(stringWidth(line, font, 7.5) <= room for line in lines):
            return "\n".join(lines)
    return Paragraph(markup(text).replace("\n", "<br/>"), st.cell_bold if bold else st.cell)


def header_cells(labels: Sequence[str], widths: Sequence[float], st: Styles,
                 numeric_from: int | None = None) -> list[str | Paragraph]:
    out: list[str | Paragraph] = []
    for index, (label, width) in enumerate(zip(labels, widths, strict=True)):
        if stringWidth(label, BOLD, 7.5) <= width - 5.5:
            out.append(label)
        else:
            style = st.cell_bold
            if numeric_from is not None and index >= numeric_from:
                style = ParagraphStyle("hr", parent=st.cell_bold, alignment=TA_RIGHT)
            out.append(Paragraph(markup(label), style))
    return out


def data_table(labels: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float],
               st: Styles, *, numeric_from: int | None = 1, total_row: bool = False
               ) -> LongTable:
    """A table of modest size with its header repeated on every page it runs onto."""
    data: list[list[Any]] = [header_cells(labels, widths, st, numeric_from)]
    for row in rows:
        data.append([cell(v, w, st, bold=total_row and r == len(rows) - 1)
                     if isinstance(v, str) else v
                     for r, (v, w) in ((len(data) - 1, vw) for vw in zip(row, widths,
                                                                              strict=True))])
    table = LongTable(data, colWidths=list(widths), repeatRows=1)
    table.setStyle(table_style(numeric_from=numeric_from, total_row=total_row))
    return table


@dataclass(frozen=True)
class ListColumns:
    """A long list's columns: the page template draws this header on each page of the list."""

    labels: tuple[str, ...]
    widths: tuple[float, ...]

    def header_height(self) -> float:
        return 12.0


def list_chunk(rows: Sequence[Sequence[str]], columns: ListColumns, st: Styles,
               *, zebra_start: int = 0) -> Table:
    """One chunk of a long list (no header row of its own: the page template draws it)."""
    data = [[cell(v, w, st) for v, w in zip(row, columns.widths, strict=True)] for row in rows]
    table = Table(data, colWidths=list(columns.widths), splitByRow=1)
    commands = table_style(header=False).getCommands()
    style = TableStyle(commands)
    for index in range(len(rows)):
        if (index + zebra_start) % 2:
            style.add("BACKGROUND", (0, index), (-1, index), ZEBRA)
    table.setStyle(style)
    return table


# -- charts --------------------------------------------------------------------------------------
def bar_chart(items: Sequence[tuple[str, float]], width: float, *, value_format: str = "{:,.0f}",
              bar_color: Any = ACCENT, height_per_bar: float = 13.0) -> Drawing:
    """Horizontal bars with the value printed at the end of each: one bar per label."""
    register_fonts()
    label_width = min(max((stringWidth(label, REGULAR, 7.5) for label, _ in items),
                          default=20) + 6, width * 0.35)
    height = height_per_bar * len(items) + 14
    drawing = Drawing(width, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = label_width, 4
    chart.width, chart.height = width - label_width - 45, height - 10
    ordered = list(reversed(items))  # first item at the top
    chart.data = [[max(value, 0) for _, value in ordered]]
    chart.categoryAxis.categoryNames = [label for label, _ in ordered]
    chart.categoryAxis.labels.fontName = REGULAR
    chart.categoryAxis.labels.fontSize = 7.5
    chart.categoryAxis.labels.boxAnchor = "e"
    chart.categoryAxis.labels.dx = -3
    chart.categoryAxis.visibleTicks = 0
    chart.categoryAxis.strokeColor = RULE
    chart.valueAxis.visible = 0
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax = max([v for _, v in items] + [1]) * 1.02
    chart.bars[0].fillColor = bar_color
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = lambda v: value_format.format(v)
    chart.barLabels.fontName = REGULAR
    chart.barLabels.fontSize = 7
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    chart.barSpacing = 1
    drawing.add(chart)
    return drawing


def funnel_chart(stages: Sequence[tuple[str, int]], width: float) -> Drawing:
    """Centred bars narrowing stage by stage, each with its count and share of the first."""
    register_fonts()
    bar_h, gap = 16.0, 3.0
    drawing = Drawing(width, len(stages) * (bar_h + gap))
    top = max([count for _, count in stages] + [1])
    label_w = 70.0
    usable = width - label_w - 90
    for index, (label, count) in enumerate(stages):
        y = drawing.height - (index + 1) * (bar_h + gap) + gap
        w = max(usable * count / top, 1.5)
        x = label_w + (usable - w) / 2
        drawing.add(Rect(x, y, w, bar_h, fillColor=ACCENT if index % 2 == 0 else ACCENT_LIGHT,
                         strokeColor=None))
        drawing.add(String(label_w - 4, y + 5, label, fontName=REGULAR, fontSize=8,
                           textAnchor="end", fillColor=INK))
        share = f"{count:,}  ({100 * count / top:.0f}%)" if stages[0][1] else f"{count:,}"
        drawing.add(String(label_w + usable + 6, y + 5, share, fontName=REGULAR, fontSize=8,
                           fillColor=INK))
    return drawing


def section(title: str, st: Styles, *content: Flowable) -> KeepTogether:
    return KeepTogether([Paragraph(markup(title), st.h2), *content])


# -- the document -------------------------------------------------------------------------------
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


class _CompactCanvas(Canvas):
    """Compresses each finished page at once instead of when the file is saved.

    reportlab keeps every page's drawing operators as text until save(); a 100,000-lead list
    (3,000 pages) then holds about 100 MB. Deflating a page as soon as it is done keeps a
    tenth of that, so memory grows only with what the PDF file itself will hold.
    """

    def showPage(self) -> None:  # noqa: N802 - reportlab's name
        super().showPage()
        pages = self._doc.Pages.pages
        page = pages[-1] if pages else None
        stream = getattr(page, "stream", None)
        if page is None or not stream or page.Contents:
            return
        data = stream.encode("utf8") if isinstance(stream, str) else stream
        contents = PDFStream(content=zlib.compress(data))
        contents.dictionary["Filter"] = PDFArray([PDFName("FlateDecode")])
        page.Contents, page.stream = contents, None


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
    doc.build(_LazyStory(story), canvasmaker=_CompactCanvas)  # type: ignore[arg-type]
    return RenderResult(pages=doc.page)


def frame_width(page: PageSize) -> float:
    return page[0] - 2 * MARGIN


# -- numbers in words people read ---------------------------------------------------------------
def fmt_int(value: int) -> str:
    return f"{value:,}"


def fmt_money(minor: int | None, currency: str = "") -> str:
    if minor is None:
        return "–"
    return f"{minor / 100:,.2f} {currency}".strip()


def fmt_pct(part: float, whole: float) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "–"


def fmt_day(when: dt.datetime | None) -> str:
    return when.astimezone().strftime("%Y-%m-%d") if when is not None else ""


def scaled(widths_mm: Sequence[float], page: PageSize) -> tuple[float, ...]:
    """Column widths given in mm for A4, stretched to fill this page's frame."""
    total = sum(widths_mm) * mm
    factor = frame_width(page) / total
    return tuple(w * mm * factor for w in widths_mm)
