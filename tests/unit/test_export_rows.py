"""The export's set-based row readers give exactly lead_to_dict of every listed lead, in order,
and the CSV cells write_csv makes of them."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from app.domain.exports import ExportFormat, ExportPurpose
from app.domain.leads import LeadQuery, SortKey
from app.domain.serialise import lead_keys, lead_to_dict
from app.exporters.csv_layouts import native_layout, write_csv
from app.services.container import Services
from tests.conftest import FakeClock

pytestmark = pytest.mark.both_databases


@pytest.fixture
def varied(services: Services, clock: FakeClock) -> None:
    people = services.people
    people.add_user("Anna Weber", "anna@example.com", "rep", team=None)
    team = people.add_team("Field")
    queue = people.add_queue("Inbox 2", team_id=team.id)
    services.events.add("Hannover Messe 2026", country="DE", starts="2026-04-20",
                        ends="2026-04-24", cost="12500")
    leads = [
        {"first_name": "Jürgen", "last_name": "Größer", "company": "Zeta AG; Söhne, \"GmbH\"",
         "email": "jg@zeta.example", "phone": "030 1234567", "country": "DE",
         "owner": "anna@example.com", "rating": "hot", "deal_value": "25000.50",
         "event": "Hannover Messe 2026", "notes": "line one\nline two", "birth_date": "1970-02-03"},
        {"last_name": "李", "company": "北京有限公司", "team": "Field", "queue": "Inbox 2",
         "status": "nurture", "come_back_on": "2027-03-01", "do_not_contact": "yes"},
        {"last_name": "=HYPERLINK(\"x\")", "email": "info@example.com", "consent": "granted",
         "consent_text": "Yes, email me."},
        {"badge_id": "HM-0042"},
    ]
    for fields in leads:
        services.leads.create(fields, lenient=True)
        clock.advance(seconds=1, microseconds=250)  # some times with a fraction, some without
    gone = services.leads.create({"last_name": "Deleted"})
    services.leads.delete(gone.id)
    services.leads.create({"last_name": "Doubtful", "email": "bob@"}, lenient=True)
    assert queue.id


@pytest.mark.parametrize("query", [
    LeadQuery(), LeadQuery(sort=SortKey.OWNER), LeadQuery(sort=SortKey.CREATED, descending=False),
    LeadQuery(search="zeta"), LeadQuery(needs_review=True)], ids=str)
def test_rows_equal_lead_to_dict_in_list_order(services: Services, varied: None,
                                               query: LeadQuery) -> None:
    keys = services.leads.ordered_keys(query)
    expected = [lead_to_dict(r) for r in services.leads.records_for_keys(keys)]
    got = [row for total, batch in services.leads.export_rows(query, 2) for row in batch]
    assert got == expected
    assert [[type(v) for v in row.values()] for row in got] == \
        [[type(v) for v in row.values()] for row in expected]
    assert all(total == len(expected) for total, _ in services.leads.export_rows(query, 2))



HOSTILE = ["=cmd|'/C calc'!A0", "+49 30 1234567", "+1 () ()", "-2+3", "@SUM(1)", "\tTab", "\rCR",
           "\uff1d1+1", "\ufe622", "+12 34", "+49 (30) 1234-567/8.9", "+49 30 12a4567", "plain"]


def test_the_csv_cells_are_what_write_csv_makes_of_the_rows(services: Services, varied: None,
                                                             tmp_path: Path) -> None:
    for n, attack in enumerate(HOSTILE):
        services.leads.create({"first_name": attack, "last_name": f"Hostile {n}", "company": attack,
                               "title": attack, "city": attack, "notes": attack,
                               "website": attack, "phone": attack, "mobile": attack},
                              lenient=True)
    target = tmp_path / "leads.csv"
    services.exports.export(LeadQuery(), target, ExportFormat.CSV)
    expected = io.StringIO(newline="")
    write_csv(expected, native_layout(lead_keys()),
              services.exports.rows(LeadQuery(), ExportPurpose.ALL, {}))
    assert target.read_bytes() == "\ufeff".encode() + expected.getvalue().encode()
    assert "'=cmd" in expected.getvalue() and ",+49 30 1234567," in expected.getvalue()


# Cells SQLite's lines must not take as they are (see app/storage/repositories/export_lines).
TRICKY = ['a"b', 'say "hi", ok', "x,y", "line\r\nbreak", "\n=x", "=a,b", "unit\x1fseparator",
          "record\x1emark", "group\x1dsep", "nul\x00inside", "+49 30 12345,6", "'+49 30", ""]


@pytest.mark.parametrize("query", [LeadQuery(), LeadQuery(sort=SortKey.OWNER), LeadQuery(sort=SortKey.EVENT),
                                   LeadQuery(search="tricky")], ids=str)
def test_the_csv_lines_are_what_write_csv_makes_of_tricky_cells(
        services: Services, varied: None, tmp_path: Path, database_kind: str,
        query: LeadQuery) -> None:
    services.people.add_user('=Eve, "the" one', "eve@example.com", "rep", team=None)
    services.people.add_user("Sep\x1farated", "sep@example.com", "rep", team=None)
    for n, text in enumerate(TRICKY):
        if "\x00" in text and database_kind == "postgresql":
            continue  # PostgreSQL text cannot hold a NUL
        services.leads.create({"first_name": text, "last_name": f"Tricky {n}", "company": text,
                               "notes": text, "phone": text, "city": text,
                               "email": "bob@" if n % 3 else "",
                               "owner": "sep@example.com" if n == 4 else "eve@example.com"},
                              lenient=True)
    services.leads.create({"last_name": "Plain, but reviewed", "email": "ann@"}, lenient=True)
    target = tmp_path / "leads.csv"
    services.exports.export(query, target, ExportFormat.CSV)
    expected = io.StringIO(newline="")
    write_csv(expected, native_layout(lead_keys()), services.exports.rows(query, ExportPurpose.ALL, {}))
    assert target.read_bytes() == "\ufeff".encode() + expected.getvalue().encode()
    assert '"say ""hi"", ok"' in expected.getvalue() and "unit\x1fseparator" in expected.getvalue()
