"""Import a 100,000-row CSV against 100,000 stored leads; compare with validation + raw insert.

Run: ``.venv/bin/python -m tests.benchmarks.bench_import [ROWS]`` (default 100,000).
Validation (phonenumbers, email-validator) sets the pace, so the goal is the whole import
within 1.5x of (pure validation + a raw sqlite3 insert of the same rows), measured in this run,
and peak memory flat as the file grows (rows are streamed).
"""

from __future__ import annotations

import csv
import random
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from app.domain.imports import DuplicatePolicy
from app.domain.lead_validation import normalise_changes
from app.domain.leads import LeadQuery
from app.services.container import Services
from app.storage.opening import open_database
from app.storage.repositories.bulk import BulkWriter
from tests.benchmarks.common import demo_database, report

RATIO_LIMIT = 1.5
MEMORY_GROWTH_LIMIT = 1.5  # peak at 4x the rows may be at most 1.5x the smaller file's peak
FIRST = ("Anna", "Ben", "Carla", "David", "Émilie", "Jonas", "Zoë", "Søren", "José", "Li")
LAST = ("Müller", "Schmidt", "Dupont", "García", "Rossi", "Nowak", "Andersen", "Smith", "Wei")


def write_export(path: Path, rows: int, existing_emails: list[str], seed: int = 5) -> None:
    """A realistic export: national phone numbers, some known people, some broken rows."""
    rng = random.Random(seed)
    with open(path, "w", newline="", encoding="utf-8-sig") as handle:
        out = csv.writer(handle, delimiter=";")
        out.writerow(["Vorname", "Nachname", "Firma", "E-Mail", "Telefon", "Land", "Notiz"])
        for i in range(rows):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            roll = rng.random()
            if roll < 0.05 and existing_emails:
                email = rng.choice(existing_emails)  # already a lead
            elif roll < 0.07:
                email = f"{first.lower()}@"  # broken: kept and flagged
            else:
                email = f"{first.lower()}.{last.lower()}.{i}@firma{i % 997}.de"
            phone = f"0{rng.randint(30, 899)} {rng.randint(100000, 9999999)}"
            out.writerow([first, last if roll > 0.01 else "", f"Firma {i % 997} GmbH", email,
                          phone, "DE", "Messe-Gespräch" if i % 5 == 0 else ""])


def validation_seconds(path: Path) -> float:
    """Only the per-row normalisation every import must do (email, phone, country)."""
    started = time.perf_counter()
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle, delimiter=";")
        next(reader)
        for row in reader:
            values = {"first_name": row[0], "last_name": row[1], "company": row[2],
                      "email": row[3], "phone": row[4], "country": row[5], "notes": row[6]}
            normalise_changes(values, default_region="DE", lenient=True)
    return time.perf_counter() - started


def raw_insert_seconds(db_path: Path, path: Path) -> float:
    """A plain sqlite3 executemany of the same rows into the same lead table (no checks)."""
    import uuid

    statement = BulkWriter.insert_statement("lead")
    columns = BulkWriter.columns("lead")
    now = "2026-11-22 10:00:00.000000"
    device = uuid.uuid4().hex
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle, delimiter=";")
        next(reader)
        params = []
        for row in reader:
            values = dict.fromkeys(columns, "")
            values.update(id=uuid.uuid4().hex, created_at=now, updated_at=now, device_id=device,
                          first_name=row[0], last_name=row[1], company=row[2], email=row[3],
                          phone=row[4], country=row[5], notes=row[6], channel="import",
                          status="inquiry", score=0, consent="unknown", do_not_contact=0,
                          needs_review=0, deleted_at=None, rating=None, event_id=None,
                          owner_id=None, team_id=None, queue_id=None, captured_by_id=None,
                          come_back_on=None, deal_value=None, first_touch_at=None,
                          last_touch_at=None, next_due_at=None, merged_into_id=None,
                          consent_at=None)
            params.append([values[c] for c in columns])
    connection = sqlite3.connect(db_path)
    started = time.perf_counter()
    connection.execute("BEGIN IMMEDIATE")
    connection.executemany(statement, params)
    connection.execute("COMMIT")
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def import_file(db_copy: Path, path: Path, *, trace: bool = False) -> tuple[float, int, int]:
    """Seconds, leads created, and (with ``trace``) the traced peak memory in bytes.

    Timing and memory come from separate runs: tracemalloc slows Python down several times.
    """
    database, _ = open_database(db_copy)
    services = Services.build(database)
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    table = services.imports.open(path)
    mapping, _ = services.imports.suggested_mapping(table)
    result = services.imports.run(table, mapping, None, DuplicatePolicy.SKIP)
    elapsed = time.perf_counter() - started
    peak = 0
    if trace:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    database.dispose()
    return elapsed, result.counts.created, peak


def main(rows: int = 100_000) -> bool:
    source = demo_database(100_000)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        database, _ = open_database(source)
        services = Services.build(database)
        emails = [lead.email for lead in services.leads.list(LeadQuery(), limit=5000)
                  if lead.email]
        database.dispose()
        big, small = work / "export.csv", work / "small.csv"
        write_export(big, rows, emails)
        write_export(small, rows // 4, emails)
        validate = validation_seconds(big)
        (work / "raw.sqlite").write_bytes(source.read_bytes())
        raw = raw_insert_seconds(work / "raw.sqlite", big)
        (work / "small.sqlite").write_bytes(source.read_bytes())
        _t, _n, small_peak = import_file(work / "small.sqlite", small, trace=True)
        (work / "traced.sqlite").write_bytes(source.read_bytes())
        _t, _n, peak = import_file(work / "traced.sqlite", big, trace=True)
        (work / "import.sqlite").write_bytes(source.read_bytes())
        seconds, created, _peak = import_file(work / "import.sqlite", big)
    print(f"import benchmark: {rows:,} rows against 100,000 stored leads, {created:,} created")
    print(f"INFO  pure validation {rows / validate:,.0f} rows/s ({validate:.1f} s); raw sqlite3 "
          f"insert {rows / raw:,.0f} rows/s ({raw:.1f} s)")
    print(f"INFO  whole import {rows / seconds:,.0f} rows/s ({seconds:.1f} s); traced peak "
          f"{peak / 1e6:.1f} MB at {rows:,} rows, {small_peak / 1e6:.1f} MB at {rows // 4:,}")
    ok = report("whole import time / (validation + raw insert)", seconds / (validate + raw),
                RATIO_LIMIT, "x")
    ok &= report(f"peak memory growth from {rows // 4:,} to {rows:,} rows", peak / small_peak,
                 MEMORY_GROWTH_LIMIT, "x")
    return ok


if __name__ == "__main__":
    sys.exit(0 if main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000) else 1)
