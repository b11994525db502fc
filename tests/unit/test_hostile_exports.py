"""Issue 17 item 11: full-width formula signs are neutralised; ordinary text where no
spreadsheet evaluates it (the text cells of a workbook) is left as it is."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest

from app.exporters.csv_layouts import native_layout, write_csv
from app.exporters.spreadsheet_safety import neutralise
from app.exporters.xlsx_writer import write_xlsx

FULL_WIDTH_ATTACKS = ["\uff1dcmd|'/C calc'!A0", "\uff0bSUM(1,2)", "\uff0d2+3", "\uff20SUM(A1:A9)",
                      "\ufe66HYPERLINK(\"http://evil.example\")"]
SCORE_REASONS = "+20 title contains Director; -10 free-mail address"


@pytest.mark.parametrize("attack", FULL_WIDTH_ATTACKS)
def test_full_width_formula_signs_get_the_apostrophe_in_csv(attack: str) -> None:
    assert neutralise(attack) == "'" + attack
    handle = io.StringIO()
    write_csv(handle, native_layout(("first_name", "phone")), [{"first_name": attack,
                                                               "phone": attack}])
    row = list(csv.reader(io.StringIO(handle.getvalue())))[1]
    assert row == ["'" + attack, "'" + attack]


def test_a_workbook_keeps_text_as_written_in_text_cells(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    leads = [{"first_name": attack, "score_reasons": SCORE_REASONS}
             for attack in ["=cmd|'/C calc'!A0", *FULL_WIDTH_ATTACKS]]
    with path.open("wb") as handle:
        write_xlsx(handle, native_layout(("first_name", "score_reasons")), leads)
    rows = list(openpyxl.load_workbook(path).active.iter_rows())[1:]
    for row, lead in zip(rows, leads, strict=True):
        for cell, key in zip(row, ("first_name", "score_reasons"), strict=True):
            assert cell.value == lead[key], "no apostrophe: a text cell is never evaluated"
            assert cell.data_type == "s" and cell.quotePrefix, "and stays text when edited"
    with zipfile.ZipFile(path) as workbook:
        sheet_xml = workbook.read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml, "no cell of the workbook is a formula"


def test_score_reasons_are_guarded_in_csv_where_a_spreadsheet_reads_them() -> None:
    handle = io.StringIO()
    write_csv(handle, native_layout(("score_reasons",)), [{"score_reasons": SCORE_REASONS}])
    assert list(csv.reader(io.StringIO(handle.getvalue())))[1] == ["'" + SCORE_REASONS]
