"""Exports at scale: a 100,000-lead XLSX workbook must take no more memory than a 10,000 one.

Run: ``.venv/bin/python -m tests.benchmarks.bench_export [LEADS]`` (default 100,000; the small
run is a tenth of it). Python's peak allocation (tracemalloc) is measured around the export
alone, on cached demo databases; the time is measured in a separate, untraced run. Each export
is printed beside its floor, measured in the same run: for CSV the csv module alone writing the
same rows and columns, already in memory as lists of text; for vCard vobject serialising the
same cards (what the export used before it wrote the text itself); for XLSX XlsxWriter alone
(constant memory, what the export used before it wrote the package itself, see xlsx_writer)
writing the same cells from lists in memory. Times are
wall clock and, in brackets, the process's CPU time: on a shared machine the wall clock also
counts other programs' turns, so the ratios to the floors are taken from CPU times.
"""

from __future__ import annotations

import csv
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

from app.domain.exports import ExportFormat
from app.domain.leads import LeadQuery
from app.services.container import Services
from app.storage.opening import open_database
from tests.benchmarks.common import demo_database, report

CSV_FLOOR_RATIO_LIMIT = 2.0  # our CSV export / the csv module writing the same cells
VCARD_FLOOR_RATIO_LIMIT = 2.0  # our vCard export / vobject serialising the same cards
PEAK_RATIO_LIMIT = 1.5  # peak at LEADS / peak at LEADS/10
SECONDS_PER_100K_LIMIT = 15.0  # XLSX, all columns (issue 18)


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float

    def __str__(self) -> str:
        return f"{self.wall:,.1f} s (cpu {self.cpu:,.1f} s)"


class _Stopwatch:
    def __enter__(self) -> _Stopwatch:
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.timing = Timing(time.perf_counter() - self._wall, time.process_time() - self._cpu)


def _export(services: Services, fmt: ExportFormat, folder: Path, *, traced: bool
            ) -> tuple[int, Timing, float]:
    """(rows written, time, peak MB or 0 when untraced)."""
    target = folder / f"leads{fmt.suffix}"
    if traced:
        tracemalloc.start()
    with _Stopwatch() as watch:
        result = services.exports.export(LeadQuery(), target, fmt)
    peak = 0.0
    if traced:
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    target.unlink()
    return result.written, watch.timing, peak


def _beside(name: str, written: int, timing: Timing, floor_name: str, floor: Timing) -> None:
    print(f"{name} {written:,} rows: {timing}; {floor_name} alone, same cells: {floor} "
          f"({timing.cpu / floor.cpu:,.2f}x its cpu time)", flush=True)


def measure(leads: int, folder: Path) -> tuple[Timing, float, float]:
    """(XLSX time untraced, XLSX peak MB, XLSX floor's CPU seconds) for ``leads`` leads."""
    database, _ = open_database(demo_database(leads))
    try:
        services = Services.build(database)
        written, timing, _ = _export(services, ExportFormat.XLSX, folder, traced=False)
        _, _, peak = _export(services, ExportFormat.XLSX, folder, traced=True)
        floor = xlsx_floor(services, folder)
        _beside("xlsx", written, timing, "XlsxWriter", floor)
        print(f"xlsx {written:,} rows: peak {peak:,.1f} MB, {written / timing.wall:,.0f} rows/s",
              flush=True)
        return timing, peak, floor.cpu
    finally:
        database.dispose()


