"""Which incarnation authors this database's ops, minted anew when the file was copied, and its clock."""

from __future__ import annotations

import secrets

from app.services.context import ServiceContext
from app.services.sync import meta
from app.services.sync.report import SyncReport
from app.storage.db import Database
from app.sync.clock import HybridClock, Timestamp


def wall_ms(context: ServiceContext) -> int:
    return int(context.clock().timestamp() * 1000)


def incarnation(db: Database) -> str | None:
    return db.get_meta(meta.INCARNATION)


def device(db: Database, inc: str) -> str:
    """The name this laptop's files carry in the folder."""
    return db.get_meta(meta.DEVICE) or inc


def mint(db: Database, report: SyncReport) -> str:
    old = db.get_meta(meta.INCARNATION)
    inc, device_name = secrets.token_hex(8), secrets.token_hex(8)
    if old:
        db.set_meta(meta.ANCESTOR, old)
        report.new_incarnation = True
    db.set_meta(meta.INCARNATION, inc)
    db.set_meta(meta.DEVICE, device_name)
    db.set_meta(meta.DB_PATH, str(db.path.resolve()))
    return inc


def decide(db: Database, report: SyncReport) -> str:
    """Rule: the incarnation (author of new ops) is kept while the database file stays at the
    path it was minted at. A different path means the file was copied (or moved): a copy
    writing under the original's incarnation would reuse its op ids, so a new one is minted.
    A folder holding ops of our incarnation beyond what we authored (a restored backup, an
    undetected copy) also mints one, checked in ``SyncService.sync`` after the scan."""
    inc = db.get_meta(meta.INCARNATION)
    if inc is None or db.get_meta(meta.DB_PATH) != str(db.path.resolve()):
        if inc is not None:
            report.warnings.append("this database was copied or moved: it now syncs under "
                                   "a new identity")
        inc = mint(db, report)
    return inc


def clock(context: ServiceContext, inc: str) -> HybridClock:
    """This incarnation's clock, after everything it issued or observed (saved with every
    batch that moved it)."""
    last = Timestamp(0, 0, inc)
    saved = context.db.get_meta(meta.HLC)
    if saved:
        try:
            stamp = Timestamp.decode(saved)
            last = Timestamp(stamp.wall_ms, stamp.counter, inc)
        except ValueError:
            pass
    return HybridClock(inc, lambda: wall_ms(context), last)
