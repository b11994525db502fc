"""Report tables: short ones as ``LongTable``s with a repeated header, long lists as chunks of
rows under a column header the page template draws on every page (``ListColumns``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    LongTable,
    Paragraph,
    Table,
    TableStyle,
)

from app.reports.fonts import BOLD, REGULAR, has_cjk, markup
from app.reports.style import BAND, INK, RULE, ZEBRA, Styles


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
