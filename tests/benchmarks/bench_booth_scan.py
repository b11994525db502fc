"""Booth: last keystroke of a badge scan → lead saved and the form ready for the next visitor.

Run: ``.venv/bin/python -m tests.benchmarks.bench_booth_scan [LEADS]`` (default 100,000).
Scans arrive as key bursts through the real event filter, with "save as soon as a badge is
scanned" on, as at a busy booth; the scanner's usual Enter suffix ends each one.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shiboken6  # noqa: E402
from PySide6.QtCore import QEvent, QSettings, Qt  # noqa: E402
from PySide6.QtGui import QKeyEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.domain.leads import LeadQuery  # noqa: E402
from app.services.container import Services  # noqa: E402
from app.storage.opening import open_database  # noqa: E402
from app.ui.application import create_application  # noqa: E402
from app.ui.pages.booth.capture_page import CapturePage  # noqa: E402
from app.ui.style import release_cached_icons  # noqa: E402
from tests.benchmarks.common import demo_database, report  # noqa: E402

LIMIT_MS = 100.0
SCANS = 150


def payloads(count: int) -> list[str]:
    """A realistic mix: id-only badges, vCards with CR line ends, JSON, MECARD."""
    scans = []
    for i in range(count):
        kind = i % 4
        if kind == 0:
            scans.append(f"{9_000_000 + i:08d}\r")
        elif kind == 1:
            scans.append(f"BEGIN:VCARD\rVERSION:3.0\rN:Bench{i};Zoë\rORG:Bench GmbH\r"
                         f"EMAIL:zoe{i}@bench.example\rTEL;CELL:+49 171 {1_000_000 + i}\r"
                         "END:VCARD\r")
        elif kind == 2:
            scans.append(f'{{"firstName":"Jo","lastName":"Json{i}","email":"jo{i}@json.example",'
                         f'"company":"Json AG","badgeId":"J{i}"}}\r')
        else:
            scans.append(f"MECARD:N:Card{i},Mia;EMAIL:mia{i}@card.example;ORG:Card SA;;\r")
    return scans


def type_burst(app: QApplication, text: str) -> float:
    """Type every key at scanner speed; returns the perf_counter time of the last key."""
    last = 0.0
    for index, char in enumerate(text):
        key = Qt.Key.Key_Return if char == "\r" else Qt.Key.Key_unknown
        if index == len(text) - 1:
            last = time.perf_counter()
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(QApplication.focusWidget(),
                                   QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, char))
    return last


def main(leads: int = 100_000) -> bool:
    source = demo_database(leads)
    app = create_application()
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "booth.sqlite"
        copy.write_bytes(source.read_bytes())  # the cached database stays untouched
        database, _ = open_database(copy)
        services = Services.build(database)
        booth_user = next(u for u in services.people.users() if u.role.value == "booth")
        services.people.sign_in(booth_user.id)
        before = services.leads.count(LeadQuery())
        settings = QSettings(str(Path(folder) / "booth.ini"), QSettings.Format.IniFormat)
        settings.setValue("booth/save_on_scan", True)
        page = CapturePage(services, settings)
        page.resize(1200, 800)
        page.show()
        app.processEvents()
        page.focus_first()
        timings = []
        for text in payloads(SCANS):
            last_key = type_burst(app, text)
            app.processEvents()
            ready = page.fields.edits["first_name"].hasFocus() and not page.fields.edits["badge_id"].text()
            timings.append((time.perf_counter() - last_key) * 1000)
            if not ready:
                print(f"FAIL  form not ready after scan {text!r}: {page.banner.text()}")
                return False
        saved = services.leads.count(LeadQuery()) - before
        print(f"booth scan benchmark at {before:,} leads: {len(timings)} scans, {saved} saved")
        ok = saved == SCANS
        if not ok:
            print(f"FAIL  expected {SCANS} new leads, got {saved}")
        p95 = statistics.quantiles(timings, n=20)[-1]
        ok &= report("last scan keystroke to lead saved and form ready, p95", p95, LIMIT_MS, "ms")
        print(f"      median {statistics.median(timings):.1f} ms, max {max(timings):.1f} ms")
        page.hide()
        shiboken6.delete(page)
        release_cached_icons()
        database.dispose()
    return ok


if __name__ == "__main__":
    sys.exit(0 if main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000) else 1)
