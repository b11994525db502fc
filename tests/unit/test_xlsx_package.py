"""Our own XLSX package: well-formed parts, exact text cells, styles on the right cells."""

from __future__ import annotations

import io
import math
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl
import pytest
from openpyxl.utils.escape import unescape

from app.exporters.csv_layouts import native_layout
from app.exporters.xlsx_package import column_letters, excel_width
from app.exporters.xlsx_writer import MAX_CELL_TEXT, write_xlsx

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
CONTENT_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
COLUMNS = ("id", "first_name", "phone", "notes", "score", "deal_value", "consent")
# Text as typed: each must come back exactly (after the Excel unescape of _xHHHH_).
HOSTILE = ["=1+1", "+49 30 1234567", "00123", "-2+3", "@SUM(A1)", "]]>", "&amp;", "<b>x</b>",
           'say "hi" & \'bye\'', "  padded  ", "😀 emoji 👩‍👩‍👧", "שלום עולם مرحبا", "_x0041_",
           "line one\nline two\ttab", "\uff1dcmd", "ﾃｽﾄ", "1e5", "TRUE", "A1:B2"]


def _write(path: Path, leads: list[dict[str, Any]], columns: tuple[str, ...] = COLUMNS) -> int:
    with path.open("wb") as handle:
        return write_xlsx(handle, native_layout(columns), leads)


def _styles(path: Path) -> list[dict[str, str]]:
    with zipfile.ZipFile(path) as package:
        root = ElementTree.fromstring(package.read("xl/styles.xml"))
    return [xf.attrib for xf in root.findall(f"{MAIN}cellXfs/{MAIN}xf")]


