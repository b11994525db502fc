"""The attribution and conversion report: the PDF through ReportService and the command line
(exit codes, --json, --model, the audit trail), and one revenue calculation behind the ROI and
funnel reports and the dashboard."""

from __future__ import annotations

import json
from pathlib import Path

import pypdf
import pytest

from app.cli.main import run
from app.domain.audit import AuditAction
from app.domain.leads import Channel
from app.domain.reports import ReportFilters
from app.services.container import Services
from app.storage.repositories.reports import ReportRepository
from app.ui.pages.dashboard_bars import SOURCE, revenue_lines
from tests.conftest import FakeClock
from tests.unit.test_attribution import add_order

pytestmark = pytest.mark.both_databases


@pytest.fixture
def shows(services: Services, clock: FakeClock) -> dict[str, object]:
    services.events.add("Fair 2025", country="DE", cost="1000.00", currency="EUR")
    services.events.add("Expo 2026", country="US", cost="500.00", currency="USD")
    first = services.leads.create({"last_name": "Ann", "email": "ann@acme.example",
                                   "event": "Fair 2025", "campaign": "Spring mailing"})
    clock.advance(days=30)
    again = services.leads.create({"last_name": "Ann", "email": "Ann@Acme.example",
                                   "event": "Expo 2026", "status": "sql"})
    services.leads.create({"last_name": "Bo", "channel": "web"})
    db = services.context.db
    add_order(db, again.id, 300_001)
    add_order(db, first.id, 50_000, currency="USD")
    return {"first": first, "again": again}


def _text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages)


def test_pdf_for_both_models(services: Services, shows: dict[str, object],
                             tmp_path: Path) -> None:
    first = services.reports.report("attribution", tmp_path / "first.pdf", page_size="A4")
    assert first.pages >= 1 and first.path.stat().st_size > 2_000
    text = _text(first.path)
    assert "Attribution and conversion analysis" in text and "first touch" in text
    assert "3,000.01 EUR" in text and "500.00 USD" in text
    assert "Spring mailing" in text and "mixed currencies" in text
    even = services.reports.report("attribution", tmp_path / "even.pdf", model="even")
    text = _text(even.path)
    assert "even split" in text and "1,500.01 EUR" in text and "1,500.00 EUR" in text
    [entry, *_older] = services.audit.entries()
    assert entry.action == AuditAction.REPORT and "attribution (even split" in entry.what


def test_cli_exit_codes_and_json(services: Services, shows: dict[str, object], tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    location = services.context.db.location
    services.context.db.dispose()
    out = tmp_path / "cli.pdf"
    assert run(["--db", location, "report", "attribution", "--pdf", str(out), "--json",
                "--model", "even", "--from", "2026-01-01", "--to", "2026-12-31"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["model"] == "even" and printed["pages"] >= 1 and out.stat().st_size > 0
    assert run(["--db", location, "report", "attribution", "--pdf", str(out),
                "--model", "last"]) == 2
    assert run(["--db", location, "report", "attribution", "--pdf", str(out),
                "--from", "2026-05-01", "--to", "2026-04-01"]) == 2
    assert run(["--db", location, "report", "attribution", "--pdf", str(out),
                "--event", "No Such Show"]) == 1


def test_roi_funnel_and_dashboard_take_revenue_from_the_same_credits(
        services: Services, shows: dict[str, object]) -> None:
    with services.context.db.read() as session:
        repo = ReportRepository(session)
        rows = {r.source: r for r in repo.return_rows(ReportFilters())}
        months = repo.month_rows(ReportFilters())
    analysis = services.attribution.analysis()
    by_event = {r.label: r.revenue for r in analysis.by_event}
    assert rows["Expo 2026"].revenues == by_event["Expo 2026"] == (("EUR", 300_001),)
    assert rows["Expo 2026"].mixed and rows["Expo 2026"].revenue == 0  # costs are in USD
    assert rows["Fair 2025"].revenues == by_event["Fair 2025"] == (("USD", 50_000),)
    assert sorted(m for r in months for m in r.revenues) == [("EUR", 300_001), ("USD", 50_000)]
    numbers = services.reports.dashboard()
    assert dict(numbers.revenue_by_channel)[Channel.TRADE_SHOW] == analysis.total
    assert "Trade show: <b>3,000 EUR + 500 USD</b>" in revenue_lines(numbers, SOURCE)
