"""Realistic, deterministic demo data: a sales organisation, its trade shows and many leads.

Demo data lets a new user see every screen populated (orphans, overdue follow-ups, the funnel,
cost per show) and lets us measure the app at a million leads. Faker is far too slow for that
(about 4k rows/s), so it is only used once per seed to build small pools of names, companies
and streets per locale; leads are recombined from those pools with ``random.Random``, and
phone numbers from validated per-country number stems. Rows go to the database in chunks
through :class:`~app.storage.repositories.bulk.BulkWriter`.

Determinism: the same seed and lead count on an empty database (and the same clock reading)
gives the same rows, ids included; ids are UUIDv7 built from the row's timestamp and the
seeded generator. Only ``device_id`` differs, because it names the database that wrote the row.

This module is the public entry point; the pieces live in :mod:`app.services.demo`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from random import Random

from app.domain.errors import ValidationError
from app.services.context import ServiceContext
from app.services.demo.leads import LeadFactory
from app.services.demo.organisation import build_organisation
from app.services.demo.plan import DEFAULT_CHUNK_SIZE, DemoPlan
from app.services.demo.pools import pools_for
from app.services.demo.schedule import lead_schedule
from app.services.demo.seeded import demo_id
from app.storage.repositories.bulk import BulkWriter

__all__ = ["DEFAULT_CHUNK_SIZE", "DemoPlan", "DemoService", "DemoSummary", "demo_id"]


@dataclass(frozen=True)
class DemoSummary:
    """What one :meth:`DemoService.generate` run added (users/events: newly created only)."""

    leads: int
    events: int
    users: int
    tasks: int
    activities: int
    seconds: float


class DemoService:
    """Fills a database with a demo organisation and as many leads as asked for."""

    def __init__(self, context: ServiceContext, *, chunk_size: int = DEFAULT_CHUNK_SIZE) -> None:
        self.context = context
        self.db = context.db
        self.chunk_size = chunk_size

    def plan(self, leads: int, *, seed: int = 1) -> DemoPlan:
        """Decide the organisation and prepare the lead stream, writing nothing yet.

        The lead generator is seeded with (seed, number of leads already stored), so a second
        run appends different leads instead of repeating the first run's ids.
        """
        if leads < 0:
            raise ValidationError.single("leads", "must be zero or more")
        now = self.context.clock()
        device_id = self.context.device_id  # before any transaction: it may write app_meta
        existing = BulkWriter(self.db).count("lead")
        org = build_organisation(self.context, seed, existing, now, device_id)
        rng = Random(f"leadline-demo:{seed}:{existing}")
        factory = LeadFactory(org, pools_for(seed), rng, now, device_id)
        return DemoPlan(leads, org.rows, factory, lead_schedule(leads, now, org.shows, rng))

    def generate(self, leads: int, *, seed: int = 1,
                 progress: Callable[[int, int], None] | None = None,
                 cancelled: Callable[[], bool] | None = None) -> DemoSummary:
        """Create the demo organisation (reusing what exists) and ``leads`` leads.

        The organisation is written first. Leads follow in chunks, one transaction each, with
        their tasks and history, so a lead never appears without them. ``progress(done, total)``
        is called after every chunk. When ``cancelled()`` turns true the run stops before the
        next chunk; chunks already committed stay in the database (a valid, smaller demo), and
        the summary counts only those.
        """
        started = time.perf_counter()
        plan = self.plan(leads, seed=seed)
        done = tasks = activities = 0
        with BulkWriter(self.db) as writer:
            writer.write(plan.organisation)
            stream = plan.chunks(self.chunk_size)
            while not (cancelled is not None and cancelled()):
                batch = next(stream, None)
                if batch is None:
                    break
                written = writer.write(batch)
                done += written.get("lead", 0)
                tasks += written.get("task", 0)
                activities += written.get("activity", 0)
                if progress is not None:
                    progress(done, leads)
        return DemoSummary(leads=done, events=plan.new_events, users=plan.new_users,
                           tasks=tasks, activities=activities,
                           seconds=time.perf_counter() - started)