def csv_floor(services: Services, folder: Path) -> Timing:
    """The time the csv module alone takes to write the CSV export's cells."""
    from app.domain.exports import ExportPurpose
    from app.exporters.csv_layouts import native_layout
    from app.services.export_service import purpose_columns

    layout = native_layout(purpose_columns(ExportPurpose.ALL))
    lines = [["" if cell is None else str(cell) for cell in layout.row(lead)]
             for lead in services.exports.rows(LeadQuery(), ExportPurpose.ALL, {})]
    target = folder / "floor.csv"
    with _Stopwatch() as watch, open(target, "w", encoding="utf-8-sig", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(layout.header)
        out.writerows(lines)
    target.unlink()
    return watch.timing


def xlsx_floor(services: Services, folder: Path) -> Timing:
    """The time XlsxWriter alone takes to write the XLSX export's cells from lists in memory:
    text as text cells, numbers and flags as such, in constant-memory mode (the fastest
    maintained library writer; the export writes the package itself, see xlsx_writer)."""
    from xlsxwriter import Workbook

    from app.domain.exports import ExportPurpose
    from app.exporters.csv_layouts import native_layout
    from app.services.export_service import purpose_columns

    layout = native_layout(purpose_columns(ExportPurpose.ALL))
    lines = [list(layout.row(lead))
             for lead in services.exports.rows(LeadQuery(), ExportPurpose.ALL, {})]
    target = folder / "floor.xlsx"
    with _Stopwatch() as watch:
        workbook = Workbook(str(target), {"constant_memory": True})
        sheet = workbook.add_worksheet("Leads")
        write_string, write_number, write_boolean = (sheet.write_string, sheet.write_number,
                                                     sheet.write_boolean)
        for column, name in enumerate(layout.header):
            write_string(0, column, name)
        for row, line in enumerate(lines, start=1):
            for column, value in enumerate(line):
                if value is None or value == "":
                    continue
                if value.__class__ is bool:
                    write_boolean(row, column, value)
                elif value.__class__ is int or value.__class__ is float:
                    write_number(row, column, value)
                else:
                    write_string(row, column, str(value))
        workbook.close()
    target.unlink()
    return watch.timing


def vcard_floor(services: Services, folder: Path) -> Timing:
    """The time vobject takes to build and serialise the vCard export's cards."""
    from app.domain.exports import ExportPurpose
    from tests.vobject_cards import vobject_card

    leads = list(services.exports.rows(LeadQuery(), ExportPurpose.ALL, {}))
    target = folder / "floor.vcf"
    with _Stopwatch() as watch, open(target, "w", encoding="utf-8", newline="") as handle:
        for lead in leads:
            handle.write(vobject_card(lead))
    target.unlink()
    return watch.timing


def other_formats(leads: int, folder: Path) -> bool:
    database, _ = open_database(demo_database(leads))
    try:
        services = Services.build(database)
        floors = {ExportFormat.CSV: ("the csv module", csv_floor(services, folder)),
                  ExportFormat.VCARD: ("vobject", vcard_floor(services, folder))}
        timings: dict[ExportFormat, Timing] = {}
        for fmt in (ExportFormat.CSV, ExportFormat.SALESFORCE, ExportFormat.VCARD):
            written, timings[fmt], _ = _export(services, fmt, folder, traced=False)
            if fmt in floors:
                _beside(fmt.value, written, timings[fmt], *floors[fmt])
            else:
                print(f"{fmt.value} {written:,} rows: {timings[fmt]}", flush=True)
    finally:
        database.dispose()
    csv_floor_cpu, card_floor_cpu = floors[ExportFormat.CSV][1].cpu, floors[ExportFormat.VCARD][1].cpu
    csv_ok = report(f"csv export of {leads:,} leads against the csv module's floor (cpu)",
                    timings[ExportFormat.CSV].cpu / csv_floor_cpu, CSV_FLOOR_RATIO_LIMIT, "x",
                    basis=f"{csv_floor_cpu:,.2f} s floor x {CSV_FLOOR_RATIO_LIMIT:g}")
    vcard_ok = report(f"vcard export of {leads:,} leads against vobject's floor (cpu)",
                      timings[ExportFormat.VCARD].cpu / card_floor_cpu, VCARD_FLOOR_RATIO_LIMIT,
                      "x", basis=f"{card_floor_cpu:,.2f} s floor x {VCARD_FLOOR_RATIO_LIMIT:g}")
    return csv_ok and vcard_ok


def main(leads: int = 100_000) -> bool:
    with tempfile.TemporaryDirectory(prefix="leadline-export-") as name:
        folder = Path(name)
        _small, small_peak, _ = measure(leads // 10, folder)
        big, big_peak, big_floor_cpu = measure(leads, folder)
        csv_ok = other_formats(leads, folder)
    memory_ok = report(f"xlsx peak memory, {leads:,} vs {leads // 10:,} rows",
                       big_peak / small_peak, PEAK_RATIO_LIMIT, "x")
    limit = SECONDS_PER_100K_LIMIT * max(1.0, leads / 100_000)
    time_ok = report(f"xlsx export of {leads:,} leads", big.wall, limit, "s",
                     basis=f"{SECONDS_PER_100K_LIMIT:g} s per 100,000 leads")
    report(f"xlsx export of {leads:,} leads (cpu)", big.cpu, limit, "s",
           basis=f"{SECONDS_PER_100K_LIMIT:g} s per 100,000 leads; XlsxWriter alone "
                 f"{big_floor_cpu:,.1f} s")
    return memory_ok and time_ok and csv_ok


if __name__ == "__main__":
    sys.exit(0 if main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000) else 1)
