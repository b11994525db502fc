"""Exports at scale: a 100,000-lead XLSX workbook must take no more memory than a 10,000 one.

Run: ``.venv/bin/python -m tests.benchmarks.bench_export [LEADS]`` (default 100,000; the small
run is a tenth of it). Python's peak allocation (tracemalloc) is measured around the export
alone, on cached demo databases; the time is measured in a separate, untraced run. The CSV
export is compared with its floor, measured in the same run: the csv module alone writing the
same rows and columns, already in memory as lists of text; the vCard export with its floor,
vobject serialising the same cards (what the export used before it wrote the text itself).
"""

from __future__ import annotations

import csv
import sys
import tempfile
import time
import tracemalloc
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


def _export(services: Services, fmt: ExportFormat, folder: Path, *, traced: bool
            ) -> tuple[int, float, float]:
    """(rows written, seconds, peak MB or 0 when untraced)."""
    target = folder / f"leads{fmt.suffix}"
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    result = services.exports.export(LeadQuery(), target, fmt)
    seconds = time.perf_counter() - started
    peak = 0.0
    if traced:
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    target.unlink()
    return result.written, seconds, peak


def measure(leads: int, folder: Path) -> tuple[float, float]:
    """(XLSX seconds untraced, XLSX peak MB) for a database of ``leads`` leads."""
    database, _ = open_database(demo_database(leads))
    try:
        services = Services.build(database)
        written, seconds, _ = _export(services, ExportFormat.XLSX, folder, traced=False)
        _, _, peak = _export(services, ExportFormat.XLSX, folder, traced=True)
        floor = xlsx_floor(services, folder)
        print(f"xlsx {written:,} rows: {seconds:,.1f} s, peak {peak:,.1f} MB "
              f"({written / seconds:,.0f} rows/s); openpyxl write-only alone, same cells: "
              f"{floor:,.1f} s ({seconds / floor:,.2f}x)", flush=True)
        return seconds, peak
    finally:
        database.dispose()


def csv_floor(services: Services, folder: Path) -> float:
    """Seconds the csv module alone takes to write the CSV export's cells."""
    from app.domain.exports import ExportPurpose
    from app.exporters.csv_layouts import native_layout
    from app.services.export_service import purpose_columns

    layout = native_layout(purpose_columns(ExportPurpose.ALL))
    lines = [["" if cell is None else str(cell) for cell in layout.row(lead)]
             for lead in services.exports.rows(LeadQuery(), ExportPurpose.ALL, {})]
    target = folder / "floor.csv"
    started = time.perf_counter()
    with open(target, "w", encoding="utf-8-sig", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(layout.header)
        out.writerows(lines)
    seconds = time.perf_counter() - started
    target.unlink()
    return seconds


def xlsx_floor(services: Services, folder: Path) -> float:
    """Seconds openpyxl's write-only mode alone takes to write the XLSX export's cells (what
    the export used before XlsxWriter)."""
    from openpyxl import Workbook

    from app.domain.exports import ExportPurpose
    from app.exporters.csv_layouts import native_layout
    from app.services.export_service import purpose_columns

    layout = native_layout(purpose_columns(ExportPurpose.ALL))
    lines = [list(layout.row(lead))
             for lead in services.exports.rows(LeadQuery(), ExportPurpose.ALL, {})]
    target = folder / "floor.xlsx"
    started = time.perf_counter()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Leads")
    sheet.append(layout.header)
    for line in lines:
        sheet.append(line)
    workbook.save(target)
    seconds = time.perf_counter() - started
    target.unlink()
    return seconds


def vcard_floor(services: Services, folder: Path) -> float:
    """Seconds vobject takes to build and serialise the vCard export's cards."""
    from app.domain.exports import ExportPurpose
    from tests.vobject_cards import vobject_card

    leads = list(services.exports.rows(LeadQuery(), ExportPurpose.ALL, {}))
    target = folder / "floor.vcf"
    started = time.perf_counter()
    with open(target, "w", encoding="utf-8", newline="") as handle:
        for lead in leads:
            handle.write(vobject_card(lead))
    seconds = time.perf_counter() - started
    target.unlink()
    return seconds


def other_formats(leads: int, folder: Path) -> bool:
    database, _ = open_database(demo_database(leads))
    try:
        services = Services.build(database)
        floor = csv_floor(services, folder)
        print(f"csv module alone, same cells: {floor:,.1f} s", flush=True)
        card_floor = vcard_floor(services, folder)
        print(f"vobject alone, same cards: {card_floor:,.1f} s", flush=True)
        csv_seconds = vcard_seconds = 0.0
        for fmt in (ExportFormat.CSV, ExportFormat.SALESFORCE, ExportFormat.VCARD):
            written, seconds, _ = _export(services, fmt, folder, traced=False)
            print(f"{fmt.value} {written:,} rows: {seconds:,.1f} s", flush=True)
            if fmt is ExportFormat.CSV:
                csv_seconds = seconds
            elif fmt is ExportFormat.VCARD:
                vcard_seconds = seconds
    finally:
        database.dispose()
    csv_ok = report(f"csv export of {leads:,} leads against the csv module's floor",
                    csv_seconds / floor, CSV_FLOOR_RATIO_LIMIT, "x",
                    basis=f"{floor:,.1f} s floor x {CSV_FLOOR_RATIO_LIMIT:g}")
    vcard_ok = report(f"vcard export of {leads:,} leads against vobject's floor",
                      vcard_seconds / card_floor, VCARD_FLOOR_RATIO_LIMIT, "x",
                      basis=f"{card_floor:,.1f} s floor x {VCARD_FLOOR_RATIO_LIMIT:g}")
    return csv_ok and vcard_ok


def main(leads: int = 100_000) -> bool:
    with tempfile.TemporaryDirectory(prefix="leadline-export-") as name:
        folder = Path(name)
        _small_seconds, small_peak = measure(leads // 10, folder)
        big_seconds, big_peak = measure(leads, folder)
        csv_ok = other_formats(leads, folder)
    memory_ok = report(f"xlsx peak memory, {leads:,} vs {leads // 10:,} rows",
                       big_peak / small_peak, PEAK_RATIO_LIMIT, "x")
    limit = SECONDS_PER_100K_LIMIT * max(1.0, leads / 100_000)
    time_ok = report(f"xlsx export of {leads:,} leads", big_seconds, limit, "s",
                     basis=f"{SECONDS_PER_100K_LIMIT:g} s per 100,000 leads")
    return memory_ok and time_ok and csv_ok


if __name__ == "__main__":
    sys.exit(0 if main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000) else 1)
