"""The team server (PostgreSQL) next to a database file (SQLite), measured in the same run.

Run: ``.venv/bin/python -m tests.benchmarks.bench_server [LEADS] [--only writers]`` (default
100,000; ``--only writers`` measures just the concurrent writers, after the same 200 rules). A throwaway
PostgreSQL server is started and the cached demo database copied into it (``migrate-to``'s copy,
verified table by table); a copy of the same file is the SQLite side. Then, through the same
service calls the window makes, on both sides:

- the lead list's first page (count, then the first 100 rows), and the full ordering the list
  reads in the background;
- search as you type: keystroke to the first page of matches, p95 over real names' prefixes;
- My day (every bucket counted exactly plus the first rows) for the busiest reps, p95;
- the re-assignment preview with 200 routing rules after a reorganisation;
- importing a generated 100,000-row CSV;
- 10 writer processes (spawned) editing shared leads and creating new ones for 10 s:
  throughput, p95 latency and lost updates (concurrent_writers.py), with what the server's
  sessions waited for meanwhile.

Each line prints the server's figure, SQLite's beside it, the limit and whether it is met. A new
laptop joining a team through the server is measured by bench_hub (limit 2 minutes at 1,000,000).
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from app.domain.imports import DuplicatePolicy
from app.domain.leads import LeadQuery
from app.domain.people import Availability
from app.domain.routing import TargetKind
from app.paths import DatabaseLocation, ServerAddress
from app.services.container import Services
from app.services.lead_listing import LeadListing
from app.storage.opening import open_database
from app.storage.orm import Lead, Task
from app.storage.server_copy import copy_to_server
from tests.benchmarks.bench_distribution import rule_condition
from tests.benchmarks.bench_import import write_export
from tests.benchmarks.common import cache_dir, compare, demo_database, report
from tests.benchmarks.concurrent_writers import WRITERS, measure_writers, p95
from tests.pg_server import create_database, throwaway_server

FIRST_PAGE_LIMIT_S = 0.5
SEARCH_P95_LIMIT_MS = 300.0
MY_DAY_P95_LIMIT_MS = 300.0
PREVIEW_LIMIT_PER_MILLION_S = 30.0
IMPORT_ROWS = 100_000
IMPORT_LIMIT_S = 120.0
WRITE_P95_LIMIT_S = 0.5
THROUGHPUT_SHARE = 0.5  # the server's writes/s at least half a file's
SEED = 20261207


@dataclass
class Figures:
    """One side's measurements."""

    first_page_s: float = 0.0
    ordering_s: float = 0.0
    search_p95_ms: float = 0.0
    my_day_p95_ms: float = 0.0
    preview_s: float = 0.0
    preview_moves: int = 0
    import_s: float = 0.0
    imported: int = 0
    writes_per_s: float = 0.0
    write_p95_s: float = 0.0
    lost_updates: int = 0
    write_notes: str = ""


# -- reads ----------------------------------------------------------------------------------
def measure_first_page(services: Services) -> tuple[float, float]:
    """The slowest of 5 first pages (the first one is this process's first read), and the
    full ordering the list then reads in the background."""
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        listing = LeadListing(services.leads, LeadQuery())
        listing.row(0)
        timings.append(time.perf_counter() - started)
    started = time.perf_counter()
    services.leads.ordered_keys(LeadQuery())
    return max(timings), time.perf_counter() - started


def typing_prefixes(services: Services, rng: random.Random, samples: int = 12) -> list[str]:
    """What a person types looking for real leads: 3 to 8 letters of names, companies, emails."""
    total = services.leads.count(LeadQuery())
    words: list[str] = []
    for _ in range(samples):
        lead = services.leads.list(LeadQuery(), offset=rng.randrange(total), limit=1)[0]
        words += [lead.last_name, lead.company.split()[0] if lead.company else "",
                  lead.email.split("@")[0], lead.phone_e164[-7:]]
    return [word[:n] for word in filter(None, words) for n in range(3, min(len(word), 8) + 1)]


def measure_search(services: Services, prefixes: list[str]) -> list[float]:
    """Keystroke to the first page of matches, as the list asks for it (capped count + page)."""
    timings = []
    for text in prefixes:
        started = time.perf_counter()
        LeadListing(services.leads, LeadQuery(search=text)).row(0)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def busiest_reps(services: Services) -> list[uuid.UUID]:
    with services.context.db.read() as session:
        return list(session.scalars(
            select(Task.owner_id).where(Task.done_at.is_(None), Task.deleted_at.is_(None),
                                        Task.owner_id.is_not(None))
            .group_by(Task.owner_id).order_by(func.count().desc(), Task.owner_id).limit(5)))


