"""Run every benchmark: ``python -m tests.benchmarks [LEADS]`` (default 1,000,000 leads)."""

from __future__ import annotations

import sys

from tests.benchmarks import (
    bench_attribution,
    bench_backup,
    bench_booth_scan,
    bench_camera,
    bench_cards,
    bench_customers,
    bench_daily_jobs,
    bench_dedupe,
    bench_demo_insert,
    bench_distribution,
    bench_engine,
    bench_erasure,
    bench_export,
    bench_import,
    bench_lead_list,
    bench_my_day,
    bench_report,
    bench_sync,
)


def main() -> int:
    leads = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    results = [bench_demo_insert.main(), bench_lead_list.main(leads), bench_booth_scan.main(),
               bench_import.main(), bench_dedupe.main(), bench_erasure.main(leads),
               bench_engine.main([str(leads)]), bench_distribution.main(leads),
               bench_my_day.main(leads), bench_daily_jobs.main(leads), bench_report.main(),
               bench_export.main(), bench_customers.main(), bench_attribution.main(leads),
               bench_cards.main(), bench_camera.main(), bench_sync.main(), bench_backup.main(leads)]
    print("all benchmarks within limits" if all(results) else "SOME BENCHMARKS EXCEEDED THEIR LIMITS")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
