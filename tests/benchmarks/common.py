"""Helpers shared by the benchmarks: one verdict line per measurement, and cached demo databases.

Benchmarks are plain scripts (``bench_*.py``, never collected by pytest) because they take
minutes and need big databases; building a million-lead database once and reusing it keeps
the other benchmarks fast to re-run.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from app.services.context import ServiceContext
from app.services.demo_service import DemoService
from app.storage.migrate import head_revision
from app.storage.opening import open_database

CACHE_ENV_VAR = "LEADLINE_BENCH_CACHE"
DEFAULT_CACHE = Path("/tmp/leadline-bench")


def format_number(value: float) -> str:
    """Thousands separators for big numbers, two decimals for small ones (ratios, seconds)."""
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:,.1f}"
    return f"{value:,.2f}"


def report(name: str, value: float, limit: float, unit: str, higher_is_better: bool = False,
           *, basis: str = "") -> bool:
    """Print one line such as ``PASS  demo insert rate: 41,200 rows/s (limit >= 13,000 rows/s)``.

    ``basis`` explains a derived limit ("0.33x raw" prints "limit >= 0.33x raw = 13,000 rows/s").
    Returns whether the value is within the limit, so ``main()`` can combine verdicts.
    """
    passed = value >= limit if higher_is_better else value <= limit
    sign = ">=" if higher_is_better else "<="
    shown_limit = f"{format_number(limit)} {unit}".rstrip()
    if basis:
        shown_limit = f"{basis} = {shown_limit}"
    shown_value = f"{format_number(value)} {unit}".rstrip()
    verdict = "PASS" if passed else "FAIL"
    print(f"{verdict}  {name}: {shown_value} (limit {sign} {shown_limit})", flush=True)
    return passed


def cache_dir() -> Path:
    """Where benchmark databases are kept between runs ($LEADLINE_BENCH_CACHE or /tmp)."""
    return Path(os.environ.get(CACHE_ENV_VAR, "").strip() or DEFAULT_CACHE).expanduser()


def file_size(path: Path) -> int:
    """Bytes of a SQLite database including its WAL, which holds recent commits."""
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())


def demo_database(leads: int, seed: int = 1) -> Path:
    """A migrated database with ``leads`` demo leads, built once and then reused.

    The file name carries the lead count, seed and schema revision, so a migration added
    later builds a fresh file instead of upgrading (and backing up) a stale one. The build goes
    to a temporary name first: an interrupted build never leaves a file that looks complete.
    """
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"demo-{leads}-seed{seed}-schema{head_revision()}.sqlite"
    if path.exists():
        print(f"using cached {path} ({file_size(path) / 1e6:,.0f} MB)", flush=True)
        return path
    partial = folder / f"{path.stem}.{os.getpid()}.partial"
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    older = sorted(folder.glob(f"demo-{leads}-seed{seed}-schema*.sqlite"))
    if older:
        # Building a million demo leads again takes minutes; migrating a copy takes seconds.
        print(f"upgrading a copy of {older[-1].name} to schema {head_revision()}…", flush=True)
        with sqlite3.connect(older[-1]) as reading, sqlite3.connect(partial) as writing:
            reading.backup(writing)
        database, _outcome = open_database(partial)
        database.dispose()
        partial.replace(path)
        return path
    print(f"building {path} with {leads:,} demo leads…", flush=True)
    started = time.perf_counter()
    database, _outcome = open_database(partial)
    try:
        step = max(1, leads // 10)
        next_report = [step]

        def progress(done: int, total: int) -> None:
            if done >= next_report[0] or done == total:
                rate = done / max(time.perf_counter() - started, 1e-9)
                print(f"  {done:,} / {total:,} leads ({rate:,.0f} leads/s)", flush=True)
                next_report[0] = done + step

        summary = DemoService(ServiceContext(database)).generate(leads, seed=seed,
                                                                progress=progress)
    finally:
        database.dispose()  # closing the last connection checkpoints and removes the WAL
    for suffix in ("-wal", "-shm"):
        side = Path(f"{partial}{suffix}")
        if side.exists():
            side.replace(Path(f"{path}{suffix}"))
    partial.replace(path)
    seconds = time.perf_counter() - started
    print(f"built {path.name} in {seconds:,.1f} s: {summary.leads:,} leads, "
          f"{summary.activities:,} activities, {summary.tasks:,} tasks, "
          f"{file_size(path) / 1e6:,.0f} MB", flush=True)
    return path


def compare(name: str, value: float, beside: float, limit: float, unit: str,
            higher_is_better: bool = False, *, basis: str = "",
            beside_name: str = "SQLite") -> bool:
    """One line with a figure, the same figure measured another way in the same run, the limit
    and the verdict: ``met      search p95: server 41 ms · SQLite 12 ms (3.4x) · limit <= 300 ms``.
    Returns whether the figure is within the limit."""
    passed = value >= limit if higher_is_better else value <= limit
    sign = ">=" if higher_is_better else "<="
    shown_limit = f"{format_number(limit)} {unit}".rstrip()
    if basis:
        shown_limit = f"{basis} = {shown_limit}"
    ratio = f" ({format_number(value / beside)}x)" if beside else ""
    verdict = "met    " if passed else "NOT MET"
    print(f"{verdict}  {name}: server {format_number(value)} {unit} · {beside_name} "
          f"{format_number(beside)} {unit}{ratio} · limit {sign} {shown_limit}", flush=True)
    return passed