def measure_my_day(services: Services, reps: list[uuid.UUID], runs: int = 30) -> list[float]:
    timings = []
    for run in range(runs):
        started = time.perf_counter()
        services.followup.due_overview(reps[run % len(reps)])
        timings.append((time.perf_counter() - started) * 1000)
    return timings


# -- writes ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class RoutingInputs:
    """Read once from the SQLite side, so both sides get exactly the same 200 rules."""

    companies: list[str]
    countries: list[str]


def routing_inputs(services: Services) -> RoutingInputs:
    with services.context.db.read() as session:
        companies = sorted(session.scalars(select(Lead.company).distinct()
                                           .where(Lead.company != "")))[:400]
        countries = sorted(session.scalars(select(Lead.country).distinct()
                                           .where(Lead.country != "")))
    return RoutingInputs(companies, countries)


def install_rules(services: Services, inputs: RoutingInputs) -> None:
    """199 routing rules over the demo's reps, teams and queues, then a quarter of the reps
    away (their open leads are orphans): bench_distribution's reorganisation."""
    rng = random.Random(SEED)
    people = services.people
    users = sorted((u for u in people.users() if u.role.value == "rep"), key=lambda u: str(u.id))
    targets = sorted([(TargetKind.TEAM, t.id) for t in people.teams()]
                     + [(TargetKind.USER, u.id) for u in users]
                     + [(TargetKind.QUEUE, q.id) for q in people.queues() if not q.is_catch_all],
                     key=lambda target: str(target[1]))
    for index in range(199):
        condition = rule_condition(rng, index, inputs.companies, inputs.countries)
        target_kind, target_id = rng.choice(targets)
        services.routing.add_rule(f"Rule {index + 1:03d}", [condition], target_kind, target_id)
    for user in users[: max(1, len(users) // 4)]:
        people.set_availability(user.id, Availability.AWAY)


def measure_import(services: Services, csv_path: Path) -> tuple[float, int]:
    started = time.perf_counter()
    table = services.imports.open(csv_path)
    mapping, _ = services.imports.suggested_mapping(table)
    result = services.imports.run(table, mapping, None, DuplicatePolicy.SKIP)
    return time.perf_counter() - started, result.counts.created


# -- one side -------------------------------------------------------------------------------
def measure(side: str, location: DatabaseLocation, prefixes: list[str], reps: list[uuid.UUID],
            inputs: RoutingInputs, csv_path: Path, writers_only: bool = False) -> Figures:
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"\n-- {side}: {location} (load average {load} on {os.cpu_count()} CPUs)", flush=True)
    figures = Figures()
    database, _ = open_database(location)
    try:
        services = Services.build(database)
        if writers_only:
            install_rules(services, inputs)
            (figures.writes_per_s, figures.write_p95_s, figures.lost_updates,
             figures.write_notes) = measure_writers(location, services)
            print(f"  writers: {figures.write_notes}", flush=True)
            return figures
        figures.first_page_s, figures.ordering_s = measure_first_page(services)
        timings = measure_search(services, prefixes)
        figures.search_p95_ms = p95(timings)
        print("  slowest searches: " + ", ".join(
            f"{text!r} {ms:.0f} ms" for ms, text in sorted(zip(timings, prefixes, strict=True),
                                                          reverse=True)[:4]), flush=True)
        figures.my_day_p95_ms = p95(measure_my_day(services, reps))
        install_rules(services, inputs)
        preview = services.routing.preview()
        figures.preview_s, figures.preview_moves = preview.seconds, len(preview.moves)
        print(f"  preview: {len(preview.moves):,} of {preview.considered:,} open leads would "
              "move", flush=True)
        figures.import_s, figures.imported = measure_import(services, csv_path)
        print(f"  import: {figures.imported:,} leads created in {figures.import_s:.1f} s",
              flush=True)
        (figures.writes_per_s, figures.write_p95_s, figures.lost_updates,
         figures.write_notes) = measure_writers(location, services)
        print(f"  writers: {figures.write_notes}", flush=True)
    finally:
        database.dispose()
    return figures


def _sqlite_copy(source: Path, target: Path) -> Path:
    with sqlite3.connect(source) as reading, sqlite3.connect(target) as writing:
        reading.backup(writing)
    return target


def _server_copy(source: Path, server_url: str) -> ServerAddress:
    address = ServerAddress(create_database(server_url, "bench_server"))
    database, _ = open_database(source)
    try:
        copied = copy_to_server(database, address)
    finally:
        database.dispose()
    print(f"copied {copied.rows:,} rows ({copied.count('lead'):,} leads) into the server in "
          f"{copied.seconds:.1f} s, verified", flush=True)
    return address


def _sqlite_side(leads: int, work: Path) -> Path:
    """A copy of the cached demo database, which the benchmark may change."""
    return _sqlite_copy(demo_database(leads), work / "bench-server.sqlite")


def main(leads: int = 100_000, only: str | None = None) -> bool:
    work = Path(tempfile.mkdtemp(prefix="bench-server-", dir=cache_dir()))
    try:
        sqlite_path = _sqlite_side(leads, work)
        database, _ = open_database(sqlite_path)
        try:
            services = Services.build(database)
            prefixes = typing_prefixes(services, random.Random(7))
            reps = busiest_reps(services)
            inputs = routing_inputs(services)
            emails = [lead.email for lead in services.leads.list(LeadQuery(), limit=5000)
                      if lead.email]
        finally:
            database.dispose()
        csv_path = work / "import.csv"
        writers_only = only == "writers"
        if not writers_only:
            write_export(csv_path, IMPORT_ROWS, emails)
        with throwaway_server() as server_url:
            address = _server_copy(sqlite_path, server_url)  # before SQLite's side writes
            lite = measure("SQLite", sqlite_path, prefixes, reps, inputs, csv_path, writers_only)
            server = measure("server", address, prefixes, reps, inputs, csv_path, writers_only)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"\n== the team server next to a database file at {leads:,} leads ==", flush=True)
    if writers_only:
        return _writer_results(server, lite)
    preview_limit = PREVIEW_LIMIT_PER_MILLION_S * leads / 1_000_000
    results = [
        compare("lead list first page (count + 100 rows), slowest of 5", server.first_page_s,
                lite.first_page_s, FIRST_PAGE_LIMIT_S, "s"),
        compare("search keystroke to first page of matches, p95", server.search_p95_ms,
                lite.search_p95_ms, SEARCH_P95_LIMIT_MS, "ms"),
        compare("my day (exact counts + first rows), busiest reps, p95 of 30",
                server.my_day_p95_ms, lite.my_day_p95_ms, MY_DAY_P95_LIMIT_MS, "ms"),
        compare(f"re-assignment preview, 200 rules ({server.preview_moves:,} moves; SQLite "
                f"{lite.preview_moves:,})", server.preview_s, lite.preview_s, preview_limit, "s",
                basis=f"{PREVIEW_LIMIT_PER_MILLION_S:g} s per 1,000,000 leads"),
        compare(f"import {IMPORT_ROWS:,} rows ({server.imported:,} created; SQLite "
                f"{lite.imported:,})", server.import_s, lite.import_s, IMPORT_LIMIT_S, "s"),
        compare(f"{WRITERS} concurrent writers, throughput", server.writes_per_s,
                lite.writes_per_s, THROUGHPUT_SHARE * lite.writes_per_s, "writes/s",
                higher_is_better=True, basis=f"{THROUGHPUT_SHARE:g}x SQLite"),
        compare(f"{WRITERS} concurrent writers, p95 latency", server.write_p95_s,
                lite.write_p95_s, WRITE_P95_LIMIT_S, "s"),
        report("lost updates on the server", server.lost_updates, 0, ""),
        report("lost updates on SQLite", lite.lost_updates, 0, ""),
        server.preview_moves == lite.preview_moves and server.imported == lite.imported,
    ]
    print(f"INFO  full lead ordering (the list's background read): server "
          f"{server.ordering_s:.2f} s · SQLite {lite.ordering_s:.2f} s", flush=True)
    print("see bench_hub  a new laptop joining a team through the server (limit 120 s)",
          flush=True)
    if not results[-1]:
        print("FAIL  the two sides disagree on the preview's moves or the leads imported")
    return all(results)


def _writer_results(server: Figures, lite: Figures) -> bool:
    results = [
        compare(f"{WRITERS} concurrent writers, throughput", server.writes_per_s,
                lite.writes_per_s, THROUGHPUT_SHARE * lite.writes_per_s, "writes/s",
                higher_is_better=True, basis=f"{THROUGHPUT_SHARE:g}x SQLite"),
        compare(f"{WRITERS} concurrent writers, p95 latency", server.write_p95_s,
                lite.write_p95_s, WRITE_P95_LIMIT_S, "s"),
        report("lost updates on the server", server.lost_updates, 0, ""),
        report("lost updates on SQLite", lite.lost_updates, 0, ""),
    ]
    return all(results)


def _arguments(argv: list[str]) -> tuple[int, str | None]:
    only = None
    if "--only" in argv:
        at = argv.index("--only")
        only = argv[at + 1] if at + 1 < len(argv) else ""
        if only != "writers":
            raise SystemExit("--only takes: writers")
        argv = argv[:at] + argv[at + 2:]
    return (int(argv[0]) if argv else 100_000), only


if __name__ == "__main__":
    sys.exit(0 if main(*_arguments(sys.argv[1:])) else 1)
