"""The report document writer: pages parked on disk and written straight to the file still make a
well-formed PDF (every cross-reference points at its object, page totals and rows all there)."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pypdf
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.platypus import Flowable, Paragraph

from app.reports.document import Progress, ReportCancelledError, render, start_list
from app.reports.fonts import REGULAR, register_fonts
from app.reports.page_stream import StreamingCanvas
from app.reports.style import styles
from app.reports.tables import ListColumns, list_chunk

COLUMNS = ListColumns(("Row", "Text"), (120.0, 300.0))
ROWS = 1_500


def _story(progress: Progress | None = None) -> Iterator[Flowable]:
    st = styles()
    yield Paragraph("Long list", st.title)
    yield from start_list()
    for start in range(0, ROWS, 50):
        if progress is not None:
            progress.advance(50)
        yield list_chunk([[f"row {n}", f"text of row {n}"] for n in range(start, start + 50)],
                         COLUMNS, st, zebra_start=start)


def _offsets_point_at_objects(data: bytes) -> bool:
    start = int(data[data.rindex(b"startxref") + len(b"startxref"):].split()[0])
    lines = data[start:].split(b"\n")
    assert lines[0].strip() == b"xref"
    first, count = map(int, lines[1].split())
    for index in range(count):
        offset, _generation, kind = lines[2 + index].split()[:3]
        if kind == b"n" and not data[int(offset):].startswith(b"%d 0 obj" % (first + index)):
            return False
    return True


def test_a_long_list_writes_a_well_formed_pdf() -> None:
    out = io.BytesIO()
    pages = render(out, _story(), title="Long list", page=A4, columns=COLUMNS).pages
    data = out.getvalue()

    assert pages > 20
    assert _offsets_point_at_objects(data)
    reader = pypdf.PdfReader(io.BytesIO(data), strict=True)
    assert len(reader.pages) == pages
    # the total is a form drawn into every footer: extracted as a line of its own
    first, last = (" ".join(reader.pages[i].extract_text().split()) for i in (1, -1))
    assert f"Page 2 of {pages}" in first and "Row" in first
    assert f"Page {pages} of {pages}" in last and f"row {ROWS - 1}" in last


def test_a_cancelled_render_raises_and_writes_nothing() -> None:
    out = io.BytesIO()
    calls = iter(range(10_000))
    progress = Progress(cancelled=lambda: next(calls) >= 5)
    with pytest.raises(ReportCancelledError):
        render(out, _story(progress), title="Long list", page=A4, columns=COLUMNS)
    assert out.getvalue() == b""


def test_pages_are_written_as_they_finish_and_a_later_form_still_reaches_them() -> None:
    register_fonts()
    out = io.BytesIO()
    canvas = StreamingCanvas(out, pagesize=A4)
    for number in range(1, 201):
        canvas.setFont(REGULAR, 10)
        canvas.drawString(72, 72, f"page {number} of")
        canvas.doForm("total")  # defined only once every page is done
        canvas.showPage()
        # what the document still holds does not grow with the pages written
        assert len(canvas.document.idToObject) < 10
    canvas.beginForm("total")
    canvas.setFont(REGULAR, 10)
    canvas.drawString(140, 72, "200")
    canvas.endForm()
    canvas.save()

    data = out.getvalue()
    assert _offsets_point_at_objects(data)
    reader = pypdf.PdfReader(io.BytesIO(data), strict=True)
    assert len(reader.pages) == 200
    assert "page 137 of" in reader.pages[136].extract_text()
    assert "200" in reader.pages[136].extract_text()
