"""Import an accounting export of 20,000 orders against 100,000 stored leads: preview, import,
re-import of the same file, and the import's peak memory.

Run: ``.venv/bin/python -m tests.benchmarks.bench_customers [ORDERS]`` (default 20,000). The
file is built from the demo leads with a fixed seed, as DATEV-style German CSV (semicolons,
``1.234,50``, dd.mm.yyyy): most orders carry a lead's email, some only its web domain, some a
near-miss spelling of its company, some are customers no lead knows, a few rows are broken.
Orders go to a copy of the cached 100,000-lead database, never to the cache itself.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import sqlite3
import sys
import time
import tracemalloc
from collections.abc import Sequence
from pathlib import Path
from tempfile import TemporaryDirectory

from app.domain.customer_matching import LeadCandidate
from app.domain.customers import CustomerImportReport
from app.services.container import Services
from app.storage.opening import open_database
from app.storage.repositories.customers import CustomerRepository
from tests.benchmarks.common import demo_database, report

LEADS = 100_000
PREVIEW_LIMIT = 20.0  # seconds: a person waits for the preview before pressing Import
IMPORT_LIMIT = 30.0
REIMPORT_LIMIT = 20.0  # next month's file repeats most orders: nothing to write
MEMORY_LIMIT = 300.0  # MB traced by tracemalloc, the whole import
LAST_ORDER_DATE = dt.date(2026, 12, 7)
HEADERS = ["Kundennummer", "Firma", "E-Mail", "Webseite", "Rechnungsnummer", "Rechnungsdatum",
           "Nettobetrag", "Währung"]
# Share of orders of each kind (the rest: customers no lead knows).
EMAIL_SHARE, DOMAIN_SHARE, NEAR_MISS_SHARE, BAD_SHARE = 0.60, 0.15, 0.08, 0.02
BROKEN = (("", "1.234,50"), ("31.02.2026", "99,00"), ("01.10.2026", "-250,00"),
          ("01.10.2026", "zwölf Euro"), ("01.10.2026", ""))


def german_amount(cents: int) -> str:
    """12345050 → '123.450,50'."""
    return f"{cents / 100:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def near_miss(company: str, rng: random.Random) -> str:
    """One letter of the name changed ('Schmidt AG' → 'Schmitt AG'), the legal form kept."""
    letters = [i for i, c in enumerate(company) if c.isalpha()]
    if len(letters) < 6:
        return company + "e"
    at = rng.choice(letters[1:-1])
    return company[:at] + ("x" if company[at].lower() != "x" else "y") + company[at + 1:]


def order_date(lead: LeadCandidate, rng: random.Random) -> dt.date:
    """A few weeks after the lead was captured (never after the last date of the export)."""
    captured = lead.created_at.date()
    return min(captured + dt.timedelta(days=rng.randint(0, 60)), max(captured, LAST_ORDER_DATE))


def write_orders(path: Path, orders: int, leads: Sequence[LeadCandidate], seed: int = 11) -> None:
    """``orders`` orders, a few of them over two lines (one order number, two amounts)."""
    rng = random.Random(seed)
    with_email = [lead for lead in leads if lead.email and lead.company]
    with_domain = [lead for lead in with_email if lead.business_domain]
    with open(path, "w", newline="", encoding="utf-8-sig") as handle:
        out = csv.writer(handle, delimiter=";")
        out.writerow(HEADERS)
        for n in range(orders):
            roll = rng.random()
            number, customer = f"RE-2026-{n:06d}", f"K{rng.randint(10000, 99999)}"
            cents = rng.randint(5_000, 5_000_000)
            currency = "EUR" if rng.random() < 0.97 else "CHF"
            if roll < EMAIL_SHARE:
                lead = rng.choice(with_email)
                row = [customer, lead.company, lead.email, "", number,
                       order_date(lead, rng).strftime("%d.%m.%Y"), german_amount(cents), currency]
            elif roll < EMAIL_SHARE + DOMAIN_SHARE:
                lead = rng.choice(with_domain)
                row = [customer, lead.company if rng.random() < 0.7 else "", "",
                       f"www.{lead.business_domain}", number,
                       order_date(lead, rng).strftime("%d.%m.%Y"), german_amount(cents), currency]
            elif roll < EMAIL_SHARE + DOMAIN_SHARE + NEAR_MISS_SHARE:
                lead = rng.choice(with_email)
                row = [customer, near_miss(lead.company, rng), "", "", number,
                       order_date(lead, rng).strftime("%d.%m.%Y"), german_amount(cents), currency]
            elif roll < 1 - BAD_SHARE:
                shop = f"Neukunde {n} Handels GmbH"
                date = LAST_ORDER_DATE - dt.timedelta(days=rng.randint(0, 300))
                row = [customer, shop, f"einkauf@neukunde{n}.de", "", number,
                       date.strftime("%d.%m.%Y"), german_amount(cents), "EUR"]
            else:
                date_text, amount_text = rng.choice(BROKEN)
                row = [customer, f"Kaputt {n} KG", "", "", number, date_text, amount_text, "EUR"]
            out.writerow(row)
            if rng.random() < 0.01:  # a second line of the same invoice
                out.writerow([*row[:6], german_amount(rng.randint(1_000, 100_000)), row[7]])


def copy_database(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as reading, sqlite3.connect(target) as writing:
        reading.backup(writing)


def timed_imports(path: Path, orders: Path) -> tuple[float, float, float, CustomerImportReport,
                                                     CustomerImportReport]:
    """Seconds of the preview, the import and the re-import, and the two imports' reports."""
    database, _outcome = open_database(path)
    try:
        customers = Services.build(database).customers
        started = time.perf_counter()
        table = customers.open(orders)
        mapping = customers.suggested_mapping(table)
        customers.preview(table, mapping)
        preview = time.perf_counter() - started
        started = time.perf_counter()
        table = customers.open(orders)
        first = customers.run(table, customers.suggested_mapping(table))
        run = time.perf_counter() - started
        started = time.perf_counter()
        table = customers.open(orders)
        again = customers.run(table, customers.suggested_mapping(table))
        rerun = time.perf_counter() - started
    finally:
        database.dispose()
    return preview, run, rerun, first, again


