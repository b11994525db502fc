"""Ten writer processes on one database at once, each editing shared leads and creating new
ones: throughput, latency, and whether any acknowledged write was lost.

Each writer counts up its own text field on the shared leads, saving with ``opened=`` as the
window does, so the writers' saves merge; at the end every counter must equal the writes its
writer was told were saved. Used by bench_server on a database file and on the team server.
"""

from __future__ import annotations

import multiprocessing
import random
import statistics
import threading
import time
import uuid
from collections import Counter
from typing import Any

from app.domain.errors import ConflictError, EditConflictError, StorageError
from app.domain.leads import LeadQuery
from app.paths import DatabaseLocation, ServerAddress
from app.services.container import Services
from app.storage.opening import open_database

WRITERS = 10
WRITE_SECONDS = 10.0
SHARED_LEADS = 20
CREATE_EVERY = 5  # one write in five creates a lead, the rest edit a shared one
# Each writer counts up its own text field on the shared leads.
COUNTER_FIELDS = ("title", "company_size", "street", "region", "campaign", "product_interest",
                  "budget", "authority", "need", "timeline")
SEED = 20261207


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else max(values, default=0)


def _writer(location: DatabaseLocation, index: int, lead_ids: list[uuid.UUID],
            ready: Any, start: Any, results: Any) -> None:
    """One writer process: edits its own counter field on the shared leads (saving with
    ``opened=``) and creates a lead every CREATE_EVERY writes, for WRITE_SECONDS."""
    database, _ = open_database(location)
    services = Services.build(database)
    name = COUNTER_FIELDS[index]
    rng = random.Random(SEED + index)
    acknowledged: Counter[str] = Counter()
    editing: list[float] = []  # seconds each acknowledged write took
    creating: list[float] = []
    retries = errors = created = 0
    ready.put(index)
    start.wait()
    ends = time.monotonic() + WRITE_SECONDS
    done = 0
    while time.monotonic() < ends:
        started = time.monotonic()
        done += 1
        try:
            if done % CREATE_EVERY == 0:
                services.leads.create({"first_name": f"Writer{index}", "last_name": f"Lead{done}",
                                       "company": "Concurrent GmbH",
                                       "email": f"w{index}.{done}@writers.example"})
                created += 1
                creating.append(time.monotonic() - started)
                continue
            lead_id = rng.choice(lead_ids)
            while True:
                opened = services.leads.get(lead_id)
                try:
                    services.leads.update(
                        lead_id, {name: str(int(getattr(opened, name)) + 1)}, opened=opened)
                    break
                except EditConflictError:
                    retries += 1
            acknowledged[str(lead_id)] += 1
        except (StorageError, ConflictError) as error:
            errors += 1
            if errors == 1:  # what the person would read
                print(f"  writer {index}: {error}", flush=True)
            continue
        editing.append(time.monotonic() - started)
    database.dispose()
    results.put({"index": index, "acknowledged": dict(acknowledged), "editing": editing,
                 "creating": creating, "retries": retries, "errors": errors,
                 "created": created})


class WaitSampler:
    """What the server's sessions are doing while the writers run, sampled every 50 ms
    (pg_stat_activity): on the CPU, waiting for a row lock, for the client, ... A slow figure
    with many lock waits is contention; with the client waited for, it is the app's work."""

    def __init__(self, address: ServerAddress) -> None:
        from app.storage.server import make_server_engine

        self.engine = make_server_engine(address)
        self.seen: Counter[str] = Counter()
        self.running = True
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        with self.engine.connect() as connection:
            while self.running:
                rows = connection.exec_driver_sql(
                    "SELECT coalesce(wait_event_type || ':' || wait_event, 'on CPU') FROM "
                    "pg_stat_activity WHERE datname = current_database() AND state = 'active' "
                    "AND pid != pg_backend_pid()").all()
                connection.rollback()
                self.seen.update(row[0] for row in rows)
                self.seen["(samples)"] += 1
                time.sleep(0.05)

    def stop(self) -> str:
        self.running = False
        self.thread.join(5)
        self.engine.dispose()
        samples = max(self.seen.pop("(samples)", 1), 1)
        return ", ".join(f"{what} {count / samples:.1f}" for what, count in
                         self.seen.most_common(6)) + " (active sessions on average)"


def measure_writers(location: DatabaseLocation, services: Services) -> tuple[float, float, int,
                                                                             str]:
    """Writes/s, p95 latency (s), lost updates, and a note on retries and errors."""
    leads = services.leads.list(LeadQuery(), offset=0, limit=SHARED_LEADS)
    lead_ids = [lead.id for lead in leads]
    for lead_id in lead_ids:  # every counter starts at 0
        services.leads.update(lead_id, dict.fromkeys(COUNTER_FIELDS, "0"))
    context = multiprocessing.get_context("spawn")
    ready, results, start = context.Queue(), context.Queue(), context.Event()
    writers = [context.Process(target=_writer, args=(location, index, lead_ids, ready, start,
                                                     results)) for index in range(WRITERS)]
    for writer in writers:
        writer.start()
    for _ in writers:
        ready.get(timeout=300)
    waits = WaitSampler(location) if isinstance(location, ServerAddress) else None
    started = time.monotonic()
    start.set()
    outcomes = [results.get(timeout=300) for _ in writers]
    elapsed = time.monotonic() - started
    if waits is not None:
        print(f"  server sessions while writing: {waits.stop()}", flush=True)
    for writer in writers:
        writer.join(60)
    editing = [s for outcome in outcomes for s in outcome["editing"]]
    creating = [s for outcome in outcomes for s in outcome["creating"]]
    latencies = editing + creating
    lost = 0
    for lead_id in lead_ids:
        record = services.leads.get(lead_id)
        for outcome in outcomes:
            written = int(getattr(record, COUNTER_FIELDS[outcome["index"]]))
            lost += abs(outcome["acknowledged"].get(str(lead_id), 0) - written)
    retries = sum(outcome["retries"] for outcome in outcomes)
    errors = sum(outcome["errors"] for outcome in outcomes)
    created = sum(outcome["created"] for outcome in outcomes)
    note = (f"{len(latencies):,} writes ({created:,} new leads) in {elapsed:.1f} s; p95 of an "
            f"edit {p95(editing):.2f} s, of a create {p95(creating):.2f} s; "
            f"{retries} conflict retries, {errors} failed writes")
    return len(latencies) / elapsed, p95(latencies), lost, note
