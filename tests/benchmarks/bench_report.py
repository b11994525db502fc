"""Status report of N leads: seconds to PDF and peak memory, next to a plain LongTable.

Run: ``.venv/bin/python -m tests.benchmarks.bench_report [ROWS]`` (default 10,000). The status
report (summary, charts and the streamed lead list) is written through ReportService; the
baseline lays the same rows out as one reportlab ``LongTable`` with ``repeatRows=1`` and
Paragraph cells, all held in memory, as a straightforward implementation would. With more than
10,000 rows the 10,000-lead report is measured too, to show memory stays flat: the Python peak
(tracemalloc) and the rise of the process's resident peak (RSS, in a fresh process each, as it
also counts what SQLite and zlib allocate outside Python).
"""

from __future__ import annotations

import io
import multiprocessing
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from tempfile import TemporaryDirectory

from reportlab.lib.pagesizes import A4
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate

from app.domain.reports import ReportFilters
from app.reports.fonts import markup
from app.reports.formats import fmt_day
from app.reports.page import MARGIN
from app.reports.status_report import LIST_LABELS, list_columns
from app.reports.style import styles
from app.reports.tables import table_style
from app.services.container import Services
from app.storage.opening import open_database
from app.storage.repositories.reports import ReportRepository
from tests.benchmarks.common import demo_database, report

SECONDS_LIMIT_10K = 5.0
MEMORY_GROWTH_LIMIT = 1.5  # peak at N rows / peak at 10,000 rows


def _ours(db_path: Path, out: Path) -> Callable[[], int]:
    def run() -> int:
        database, _ = open_database(db_path)
        try:
            return Services.build(database).reports.report("status", out, page_size="A4").pages
        finally:
            database.dispose()
    return run


def _baseline(db_path: Path) -> Callable[[], int]:
    def run() -> int:
        database, _ = open_database(db_path)
        st = styles()
        widths = list(list_columns(A4).widths)
        data: list[list[object]] = [list(LIST_LABELS)]
        try:
            with database.read() as session:
                for chunk in ReportRepository(session).lead_lines(ReportFilters()):
                    for line in chunk:
                        data.append([Paragraph(markup(v), st.cell) for v in (
                            line.name, line.company, line.status.label, line.owner,
                            line.source, fmt_day(line.last_touch_at),
                            f"{fmt_day(line.next_due_at)} {line.next_step}")])
        finally:
            database.dispose()
        table = LongTable(data, colWidths=widths, repeatRows=1)
        table.setStyle(table_style(header=True))
        doc = SimpleDocTemplate(io.BytesIO(), pagesize=A4, leftMargin=MARGIN,
                                rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN)
        doc.build([table])
        return int(doc.page)
    return run


def _timed(run: Callable[[], int]) -> tuple[float, int]:
    started = time.perf_counter()
    pages = run()
    return time.perf_counter() - started, pages


def _peak_mb(run: Callable[[], int]) -> float:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def _resident_peak_mb() -> float:
    """This process's resident peak: Linux's VmHWM, as ru_maxrss carries the parent's over."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1e3
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1e6 if sys.platform == "darwin" else peak / 1e3  # bytes there, else KiB


def _rss_child(db_path: Path, out: Path, results: multiprocessing.Queue[float]) -> None:
    styles()
    before = _resident_peak_mb()
    _ours(db_path, out)()
    results.put(_resident_peak_mb() - before)


def _rss_growth_mb(db_path: Path, out: Path) -> float:
    """How far one report raises the resident peak of a fresh process (imports done)."""
    context = multiprocessing.get_context("spawn")
    results: multiprocessing.Queue[float] = context.Queue()
    child = context.Process(target=_rss_child, args=(db_path, out, results))
    child.start()
    growth = results.get()
    child.join()
    return growth


def main(rows: int = 10_000) -> bool:
    ok = True
    with TemporaryDirectory() as folder:
        out = Path(folder) / "status.pdf"
        small = demo_database(10_000)
        styles()  # fonts registered once, outside the timings
        seconds, pages = _timed(_ours(small, out))
        print(f"status report, 10,000 leads: {pages:,} pages, "
              f"{out.stat().st_size / 1e6:,.1f} MB", flush=True)
        ok &= report("status report 10,000 leads to PDF", seconds, SECONDS_LIMIT_10K, "s")
        base_seconds, base_pages = _timed(_baseline(small))
        print(f"baseline LongTable, 10,000 leads: {base_pages:,} pages, {base_seconds:,.2f} s "
              f"({base_seconds / seconds:,.1f}x ours)", flush=True)
        peak_small = _peak_mb(_ours(small, out))
        base_peak = _peak_mb(_baseline(small))
        rss_small = _rss_growth_mb(small, out)
        print(f"peak memory (tracemalloc), 10,000 leads: ours {peak_small:,.2f} MB, "
              f"baseline LongTable {base_peak:,.1f} MB; resident peak rise {rss_small:,.1f} MB",
              flush=True)
        if rows > 10_000:
            big = demo_database(rows)
            seconds, pages = _timed(_ours(big, out))
            print(f"status report, {rows:,} leads: {pages:,} pages, {seconds:,.1f} s, "
                  f"{out.stat().st_size / 1e6:,.1f} MB", flush=True)
            ok &= report(f"status report {rows:,} leads to PDF", seconds,
                         SECONDS_LIMIT_10K * rows / 10_000, "s",
                         basis=f"{rows / 10_000:g}x the 10,000-row limit")
            peak_big = _peak_mb(_ours(big, out))
            ok &= report(f"peak memory at {rows:,} leads", peak_big,
                         MEMORY_GROWTH_LIMIT * peak_small, "MB",
                         basis=f"{MEMORY_GROWTH_LIMIT}x the 10,000-row peak")
            rss_big = _rss_growth_mb(big, out)
            print(f"peak memory ratio {rows:,} / 10,000 leads: tracemalloc "
                  f"{peak_big / peak_small:,.2f}x (limit {MEMORY_GROWTH_LIMIT}x); resident peak "
                  f"rise {rss_big:,.1f} MB vs {rss_small:,.1f} MB (SQLite's page cache and "
                  "sorts, up to 16 MB a connection, count here)", flush=True)
    return ok


if __name__ == "__main__":
    sys.exit(0 if main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000) else 1)
