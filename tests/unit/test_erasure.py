"""Access requests and erasure: everything exported, then nothing personal left anywhere."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from app.bootstrap import main
from app.domain.errors import ConflictError, NotFoundError
from app.domain.ids import new_id
from app.domain.imports import DuplicatePolicy
from app.domain.leads import LeadQuery
from app.domain.tasks import TaskKind
from app.services.container import Services
from app.storage.db import Database
from app.storage.orm import Task

pytestmark = pytest.mark.both_databases

# Words only this person's data contains; none may survive anywhere in the file.
SECRETS = ("Zoltanova", "Xerxesia", "zq.unique@hydrafirm.example", "+4951199887766",
           "Hydrafirm Qz", "allergic to walnuts", "B-ZQ-4711", "Chief Zebra Officer")


@pytest.fixture
def person(services: Services, tmp_path: Path) -> dict[str, Any]:
    event = services.events.add("Hannover Messe 2026", country="DE")
    question = services.questions.add("Budget approved?", "yes_no", event_id=event.id)
    export = tmp_path / "attendees.csv"
    export.write_text("Badge ID;Vorname;Nachname;Firma;E-Mail\n"
                      "B-ZQ-4711;Xerxesia;Zoltanova;Hydrafirm Qz;zq.unique@hydrafirm.example\n"
                      "B-0002;Other;Person;Keep AG;keep@keep.example\n", encoding="utf-8")
    services.booth.import_registrations(event.id, export)
    services.booth.scan(event.id, "B-ZQ-4711\r")
    lead = services.leads.list(LeadQuery(search="Zoltanova"))[0]
    lead = services.leads.update(lead.id, {"phone": "0511 99887766", "title": "Chief Zebra Officer",
                                           "notes": "allergic to walnuts"})
    services.questions.record_answers(lead.id, {question.id: "yes"})
    services.leads.add_note(lead.id, "Call Xerxesia about walnuts")
    twin = services.leads.create({"first_name": "Xerxesia", "last_name": "Zoltanova",
                                  "email": "zq.unique@hydrafirm.example"})
    services.merges.merge(lead.id, twin.id)
    services.suppressions.add("email", "zq.unique@hydrafirm.example", "opted_out")
    rejected, _ = services.booth.scan(event.id, "MECARDÖNÖZoltanova,Xerxesia;EMAILÖzq.unique"
                                                "@hydrafirm.example;;\r")
    assert rejected.status == "rejected"
    with services.context.db.write() as session:
        now = services.context.clock()
        session.add(Task(id=new_id(), lead_id=lead.id, kind=TaskKind.CALL,
                         title="Call Xerxesia Zoltanova", notes="allergic to walnuts",
                         due_at=now, created_at=now, updated_at=now,
                         device_id=services.context.device_id))
    other = services.leads.create({"first_name": "Keep", "last_name": "Me",
                                   "email": "keep.me@keep.example", "notes": "stays"})
    return {"lead": lead, "twin": twin, "event": event, "other": other}


def _file_bytes(db_path: Path) -> bytes:
    data = db_path.read_bytes()
    wal = db_path.with_name(db_path.name + "-wal")
    return data + (wal.read_bytes() if wal.exists() else b"")


def test_access_export_lists_everything_about_the_person(services: Services,
                                                         person: dict[str, Any],
                                                         tmp_path: Path) -> None:
    data = services.erasure.export_person(person["lead"].id)
    assert data["subject"] == "Xerxesia Zoltanova"
    tables = data["tables"]
    assert {lead["id"] for lead in tables["lead"]} == {str(person["lead"].id),
                                                        str(person["twin"].id)}
    assert any("walnuts" in a["text"] for a in tables["activity"])
    assert tables["answer"][0]["question"] == "Budget approved?"
    assert tables["task"][0]["title"] == "Call Xerxesia Zoltanova"
    assert tables["registration"][0]["badge_id"] == "B-ZQ-4711"
    assert {s["outcome"] for s in tables["scan_log"]} >= {"created", "rejected"}
    assert tables["suppression"][0]["reason"] == "opted_out"
    assert "Keep" not in json.dumps(data)  # nobody else's data
    pdf = services.erasure.write_export(person["lead"].id, tmp_path / "access.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True,
                              text=True).stdout
        assert "Zoltanova" in text and "Budget approved?" in text
    path = services.erasure.write_export(person["lead"].id, tmp_path / "access.json")
    assert json.loads(path.read_text())["lead_id"] == str(person["lead"].id)


def _assert_no_secret_in_any_row(db: Database) -> None:
    with db.engine.connect() as connection:
        for table in sa.inspect(connection).get_table_names():
            for row in connection.execute(sa.text(f'SELECT * FROM "{table}"')):
                flat = " ".join(str(v) for v in row if not isinstance(v, bytes))
                for secret in SECRETS:
                    assert secret.lower() not in flat.lower(), f"{secret} left in {table}"


def test_erasure_leaves_no_personal_data_anywhere(services: Services, person: dict[str, Any],
                                                  db: Database, db_path: Path) -> None:
    receipt = services.erasure.erase(person["lead"].id, reason="GDPR request 2026-17")
    assert set(receipt.erased_lead_ids) == {person["lead"].id, person["twin"].id}
    assert receipt.index_compacted and receipt.log_truncated
    assert services.leads.count(LeadQuery(search="Zoltanova")) == 0
    assert services.leads.get(person["other"].id).notes == "stays"
    if db.is_server:
        # What a client can see is every table's rows; the erased rows' old versions were
        # vacuumed away (the server's WAL and backups remain its administrator's to manage).
        _assert_no_secret_in_any_row(db)
        with db.engine.connect() as connection:
            dead = dict(connection.exec_driver_sql(
                "SELECT relname, n_dead_tup FROM pg_stat_user_tables WHERE relname IN "
                "('lead', 'activity', 'task') AND last_vacuum IS NOT NULL").all())
        assert dead == {"lead": 0, "activity": 0, "task": 0}, dead
        return
    connection = sqlite3.connect(db_path)
    try:
        tables = [r[0] for r in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for row in connection.execute(f'SELECT * FROM "{table}"'):
                flat = " ".join(str(v) for v in row if not isinstance(v, bytes))
                for secret in SECRETS:
                    assert secret.lower() not in flat.lower(), f"{secret} left in {table}"
        connection.execute("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab("
                           "main, lead_search, 'row')")
        terms = {r[0] for r in connection.execute("SELECT term FROM temp.vocab")}
        for trigram in ("zol", "olt", "xer", "rxe", "nut", "q.u", "998"):
            assert trigram not in terms, f"trigram {trigram} left in the search index"
        assert "kee" in terms  # the other lead is still findable
    finally:
        connection.close()
    raw = _file_bytes(db_path)
    for secret in SECRETS:
        assert secret.encode() not in raw, f"{secret} left in the file bytes"


def test_erased_lead_still_counts_but_cannot_come_back(services: Services,
                                                       person: dict[str, Any]) -> None:
    lead_id = person["lead"].id
    services.erasure.erase(lead_id)
    assert services.leads.count(LeadQuery()) == 1  # only the other person is listed
    stub = services.erasure.export_person(lead_id)
    assert stub["erased"] and stub["subject"] == str(lead_id)
    kept = stub["tables"]["lead"][0]
    assert kept["event_id"] == str(person["event"].id)  # reports by event still count it
    assert kept["channel"] == "trade_show" and kept["created_at"]
    with pytest.raises(ConflictError, match="erased"):
        services.leads.restore(lead_id)
    with pytest.raises(ConflictError, match="erased"):
        services.merges.undo(person["twin"].id)
    with pytest.raises(ConflictError, match="already erased"):
        services.erasure.erase(lead_id)
    history = services.leads.history(lead_id)
    assert history[0].kind.value == "erased"
    assert all(not h.text and not h.old_value and not h.new_value for h in history)
    with pytest.raises(NotFoundError):
        services.erasure.erase(uuid.uuid4())


def test_reimport_and_rescan_do_not_resurrect(services: Services, person: dict[str, Any],
                                              tmp_path: Path) -> None:
    services.erasure.erase(person["lead"].id)
    export = tmp_path / "again.csv"
    export.write_text("First name,Last name,Email,Phone\n"
                      "Xerxesia,Zoltanova,ZQ.Unique@Hydrafirm.example,\n"
                      "Someone,Else,,+49 511 99887766\n"
                      "New,Person,new@fresh.example,\n", encoding="utf-8")
    table = services.imports.open(export)
    mapping, _ = services.imports.suggested_mapping(table)
    report = services.imports.run(table, mapping, None, DuplicatePolicy.SKIP)
    assert report.counts.created == 1
    reasons = [r.reason for r in report.rejected]
    assert len(reasons) == 2 and all("asked to be erased on 2026-11-20" in r for r in reasons)
    # At the booth the person may stand there again: capture, but flagged do-not-contact.
    captured = services.booth.capture(person["event"].id, {
        "first_name": "X", "last_name": "Z", "email": "zq.unique@hydrafirm.example"}).lead
    assert captured.do_not_contact and "asked to be erased" in captured.review_reason


def test_erase_cli(services: Services, person: dict[str, Any], db_location: str,
                   tmp_path: Path, capsys: Any) -> None:
    lead_id = str(person["lead"].id)
    out = tmp_path / "person.json"
    assert main(["--db", db_location, "export-person", lead_id, "--output", str(out)]) == 0
    assert json.loads(out.read_text())["subject"] == "Xerxesia Zoltanova"
    capsys.readouterr()
    assert main(["--db", db_location, "--json", "erase", lead_id]) == 0
    receipt = json.loads(capsys.readouterr().out)
    assert receipt["lead_id"] == lead_id and len(receipt["erased_lead_ids"]) == 2
    assert main(["--db", db_location, "erase", lead_id]) == 1  # already erased: conflict
    assert "already erased" in capsys.readouterr().err
    assert main(["--db", db_location, "erase", "not-an-id"]) == 2
    assert main(["--db", db_location, "erase", str(uuid.uuid4())]) == 1