def traced_import(path: Path, orders: Path) -> int:
    """Peak bytes traced during one import (a separate run: tracemalloc slows Python down)."""
    database, _outcome = open_database(path)
    try:
        customers = Services.build(database).customers
        tracemalloc.start()
        table = customers.open(orders)
        customers.run(table, customers.suggested_mapping(table))
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    finally:
        database.dispose()
    return peak


def main(orders: int = 20_000) -> bool:
    source = demo_database(LEADS)
    with TemporaryDirectory(prefix="leadline-bench-customers-") as folder:
        work = Path(folder)
        database, _outcome = open_database(source)
        try:
            with database.read() as session:
                leads = list(CustomerRepository(session).candidates())
        finally:
            database.dispose()
        order_file = work / "Rechnungen.csv"
        write_orders(order_file, orders, leads)
        copy = work / "timed.sqlite"
        copy_database(source, copy)
        preview, run, rerun, first, again = timed_imports(copy, order_file)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)
        copy = work / "traced.sqlite"
        copy_database(source, copy)
        peak = traced_import(copy, order_file)
    print(f"customer import benchmark: {orders:,} orders ({first.read:,} rows) against "
          f"{len(leads):,} stored leads")
    print(f"INFO  import: {first.matched:,} matched, {first.review:,} to review, "
          f"{first.unmatched:,} without a lead, {len(first.rejected):,} rows rejected, "
          f"{first.leads_won:,} leads won; re-import: {again.unchanged:,} unchanged, "
          f"{again.created + again.updated:,} written")
    print(f"INFO  import {first.read / run:,.0f} rows/s; "
          f"{1000 * run / max(first.leads_won, 1):.1f} ms per lead won (crediting a lead sets it "
          "won through the lead service, which re-scores it and updates its cadence)")
    ok = report(f"customer import preview, {orders:,} orders", preview, PREVIEW_LIMIT, "s")
    ok &= report(f"customer import, {orders:,} orders", run, IMPORT_LIMIT, "s")
    ok &= report(f"customer re-import of the same file ({again.unchanged:,} unchanged)", rerun,
                 REIMPORT_LIMIT, "s")
    ok &= report("customer import peak memory (tracemalloc)", peak / 1e6, MEMORY_LIMIT, "MB")
    if again.created or again.updated:
        print(f"FAIL  the re-import wrote {again.created + again.updated:,} orders; "
              "the same file should leave every order unchanged", flush=True)
        ok = False
    return ok


if __name__ == "__main__":
    sys.exit(0 if main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000) else 1)
