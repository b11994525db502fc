"""Imports: preview, policies, one all-or-nothing batch, undo, rejected rows, garbage files."""

from __future__ import annotations

import csv
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import app.services.import_service as import_module
from app.domain.errors import ConflictError, LeadlineError
from app.domain.imports import DuplicatePolicy, RowOutcome
from app.domain.leads import LeadQuery
from app.domain.progress import CancelledError
from app.services.container import Services
from app.storage.repositories.bulk import BulkWriter

pytestmark = pytest.mark.both_databases

EXPORT = (
    "Lead export Hannover Messe 2026\n"
    "\n"
    "Vorname;Nachname;Firma;E-Mail;Telefon;Land;Budget approved?;Notes\n"
    "Anna;Müller;Acme GmbH;Anna@Acme.de;0511 123456;Deutschland;yes;\"wants a demo\n"
    "next week\"\n"
    "Ben;Booth;Booth AG;ben@booth.de;12;DE;no;\n"
    ";;;;;;;\n"
    "Anna;Müller;Acme GmbH;anna@acme.de;;DE;;duplicate in the file\n"
    "Carla;Nowak;;carla@nowak;+48 22 123 45 67;PL;maybe;\n"
    ";;Nameless Ltd;;;;;\n"
    "Summe;;;;;;;\n"
)


@pytest.fixture
def event_id(services: Services) -> uuid.UUID:
    event = services.events.add("Hannover Messe 2026", country="DE")
    services.questions.add("Budget approved?", "yes_no", event_id=event.id)
    return event.id


@pytest.fixture
def export(tmp_path: Path) -> Path:
    path = tmp_path / "export.csv"
    path.write_text(EXPORT, encoding="cp1252")
    return path


def test_preview_writes_nothing_and_explains_every_row(services: Services, event_id: uuid.UUID,
                                                       export: Path) -> None:
    table = services.imports.open(export)
    mapping, template = services.imports.suggested_mapping(table)
    assert template == ""
    report = services.imports.preview(table, mapping, event_id, DuplicatePolicy.SKIP)
    counts = report.counts
    assert (counts.read, counts.created, counts.duplicates, counts.rejected) == (5, 3, 1, 1)
    assert services.leads.count(LeadQuery()) == 0
    first = report.sample[0]
    assert first.values["email"] == "anna@acme.de" and first.values["country"] == "DE"
    assert first.values["phone_e164"] == "+49511123456"
    ben = report.sample[1]
    assert "phone" in ben.issues  # kept, flagged for review
    assert report.sample[2].outcome is RowOutcome.DUPLICATE
    assert "row 4" in report.sample[2].reason
    assert report.rejected[0].number == 10 and "no way to reach" in report.rejected[0].reason


def test_import_is_one_batch_with_history_and_answers(services: Services, event_id: uuid.UUID,
                                                     export: Path) -> None:
    table = services.imports.open(export)
    mapping, _ = services.imports.suggested_mapping(table)
    report = services.imports.run(table, mapping, event_id, DuplicatePolicy.SKIP)
    assert report.batch_id is not None and report.counts.created == 3
    leads = {lead.last_name: lead for lead in services.leads.list(LeadQuery())}
    anna = leads["Müller"]
    assert anna.notes == "wants a demo\nnext week" and anna.event_id == event_id
    assert anna.channel.value == "trade_show"
    kinds = [h.kind.value for h in services.leads.history(anna.id)]
    assert kinds == ["owner_changed", "imported"]  # routed in the same transaction
    assert anna.queue_name == "Inbox" and anna.score_reasons == "no rule applies"
    question = services.questions.questions_for_event(event_id)[0]
    assert services.questions.answers_for(anna.id) == {question.id: "yes"}
    carla = leads["Nowak"]
    assert carla.needs_review and "email" in carla.review_reason
    assert "Budget approved?: maybe" in carla.notes  # an answer that fits no choice is kept
    [batch] = services.imports.batches()
    assert (batch.status, batch.created, batch.duplicates, batch.rejected) == (
        "completed", 3, 1, 1)


