"""Attribution and conversion analysis at N demo leads with matched orders: seconds to the
numbers (both models) and to the PDF.

Run: ``.venv/bin/python -m tests.benchmarks.bench_attribution [LEADS] [ORDERS]`` (default
100,000 leads, 5,000 orders). The cached demo database is copied first (orders are added to
the copy, never to the cache): a share of the orders goes to won leads, the rest to any lead,
in EUR and a few in USD.
"""

from __future__ import annotations

import random
import shutil
import sqlite3
import sys
import time
from pathlib import Path
from tempfile import TemporaryDirectory

from sqlalchemy import func, select

from app.clock import utc_now
from app.domain.attribution import Model
from app.domain.leads import LeadStatus
from app.services.container import Services
from app.storage.db import Database
from app.storage.opening import open_database
from app.storage.orm import CustomerOrderRow, Event, Lead
from tests.benchmarks.common import demo_database, report

ANALYSIS_LIMIT_100K = 5.0  # seconds, each model
PDF_LIMIT_100K = 8.0


def seed_orders(database: Database, count: int, seed: int = 7) -> int:
    """``count`` matched orders on random leads (most on won ones), mostly in the currency of
    the lead's event; the total in EUR cents."""
    rng = random.Random(seed)
    with database.read() as session:
        leads = select(Lead.id, func.coalesce(Event.currency, "EUR")).outerjoin(
            Event, Event.id == Lead.event_id).where(Lead.deleted_at.is_(None))
        won = list(session.execute(leads.where(Lead.status == LeadStatus.WON)))
        anyone = list(session.execute(leads.limit(50_000)))
    now = utc_now()
    total = 0
    with database.write() as session:
        for n in range(count):
            lead, currency = rng.choice(won if won and rng.random() < 0.8 else anyone)
            amount = rng.randint(500, 2_000_000)
            if rng.random() < 0.02:
                currency = "USD" if currency != "USD" else "EUR"  # a customer billed abroad
            total += amount if currency == "EUR" else 0
            session.add(CustomerOrderRow(
                order_key=f"bench-{n}", order_date=now.date(), amount=amount,
                currency=currency, lead_id=lead, match_status="matched", imported_at=now,
                updated_at=now, device_id=database.device_id))
    return total


def main(leads: int = 100_000, orders: int = 5_000) -> bool:
    source = demo_database(leads)
    with TemporaryDirectory(prefix="leadline-bench-attribution-") as folder:
        path = Path(folder) / "copy.sqlite"
        with sqlite3.connect(source) as reading, sqlite3.connect(path) as writing:
            reading.backup(writing)
        database, _outcome = open_database(path)
        try:
            seed_orders(database, orders)
            services = Services.build(database)
            ok = True
            limit = ANALYSIS_LIMIT_100K * max(leads / 100_000, 0.1)
            for model in Model:
                started = time.perf_counter()
                services.attribution.analysis(model)
                ok &= report(f"attribution numbers, {model.label}, {leads:,} leads, "
                             f"{orders:,} orders", time.perf_counter() - started, limit, "s")
            started = time.perf_counter()
            result = services.reports.report("attribution", Path(folder) / "a.pdf",
                                             page_size="A4", model="even")
            ok &= report(f"attribution PDF ({result.pages} pages)",
                         time.perf_counter() - started,
                         PDF_LIMIT_100K * max(leads / 100_000, 0.1), "s")
        finally:
            database.dispose()
        shutil.rmtree(folder, ignore_errors=True)
    return ok


if __name__ == "__main__":
    arguments = [int(a) for a in sys.argv[1:3]]
    sys.exit(0 if main(*arguments) else 1)
