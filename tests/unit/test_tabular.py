"""open_table on the quirks real exports have (BADGE-FORMATS.md §3.2); fixtures are written here."""

from __future__ import annotations

import datetime as dt
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.domain.errors import LeadlineError
from app.importers.rows import SourceRow
from app.importers.table_layout import TableError
from app.importers.tabular import Table, open_table

HEADER = "First Name,Last Name,Email,Company"


def write(tmp_path: Path, data: bytes | str, name: str = "leads.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return path


def rows(table: Table) -> list[SourceRow]:
    return list(table.rows())


def test_utf8_bom_is_not_glued_to_the_first_header(tmp_path: Path) -> None:
    path = write(tmp_path, b"\xef\xbb\xbf" + f"{HEADER}\nAnna,M\u00fcller,a@x.de,ACME\n".encode())
    table = open_table(path)
    assert table.info.encoding == "utf-8-sig"
    assert table.info.headers[0] == "First Name"
    assert rows(table)[0].values["Last Name"] == "Müller"


def test_utf16le_tab_separated_unicode_text_as_excel_saves_it(tmp_path: Path) -> None:
    text = "Vorname\tNachname\tE-Mail\tFirma\r\nJürgen\tGroß\tj@x.de\tStraße AG\r\n"
    path = write(tmp_path, b"\xff\xfe" + text.encode("utf-16-le"), "export.txt")
    table = open_table(path)
    assert (table.info.kind, table.info.encoding, table.info.delimiter) == ("csv", "utf-16", "\t")
    assert rows(table)[0].values == {"Vorname": "Jürgen", "Nachname": "Groß", "E-Mail": "j@x.de",
                                     "Firma": "Straße AG"}


def test_utf16_without_bom_is_recognised_by_its_zero_bytes(tmp_path: Path) -> None:
    path = write(tmp_path, "Vorname\tNachname\r\nJürgen\tGroß\r\n".encode("utf-16-le"))
    table = open_table(path)
    assert table.info.encoding == "utf-16-le"
    assert rows(table)[0].values["Nachname"] == "Groß"


def test_cp1252_with_umlauts_and_semicolons(tmp_path: Path) -> None:
    text = "Vorname;Nachname;Firma;Stadt\nJörg;Müßig;Bäckerei Öz;Köln\n"
    path = write(tmp_path, text, encoding="cp1252")
    table = open_table(path)
    assert (table.info.encoding, table.info.delimiter) == ("cp1252", ";")
    assert rows(table)[0].values == {"Vorname": "Jörg", "Nachname": "Müßig", "Firma": "Bäckerei Öz",
                                     "Stadt": "Köln"}


def test_cp1252_found_even_when_the_first_64k_are_ascii(tmp_path: Path) -> None:
    body = "".join(f"Name{i};Last{i};n{i}@x.de\n" for i in range(5000))
    text = "First Name;Last Name;Email\n" + body + "Jörg;Müller;j@x.de\n"
    table = open_table(write(tmp_path, text, encoding="cp1252"))
    assert table.info.encoding == "cp1252"
    assert rows(table)[-1].values["Last Name"] == "Müller"


def test_pipe_separated(tmp_path: Path) -> None:
    table = open_table(write(tmp_path, "first_name|last_name|email\nAnna|Lee|a@x.io\n"))
    assert table.info.delimiter == "|"
    assert rows(table)[0].values["email"] == "a@x.io"


def test_comma_wins_even_when_notes_are_full_of_semicolons(tmp_path: Path) -> None:
    text = 'Name,Email,Notes\nAnna Lee,a@x.io,"call back; wants demo; Q3"\nBo,b@x.io,"a;b;c;d"\n'
    table = open_table(write(tmp_path, text))
    assert table.info.delimiter == ","
    assert rows(table)[0].values["Notes"] == "call back; wants demo; Q3"


def test_title_rows_above_the_header_are_skipped(tmp_path: Path) -> None:
    text = ("Lead export – Hannover Messe 2026\nExported 2026-04-24 by booth 12\n\n"
            f"{HEADER}\nAnna,Lee,a@x.io,ACME\n")
    table = open_table(write(tmp_path, text))
    assert table.info.header_row == 4
    assert [r.number for r in rows(table)] == [5]
    assert rows(table)[0].values["First Name"] == "Anna"


@pytest.mark.parametrize("totals", ["Total: 42", "Summe,,,2", "Gesamt,,,", "Total,,,17", "Totaux : 3",
                                    "TOTAL,2,,"])
def test_totals_rows_are_skipped(tmp_path: Path, totals: str) -> None:
    table = open_table(write(tmp_path, f"{HEADER}\nAnna,Lee,a@x.io,ACME\n{totals}\n"))
    assert [r.values["First Name"] for r in rows(table)] == ["Anna"]


def test_a_company_called_total_is_not_a_totals_row(tmp_path: Path) -> None:
    table = open_table(write(tmp_path, "Company,First Name,Last Name\nTotal,Anna,Lee\n"))
    assert rows(table)[0].values["Company"] == "Total"


def test_header_repeated_after_a_page_break_is_skipped(tmp_path: Path) -> None:
    text = (f"{HEADER}\nAnna,Lee,a@x.io,ACME\n\f\n{HEADER}\nBo,Ng,b@x.io,Beta\n"
            "first name, LAST NAME,email,company\n")
    table = open_table(write(tmp_path, text))
    assert [r.values["First Name"] for r in rows(table)] == ["Anna", "Bo"]


def test_blank_rows_and_rows_of_empty_delimiters_are_skipped(tmp_path: Path) -> None:
    text = "Vorname;Nachname;Firma\n\n;;\n  ;  ;\nAnna;Lee;ACME\n;;;;\n\n"
    table = open_table(write(tmp_path, text))
    assert [r.number for r in rows(table)] == [5]


def test_multi_line_quoted_notes_stay_whole_and_line_numbers_stay_true(tmp_path: Path) -> None:
    text = (f'{HEADER},Notes\nAnna,Lee,a@x.io,ACME,"Wants a demo.\nSaid ""call Friday"".\n\nBudget ok"\n'
            "Bo,Ng,b@x.io,Beta,short\n")
    result = rows(open_table(write(tmp_path, text)))
    assert result[0].values["Notes"] == 'Wants a demo.\nSaid "call Friday".\n\nBudget ok'
    assert [r.number for r in result] == [2, 6]


def test_ids_keep_leading_zeros_and_all_19_digits(tmp_path: Path) -> None:
    text = ("Badge ID,Email,Postal Code\n000123,a@x.io,01067\n1234567890123456789,b@x.io,8010\n"
            "1.23457E+18,c@x,1\n")
    values = [r.values for r in rows(open_table(write(tmp_path, text)))]
    assert [v["Badge ID"] for v in values] == ["000123", "1234567890123456789", "1.23457E+18"]
    assert values[0]["Postal Code"] == "01067"


def test_short_rows_are_padded_and_duplicate_or_blank_headers_named(tmp_path: Path) -> None:
    text = "Email,Phone,,Phone,,\na@x.io\n"
    table = open_table(write(tmp_path, text))
    assert table.info.headers == ("Email", "Phone", "Column 3", "Phone (2)")
    assert rows(table)[0].values == {"Email": "a@x.io", "Phone": "", "Column 3": "", "Phone (2)": ""}


def test_rows_can_be_read_twice(tmp_path: Path) -> None:
    table = open_table(write(tmp_path, f"{HEADER}\nAnna,Lee,a@x.io,ACME\n"))
    assert rows(table) == rows(table)


def test_estimated_rows_is_close_for_a_large_file(tmp_path: Path) -> None:
    body = "".join(f"First{i},Last{i},p{i}@example.com,Company {i % 97}\n" for i in range(20_000))
    table = open_table(write(tmp_path, f"{HEADER}\n{body}"))
    estimate = table.estimated_rows()
    assert estimate is not None and 18_000 <= estimate <= 22_000
    small = open_table(write(tmp_path, f"{HEADER}\nAnna,Lee,a@x.io,ACME\n", "small.csv"))
    assert small.estimated_rows() == 1


def make_xlsx(path: Path) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Leads – Messe 2026"])
    sheet.append([])
    sheet.append(["Badge ID", "First Name", "Last Name", "Zip", "Scanned", "Score", "Phone"])
    sheet.append([123, "Anna", "Lee", 1067, dt.datetime(2026, 4, 24), 7.5, 4930123456])
    sheet.append([1234567890123456789, "Bo", "Ng", "01067", dt.date(2026, 4, 25), 3.0, None])
    sheet.append([])
    sheet.append(["Total", 2])
    sheet.cell(row=4, column=4).number_format = "00000"
    sheet.cell(row=5, column=1).value = 1.2345678901234567e18
    workbook.create_sheet("Other").append(["ignored"])
    workbook.save(path)
    return path


def test_xlsx_first_sheet_numbers_ids_zip_codes_and_dates_as_text(tmp_path: Path) -> None:
    table = open_table(make_xlsx(tmp_path / "leads.xlsx"))
    assert (table.info.kind, table.info.header_row) == ("xlsx", 3)
    result = rows(table)
    assert [r.number for r in result] == [4, 5]
    first, second = (r.values for r in result)
    assert first == {"Badge ID": "123", "First Name": "Anna", "Last Name": "Lee", "Zip": "01067",
                     "Scanned": "2026-04-24", "Score": "7.5", "Phone": "4930123456"}
    # Excel itself stores 15 significant digits; what matters is never "1.23457E+18".
    assert second["Badge ID"] == "1234567890123460000"
    assert (second["Zip"], second["Scanned"], second["Score"], second["Phone"]) == (
        "01067", "2026-04-25", "3", "")
    assert table.estimated_rows() == 4


def test_xlsx_is_recognised_by_content_not_by_name(tmp_path: Path) -> None:
    path = make_xlsx(tmp_path / "leads.xlsx").rename(tmp_path / "leads.csv")
    assert open_table(path).info.kind == "xlsx"


def test_no_recognisable_header_is_a_table_error(tmp_path: Path) -> None:
    path = write(tmp_path, "alpha,beta,gamma\n1,2,3\n4,5,6\n", "attendees.csv")
    with pytest.raises(TableError, match=r"attendees\.csv.*no header row found in the first 30 rows"):
        open_table(path)


def test_header_below_row_30_is_not_searched(tmp_path: Path) -> None:
    path = write(tmp_path, "x\n" * 30 + f"{HEADER}\nAnna,Lee,a@x.io,ACME\n")
    with pytest.raises(TableError, match="no header row"):
        open_table(path)


@pytest.mark.parametrize("data", [
    bytes(range(256)) * 8,
    b"\x89PNG\r\n\x1a\n" + bytes(200),
    b"PK\x03\x04" + b"not really a zip" * 10,
    b"%PDF-1.7\n\x00\x01\x02\x03 binary \x00\x00",
])
def test_binary_or_garbage_is_a_table_error(tmp_path: Path, data: bytes) -> None:
    with pytest.raises(TableError, match="attendees.csv"):
        open_table(write(tmp_path, data, "attendees.csv"))


def test_old_xls_and_empty_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(TableError, match=r"\.xls"):
        open_table(write(tmp_path, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "old.xls"))
    with pytest.raises(TableError, match="empty"):
        open_table(write(tmp_path, b"", "empty.csv"))
    with pytest.raises(TableError, match="missing.csv"):
        open_table(tmp_path / "missing.csv")
    assert issubclass(TableError, LeadlineError)


def test_streaming_keeps_memory_flat(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("Badge ID,First Name,Last Name,Email,Company,Notes\n")
        for i in range(200_000):
            handle.write(f"{i:010d},First{i},Last{i},p{i}@example.com,Company {i % 97},note {i}\n")
    tracemalloc.start()
    try:
        table = open_table(path)
        count = sum(1 for _ in table.rows())
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 200_000
    assert peak < 4 * 1024 * 1024


def _check_all(path: Path) -> None:
    try:
        table = open_table(path)
        for row in table.rows():
            assert isinstance(row.number, int)
            assert all(isinstance(k, str) and isinstance(v, str) for k, v in row.values.items())
        assert table.estimated_rows() is None or table.estimated_rows() >= 0
    except TableError:
        pass


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=2000))
def test_random_bytes_only_ever_raise_table_error(tmp_path: Path, data: bytes) -> None:
    _check_all(write(tmp_path, data, "random.bin"))