def test_policies_against_leads_already_stored(services: Services, event_id: uuid.UUID,
                                               export: Path) -> None:
    services.leads.create({"first_name": "Anna", "last_name": "Müller",
                           "email": "anna@acme.de"})
    table = services.imports.open(export)
    mapping, _ = services.imports.suggested_mapping(table)
    skip = services.imports.preview(table, mapping, event_id, DuplicatePolicy.SKIP)
    assert (skip.counts.created, skip.counts.duplicates) == (2, 2)
    create = services.imports.preview(table, mapping, event_id, DuplicatePolicy.CREATE)
    assert create.counts.created == 4
    filled = services.imports.run(table, mapping, event_id, DuplicatePolicy.FILL)
    assert filled.counts.updated == 1
    anna = services.leads.list(LeadQuery(search="anna@acme"))[0]
    assert anna.company == "Acme GmbH" and anna.phone_e164 == "+49511123456"
    removed, restored = services.imports.undo(filled.batch_id)  # type: ignore[arg-type]
    assert (removed, restored) == (2, 1)
    anna = services.leads.get(anna.id)
    assert anna.company == "" and anna.first_name == "Anna"  # filled field emptied, rest kept
    assert services.leads.count(LeadQuery()) == 1
    with pytest.raises(ConflictError):
        services.imports.undo(filled.batch_id)  # type: ignore[arg-type]


def test_cancel_or_crash_midway_leaves_nothing(services: Services, event_id: uuid.UUID,
                                               tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "many.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["First Name", "Last Name", "Email"])
        out.writerows([f"P{i}", "Many", f"p{i}@many.example"] for i in range(250))
    monkeypatch.setattr(import_module, "CHUNK", 100)
    table = services.imports.open(path)
    mapping, _ = services.imports.suggested_mapping(table)
    calls = iter(range(1000))
    with pytest.raises(CancelledError, match="nothing was imported"):
        services.imports.run(table, mapping, event_id, DuplicatePolicy.SKIP,
                             cancelled=lambda: next(calls) >= 2)
    assert services.leads.count(LeadQuery()) == 0 and services.imports.batches() == []
    original = BulkWriter.write
    written = iter(range(1000))

    def failing(self: BulkWriter, batch: dict) -> dict:  # type: ignore[type-arg]
        if "lead" in batch and next(written) == 1:
            raise OSError(28, "No space left on device")
        return original(self, batch)

    monkeypatch.setattr(BulkWriter, "write", failing)
    with pytest.raises(OSError):
        services.imports.run(table, mapping, event_id, DuplicatePolicy.SKIP)
    assert services.leads.count(LeadQuery()) == 0 and services.imports.batches() == []


def test_rejected_rows_can_be_saved_to_fix(services: Services, event_id: uuid.UUID,
                                          export: Path, tmp_path: Path) -> None:
    table = services.imports.open(export)
    mapping, _ = services.imports.suggested_mapping(table)
    report = services.imports.preview(table, mapping, event_id, DuplicatePolicy.SKIP)
    out = tmp_path / "rejected.csv"
    services.imports.write_rejected(report, table.info.headers, out)
    rows = list(csv.reader(out.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0][-2:] == ["row", "reason"]
    assert rows[1][2] == "Nameless Ltd" and rows[1][-2] == "10"


def test_saved_mapping_is_offered_for_the_same_headers(services: Services, event_id: uuid.UUID,
                                                       export: Path) -> None:
    table = services.imports.open(export)
    mapping, _ = services.imports.suggested_mapping(table)
    corrected = mapping.with_target("Notes", "")
    services.imports.save_template("Hannover leads", corrected)
    again, name = services.imports.suggested_mapping(services.imports.open(export))
    assert name == "Hannover leads" and again.target("Notes") == ""
    assert services.imports.mapping_named("hannover leads") == corrected


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400))
def test_malformed_files_never_crash_or_leave_half_a_batch(services: Services, tmp_path: Path,
                                                           text: str) -> None:
    path = tmp_path / "fuzz.csv"
    path.write_text("First Name,Last Name,Email\n" + text, encoding="utf-8")
    before = services.leads.count(LeadQuery())
    try:
        table = services.imports.open(path)
        mapping, _ = services.imports.suggested_mapping(table)
        report = services.imports.run(table, mapping, None, DuplicatePolicy.CREATE)
    except LeadlineError:
        assert services.leads.count(LeadQuery()) == before
        return
    assert services.leads.count(LeadQuery()) == before + report.counts.created
