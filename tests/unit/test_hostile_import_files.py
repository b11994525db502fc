"""Issue 17 items 4, 5, 6: hostile or broken import files cost a row, never the rest, and never
store garbled text without a word; workbooks that inflate beyond any lead file are refused."""

from __future__ import annotations

import io
import random
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest

from app.domain.imports import DuplicatePolicy
from app.domain.leads import LeadQuery
from app.importers.table_layout import TableError
from app.importers.tabular import open_table
from app.importers.text_tables import MAX_RECORD_LINES
from app.importers.workbook_limits import MAX_SHARED_STRINGS_BYTES, MIB
from app.services.container import Services

pytestmark = pytest.mark.both_databases

HEADER = "First Name,Last Name,Email,Company\r\n"
PEOPLE = [  # (first, last, email, company, the encoding that system wrote)
    ("Jörg", "Müller", "joerg@example.de", "Köln Süd GmbH", "utf-8"),
    ("José", "Núñez", "jose@example.es", "Peñalolén SA", "latin-1"),
    ("Мария", "Иванова", "maria@example.ru", "Ромашка", "cp1251"),
    ("山田", "太郎", "taro@example.jp", "東京商事", "shift_jis"),
]


def _mixed_csv(path: Path) -> Path:
    data = HEADER.encode("ascii") + b"".join(
        f"{first},{last},{email},{company}\r\n".encode(encoding)
        for first, last, email, company, encoding in PEOPLE)
    path.write_bytes(data)
    return path


# --- item 4: mixed encodings ----------------------------------------------------------------


def test_each_row_of_a_mixed_encoding_file_is_read_in_its_own_encoding(tmp_path: Path) -> None:
    rows = list(open_table(_mixed_csv(tmp_path / "mixed.csv")).rows())
    assert [(r.values["First Name"], r.values["Last Name"], r.values["Company"]) for r in rows] == [
        (first, last, company) for first, last, _email, company, _encoding in PEOPLE]
    marked = {r.values["Email"]: r.warnings.get("encoding", "") for r in rows}
    assert "UTF-8" in marked["joerg@example.de"]
    assert "Windows-1251" in marked["maria@example.ru"]
    assert "Shift-JIS" in marked["taro@example.jp"]
    assert marked["jose@example.es"] == "", "the file's own encoding (Windows-1252) reads it"


def test_the_import_preview_marks_every_row_read_otherwise(services: Services,
                                                          tmp_path: Path) -> None:
    table = services.imports.open(_mixed_csv(tmp_path / "mixed.csv"))
    mapping, _template = services.imports.suggested_mapping(table)
    report = services.imports.preview(table, mapping, None, DuplicatePolicy.SKIP)
    assert report.counts.created == 4 and report.counts.warned == 3
    flagged = {row.values["email"]: row.issues.get("encoding", "") for row in report.sample}
    assert all(flagged[p[2]] for p in PEOPLE if p[4] != "latin-1")
    services.imports.run(table, mapping, None, DuplicatePolicy.SKIP)
    stored = {lead.email: (lead.first_name, lead.last_name) for lead in
              services.leads.list(LeadQuery())}
    assert stored == {email: (first, last) for first, last, email, _c, _e in PEOPLE}


def test_text_garbled_upstream_is_repaired_and_marked(tmp_path: Path) -> None:
    path = tmp_path / "crm.csv"
    path.write_text(HEADER + "JÃ¶rg,MÃ¼ller,joerg@example.de,Acme\r\nAnna,Weber,anna@example.de,"
                    "Acme\r\n", encoding="utf-8")
    first, second = open_table(path).rows()
    assert (first.values["First Name"], first.values["Last Name"]) == ("Jörg", "Müller")
    assert "repaired" in first.warnings["encoding"] and "MÃ¼ller" in first.warnings["encoding"]
    assert second.warnings == {}