_cell = st.lists(st.sampled_from(list('ab Ü1,;\t|"\n\r#?\x00') + ["Email", "Name", "Firma", "Total"]),
                 max_size=6).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(header=st.sampled_from([HEADER, "Vorname;Nachname;E-Mail", "Name\tEmail\tQ1 Budget?"]),
       body=st.lists(st.lists(_cell, max_size=6), max_size=20),
       delimiter=st.sampled_from([",", ";", "\t", "|"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]))
def test_random_csvish_text_only_ever_raises_table_error(
        tmp_path: Path, header: str, body: list[list[str]], delimiter: str, encoding: str) -> None:
    text = header + "\n" + "\n".join(delimiter.join(cells) for cells in body)
    _check_all(write(tmp_path, text.encode(encoding, errors="replace"), "random.csv"))


def test_xlsx_with_a_wrong_stored_dimension_is_read_to_the_end(tmp_path: Path) -> None:
    import re
    import zipfile

    source = make_xlsx(tmp_path / "source.xlsx")
    target = tmp_path / "wrong.xlsx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:B4"', data)
                assert b'ref="A1:B4"' in data
            zout.writestr(item, data)
    result = rows(open_table(target))
    assert [r.number for r in result] == [4, 5]
    assert result[1].values["Phone"] == ""
    assert result[0].values["Phone"] == "4930123456"


def test_unicode_line_separators_in_a_preamble_do_not_shift_the_header(tmp_path: Path) -> None:
    text = f"Export\u2028Hannover\x0bMesse\x1c2026\n{HEADER}\nAnna,Lee,a@x.io,ACME\n"
    table = open_table(write(tmp_path, text))
    assert table.info.header_row == 2
    assert [(r.number, r.values["First Name"]) for r in rows(table)] == [(3, "Anna")]


def test_xlsx_without_a_header_is_a_table_error(tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["alpha", "beta"])
    workbook.save(tmp_path / "sheet.xlsx")
    with pytest.raises(TableError, match=r"sheet\.xlsx: no header row found"):
        open_table(tmp_path / "sheet.xlsx")