def test_every_part_is_well_formed_and_listed(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    _write(path, [{"first_name": text, "score": 1} for text in HOSTILE])
    with zipfile.ZipFile(path) as package:
        assert package.testzip() is None
        names = set(package.namelist())
        trees = {name: ElementTree.fromstring(package.read(name)) for name in names}
    assert names == {"[Content_Types].xml", "_rels/.rels", "docProps/app.xml",
                     "docProps/core.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                     "xl/styles.xml", "xl/worksheets/sheet1.xml"}
    overrides = {o.get("PartName") for o in trees["[Content_Types].xml"].iter(
        f"{CONTENT_TYPES}Override")}
    assert overrides == {f"/{name}" for name in names if name.endswith(".xml")
                         and name != "[Content_Types].xml"}
    sheet = trees["xl/worksheets/sheet1.xml"]
    assert sheet.find(f"{MAIN}sheetViews/{MAIN}sheetView/{MAIN}pane").get("state") == "frozen"
    assert len(sheet.findall(f"{MAIN}sheetData/{MAIN}row")) == len(HOSTILE) + 1
    assert sheet.find(f"{MAIN}dimension").get("ref") == f"A1:G{len(HOSTILE) + 1}"
    assert not list(sheet.iter(f"{MAIN}f")), "no cell is a formula"


def test_hostile_text_comes_back_as_typed_in_text_cells(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    leads = [{"first_name": text, "notes": text, "id": text, "phone": text} for text in HOSTILE]
    _write(path, leads)
    rows = list(openpyxl.load_workbook(path).active.iter_rows())[1:]
    assert len(rows) == len(HOSTILE)
    for row, text in zip(rows, HOSTILE, strict=True):
        for cell in row[:4]:
            assert unescape(cell.value) == text, cell.coordinate
            assert cell.data_type == "s"


def test_what_xml_cannot_hold_is_dropped_and_long_text_cut(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    long_note = "x" * 40_000
    _write(path, [{"first_name": "bell\x07 \x00nul\x1f", "notes": long_note},
                  {"first_name": "lone \ud800 surrogate \ufffe\uffff", "notes": "a\r\nb\rc"}])
    rows = list(openpyxl.load_workbook(path).active.values)[1:]
    assert rows[0][1] == "bell nul" and rows[0][3] == "x" * MAX_CELL_TEXT
    assert rows[1][1] == "lone  surrogate " and rows[1][3] == "a\nb\nc"


def test_numbers_flags_and_empty_cells_keep_their_kind(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    _write(path, [{"id": "0190", "score": 42, "deal_value": 1234.5, "consent": True,
                   "first_name": "", "notes": None},
                  {"score": -7, "deal_value": 0.1 + 0.2, "consent": False, "phone": "+1 555"},
                  {"deal_value": math.nan}])
    rows = list(openpyxl.load_workbook(path).active.iter_rows())[1:]
    first, second, third = ([c.value for c in row] for row in rows)
    assert first == ["0190", None, None, None, 42, 1234.5, True]
    assert second == [None, None, "+1 555", None, -7, 0.1 + 0.2, False], "floats exactly"
    assert [c.data_type for c in rows[0]][4:] == ["n", "n", "b"]
    assert third[5] == "nan", "a number a sheet cannot hold is written as its text"


def test_quote_prefix_and_text_format_on_the_right_cells(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    _write(path, [{"id": "0190", "first_name": "Anna", "phone": "+49 30 1", "notes": "=1+1"},
                  {"id": "=id", "first_name": "-x", "phone": "030 1", "notes": "ok"}])
    styles = _styles(path)
    sheet = openpyxl.load_workbook(path).active
    header, first, second = list(sheet.iter_rows())[:3]
    assert all(cell.font.b for cell in header) and sheet.freeze_panes == "A2"

    def style(cell: Any) -> tuple[str, bool]:
        attributes = styles[cell.style_id]
        return attributes["numFmtId"], attributes.get("quotePrefix") == "1"

    assert [style(c) for c in first[:4]] == [("49", False), ("0", False), ("49", True),
                                             ("0", True)]
    assert [style(c) for c in second[:4]] == [("49", True), ("0", True), ("49", True),
                                              ("0", False)]
    assert [c.quotePrefix for c in first[:4]] == [False, False, True, True]
    assert first[0].number_format == "@" and first[1].number_format == "General"


def test_one_row_and_no_rows_open(tmp_path: Path) -> None:
    one, empty = tmp_path / "one.xlsx", tmp_path / "empty.xlsx"
    assert _write(one, [{"first_name": "Anna"}]) == 1
    assert _write(empty, []) == 0
    assert list(openpyxl.load_workbook(one).active.values) == [
        COLUMNS, (None, "Anna", None, None, None, None, None)]
    assert list(openpyxl.load_workbook(empty).active.values) == [COLUMNS]


def test_the_workbook_goes_to_the_handle_given() -> None:
    handle = io.BytesIO()
    write_xlsx(handle, native_layout(("first_name",)), [{"first_name": "Anna"}])
    workbook = openpyxl.load_workbook(io.BytesIO(handle.getvalue()))
    assert workbook.sheetnames == ["Leads"]
    assert list(workbook.active.values) == [("first_name",), ("Anna",)]


def test_widths_and_column_names() -> None:
    assert column_letters(28)[:3] == ["A", "B", "C"]
    assert column_letters(28)[25:] == ["Z", "AA", "AB"]
    assert column_letters(703)[-1] == "AAA"
    assert excel_width(8) == 8.7109375 and excel_width(10) == 10.7109375, "as XlsxWriter writes"


def test_a_failed_read_reaches_the_caller(tmp_path: Path) -> None:
    class ReadFailedError(Exception):
        pass

    def leads() -> Iterator[dict[str, Any]]:
        yield {"first_name": "Anna"}
        raise ReadFailedError

    with (tmp_path / "leads.xlsx").open("wb") as handle, pytest.raises(ReadFailedError):
        write_xlsx(handle, native_layout(("first_name",)), leads())
    assert [p.name for p in tmp_path.iterdir()] == ["leads.xlsx"]
    assert (tmp_path / "leads.xlsx").stat().st_size == 0, "nothing written but a whole workbook"