def test_a_workbook_cell_garbled_upstream_is_repaired_and_marked(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.append(["First Name", "Last Name", "Email"])
    workbook.active.append(["JÃ¶rg", "MÃ¼ller", "joerg@example.de"])
    workbook.save(tmp_path / "crm.xlsx")
    row, = open_table(tmp_path / "crm.xlsx").rows()
    assert (row.values["First Name"], row.values["Last Name"]) == ("Jörg", "Müller")
    assert "repaired" in row.warnings["encoding"]


def test_a_row_no_encoding_reads_cleanly_is_marked_doubtful(tmp_path: Path) -> None:
    path = tmp_path / "odd.csv"
    path.write_bytes(HEADER.encode() + b"Anna,Weber,anna@example.de,Acme\r\n"
                     + b"Ab\xb3\xb9\xbc\xb2,Cd\xa6\xa8\xb4,cd@example.de,X\xbe\xb1Y\r\n")
    good, odd = open_table(path).rows()
    assert good.warnings == {}
    assert "may be garbled" in odd.warnings["encoding"]


def test_a_consistent_legacy_file_carries_no_warnings(tmp_path: Path) -> None:
    path = tmp_path / "de.csv"
    path.write_text(HEADER + "Jörg,Müller,j@example.de,Straße AG\r\nZoë,Brontë,z@example.fr,"
                    "Ça Va SARL\r\n", encoding="cp1252")
    table = open_table(path)
    assert table.info.encoding == "cp1252"
    assert [r.warnings for r in table.rows()] == [{}, {}]
    russian = tmp_path / "ru.csv"
    russian.write_text(HEADER + "Мария,Иванова,m@example.ru,ООО «Ромашка»\r\n", encoding="cp1251")
    table = open_table(russian)
    assert table.info.encoding == "cp1251"
    row, = table.rows()
    assert row.values["Company"] == "ООО «Ромашка»" and row.warnings == {}


# --- item 5: a quote that never closes ------------------------------------------------------


def test_a_quote_that_never_closes_costs_its_row_only(services: Services, tmp_path: Path) -> None:
    path = tmp_path / "runaway.csv"
    path.write_text(HEADER + "Anna,Weber,anna@example.de,Acme\r\n"
                    '"Ben,Booth,ben@example.de,Booth AG\r\n'
                    "Carla,Nowak,carla@example.pl,Nowak\r\n"
                    "Dora,Kim,dora@example.kr,Kim Ltd\r\n", encoding="utf-8")
    rows = list(open_table(path).rows())
    assert [r.number for r in rows] == [2, 3, 4, 5]
    assert "never closes" in rows[1].problem and "end of the file" in rows[1].problem
    assert [r.values["Email"] for r in rows[2:]] == ["carla@example.pl", "dora@example.kr"]
    table = services.imports.open(path)
    mapping, _template = services.imports.suggested_mapping(table)
    report = services.imports.run(table, mapping, None, DuplicatePolicy.SKIP)
    counts = report.counts
    assert (counts.read, counts.created, counts.rejected) == (4, 3, 1), "the summary is true"
    assert [(r.number, "never closes" in r.reason) for r in report.rejected] == [(3, True)]
    assert services.leads.count(LeadQuery()) == 3


def test_a_quote_that_closes_far_too_late_costs_its_row_only(tmp_path: Path) -> None:
    lines = [f"Person{i},Last{i},p{i}@example.de,Acme\r\n" for i in range(MAX_RECORD_LINES + 50)]
    path = tmp_path / "late.csv"
    path.write_text(HEADER + '"Broken,Row,broken@example.de,X\r\n' + "".join(lines)
                    + 'Last,One,"closing quote"\r\n', encoding="utf-8")
    rows = list(open_table(path).rows())
    assert "never closes" in rows[0].problem and rows[0].number == 2
    assert len(rows) == 1 + len(lines) + 1 and not any(r.problem for r in rows[1:])
    assert rows[1].number == 3 and rows[-1].values["Email"] == "closing quote"


def test_a_quoted_value_longer_than_any_cell_costs_its_row_only(tmp_path: Path) -> None:
    long_line = "x" * 50_000 + "\r\n"
    path = tmp_path / "long.csv"
    path.write_text(HEADER + '"Broken,Row,broken@example.de,X\r\n' + long_line * 3
                    + "Anna,Weber,anna@example.de,Acme\r\n", encoding="utf-8")
    rows = list(open_table(path).rows())
    assert "longer than any real cell" in rows[0].problem and rows[0].number == 2
    assert rows[-1].values["Email"] == "anna@example.de" and rows[-1].number == 6


def test_a_line_csv_cannot_read_costs_that_row_only(tmp_path: Path) -> None:
    before = "".join(f"Person{i},Last{i},p{i}@example.de,Acme\r\n" for i in range(200))
    path = tmp_path / "giant.csv"
    path.write_text(HEADER + before + "Anna,Weber,anna@example.de," + "A" * 200_000 + "\r\nBen,"
                    "Booth,ben@example.de,Booth AG\r\n", encoding="utf-8")
    *_before, anna, ben = open_table(path).rows()
    assert "cannot be read as a row" in anna.problem and "field limit" in anna.problem
    assert anna.number == 202 and anna.values["Email"] == "anna@example.de"
    assert ben.values["Email"] == "ben@example.de" and not ben.problem


def test_real_multi_line_notes_are_not_mistaken_for_a_runaway_quote(tmp_path: Path) -> None:
    note = "\r\n".join(f"line {i}" for i in range(250))  # Excel allows 253 line breaks a cell
    path = tmp_path / "notes.csv"
    path.write_text("First Name,Last Name,Email,Notes\r\n"
                    f'Anna,Weber,anna@example.de,"{note}"\r\nBen,Booth,ben@example.de,\r\n',
                    encoding="utf-8")
    anna, ben = open_table(path).rows()
    assert anna.values["Notes"] == note and not anna.problem and ben.number == 252


# --- item 6: workbooks that inflate beyond any lead file ------------------------------------


def _workbook_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(["First Name", "Last Name", "Email"])
    workbook.active.append(["Anna", "Weber", "anna@example.de"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


class _BlockCompressor:
    """Deflates each block on its own (a full flush after it), the same block always to the same
    bytes: a gigabyte part is written in a second, as a zip bomb's author would."""

    def __init__(self) -> None:
        self._deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
        self._packed: dict[bytes, bytes] = {}

    def compress(self, data: bytes) -> bytes:
        if data not in self._packed:
            self._packed[data] = self._deflate.compress(data) + self._deflate.flush(zlib.Z_FULL_FLUSH)
        return self._packed[data]

    def flush(self) -> bytes:
        return self._deflate.flush()


@pytest.fixture
def fast_deflate(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(zipfile, "_get_compressor", lambda kind, level=None: (
        _BlockCompressor() if kind == zipfile.ZIP_DEFLATED else None))


def _with_part(path: Path, name: str, blocks: int, block: bytes) -> Path:
    """A real workbook with the part ``name`` replaced by ``block`` repeated (deflated)."""
    with zipfile.ZipFile(io.BytesIO(_workbook_bytes())) as original, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in original.infolist():
            if item.filename != name:
                bomb.writestr(item, original.read(item.filename))
        with bomb.open(name, "w", force_zip64=True) as part:
            for _ in range(blocks):
                part.write(block)
    return path


def test_a_worksheet_that_inflates_to_a_gigabyte_is_refused_unread(tmp_path: Path,
                                                                   fast_deflate: None) -> None:
    path = _with_part(tmp_path / "bomb.xlsx", "xl/worksheets/sheet1.xml", 1024, b"A" * MIB)
    assert path.stat().st_size < 1.2 * MIB
    tracemalloc.start()
    try:
        with pytest.raises(TableError, match="xl/worksheets/sheet1.xml") as refused:
            open_table(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert "bomb.xlsx was not read" in str(refused.value) and "packed" in str(refused.value)
    assert peak < 20 * MIB, "nothing was inflated"


def test_a_shared_string_inflating_a_thousandfold_is_refused(tmp_path: Path,
                                                             fast_deflate: None) -> None:
    path = _with_part(tmp_path / "strings.xlsx", "xl/sharedStrings.xml", 300, b"A" * MIB)
    assert path.stat().st_size < MIB
    with pytest.raises(TableError, match=r"xl/sharedStrings.xml is packed [\d,]+ to one \(it would "
                                         r"inflate from [\d,]+ bytes to 300 MB\)"):
        open_table(path)


def test_a_shared_strings_part_larger_than_any_lead_list_is_refused(tmp_path: Path,
                                                                    fast_deflate: None) -> None:
    varied = random.Random(17).randbytes(20_000)  # packs about 50 to 1 when repeated
    block = (varied * (MIB // len(varied) + 1))[:MIB]
    path = _with_part(tmp_path / "strings.xlsx", "xl/sharedStrings.xml",
                      MAX_SHARED_STRINGS_BYTES // MIB + 1, block)
    with pytest.raises(TableError, match="xl/sharedStrings.xml would inflate to 129 MB"):
        open_table(path)


def _state_size(path: Path, name: str, size: int) -> None:
    """Make the zip's central directory state ``size`` as the inflated size of part ``name``."""
    data = bytearray(path.read_bytes())
    where = data.index(b"PK\x01\x02")
    while data[where + 46:where + 46 + int.from_bytes(data[where + 28:where + 30], "little")] \
            != name.encode():
        where = data.index(b"PK\x01\x02", where + 4)
    data[where + 24:where + 28] = size.to_bytes(4, "little")
    path.write_bytes(bytes(data))


def test_a_part_whose_stated_size_lies_is_not_read_past_it(tmp_path: Path) -> None:
    path = _with_part(tmp_path / "liar.xlsx", "xl/worksheets/sheet1.xml", 1, b"<row/>" * 2_000_000)
    _state_size(path, "xl/worksheets/sheet1.xml", 100)
    with zipfile.ZipFile(path) as archive:
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size == 100
    tracemalloc.start()
    try:
        with pytest.raises(TableError, match="liar.xlsx"):
            list(open_table(path).rows())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 * MIB, "inflated no further than the 100 bytes it states"


def test_an_ordinary_workbook_still_opens(tmp_path: Path) -> None:
    path = tmp_path / "fine.xlsx"
    path.write_bytes(_workbook_bytes())
    row, = open_table(path).rows()
    assert row.values == {"First Name": "Anna", "Last Name": "Weber", "Email": "anna@example.de"}
