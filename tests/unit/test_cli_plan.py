"""``plan`` on a small database with a fixed clock: the measured rates, the JSON, the PDF and
the exit codes."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pypdf
import pytest

from app.domain.planning import Period, Verdict
from app.services.container import Services
from tests.conftest import CliRun, FakeClock

pytestmark = pytest.mark.both_databases

TODAY = dt.datetime(2027, 2, 15, tzinfo=dt.UTC)  # 45 days into 2027-Q1


@pytest.fixture
def history(services: Services, clock: FakeClock) -> None:
    """In June 2026 (inside the 12 months measured for 2027-Q1): 10 leads, of which 8 reached
    MQL, 6 SQL, 4 opportunity and 2 won at 1,000.00 each. Then 3 leads in January 2027 and 1
    in February."""
    services.events.add("Expo Alpha", country="DE", cost="1000.00", currency="CHF")
    clock.now = dt.datetime(2026, 6, 1, 10, tzinfo=dt.UTC)
    statuses = ["won", "won", "converted", "converted", "sql", "sql", "mql", "mql", "inquiry",
                "inquiry"]
    for n, status in enumerate(statuses):
        fields: dict[str, Any] = {"first_name": "Old", "last_name": f"Lead {n}",
                                  "email": f"old{n}@lead.example", "status": status,
                                  "event": "Expo Alpha"}
        if status == "won":
            fields["deal_value"] = "1000"
        services.leads.create(fields)
    for n, day in enumerate((dt.datetime(2027, 1, 5, tzinfo=dt.UTC),) * 3
                            + (dt.datetime(2027, 2, 10, tzinfo=dt.UTC),)):
        clock.now = day
        services.leads.create({"first_name": "New", "last_name": f"Lead {n}",
                               "email": f"new{n}@lead.example"})
    clock.now = TODAY


def test_plan_json_from_measured_rates(history: None, cli: CliRun) -> None:
    """10,000.00 / 1,000.00 = 10 customers; / (2/4) = 20 opportunities; / (4/6) = 30 SQLs;
    / (6/8) = 40 MQLs; / (8/10) = 50 leads; 2027-Q1 needs 17, 34, 50 by the end of each month.
    January (over) had 3; by February's end: 4 so far + floor(4 × 14 days / 45 days) = 5 of 34
    needed → 29 short by February."""
    code, out, err = cli("plan", "--target", "10000", "--period", "2027-Q1", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["needed"] == {"customers": 10, "opportunities": 20, "sqls": 30, "mqls": 40,
                              "leads": 50}
    assert (data["target"], data["deal_size"], data["currency"]) == (1_000_000, 100_000, "CHF")
    assert data["rates"]["lead-mql"] == {"rate": 0.8, "source": "measured", "entered": 10,
                                         "moved_on": 8}
    assert [m["month"] for m in data["months"]] == ["2027-01", "2027-02", "2027-03"]
    assert [m["needed_total"] for m in data["months"]] == [17, 34, 50]
    assert [m["actual"] for m in data["months"]] == [3, 1, None]
    assert data["actual_so_far"] == 4
    assert (data["verdict"], data["short_by"], data["short_month"]) == ("short", 29, "2027-02")
    assert data["verdict_text"] == "29 leads short by February 2027"


def test_plan_text_estimates_and_pdf(history: None, cli: CliRun, tmp_path: Path) -> None:
    pdf = tmp_path / "plan.pdf"
    code, out, err = cli("plan", "--target", "10,000.00", "--period", "2027-q1",
                         "--deal-size", "500", "--rate", "lead-mql=100%", "--pdf", str(pdf))
    assert code == 0, err
    # 20 customers, 40 opportunities, 60 SQLs, 80 MQLs, 80 leads: ceil(160 / 3) = 54 by
    # February's end, 5 projected → 49 short
    assert "20 customers, 40 opportunities, 60 SQLs, 80 MQLs and 80 leads" in out
    assert re.search(r"Lead → MQL +100\.0% +estimate", out)
    assert "measured from 6 leads" in out
    assert "Verdict: 49 leads short by February 2027." in out
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)
    assert "Verdict: 49 leads short by February 2027." in text
    assert "Lead-flow plan 2027-Q1" in text and "January 2027" in text
    assert len(pypdf.PdfReader(pdf).pages) <= 2


@pytest.mark.parametrize(("args", "field"), [
    (("--period", "2027-Q7"), "period"),
    (("--period", "2027", "--rate", "won=0.3"), "rate"),
    (("--period", "2027", "--rate", "lead-mql=2"), "rate lead-mql"),
    (("--period", "2027", "--deal-size", "12,500"), "deal-size"),
])
def test_bad_input_exits_2(history: None, cli: CliRun, args: tuple[str, ...],
                           field: str) -> None:
    code, _out, err = cli("plan", "--target", "10000", *args, "--json")
    assert code == 2
    assert field in err


def test_help_documents_the_rates(cli: CliRun) -> None:
    code, out, _err = cli("plan", "--help")
    assert code == 0
    for text in ("--target", "--period", "--deal-size", "--rate", "lead-mql", "opportunity-won",
                 "2027-Q2", "30%"):
        assert text in out


def test_no_history_asks_for_estimates(cli: CliRun, clock: FakeClock) -> None:
    clock.now = TODAY
    code, _out, err = cli("plan", "--target", "10000", "--period", "2027")
    assert code == 2
    for name in ("deal_size", "lead-mql", "mql-sql", "sql-opportunity", "opportunity-won"):
        assert name in err
    code, out, err = cli("plan", "--target", "10000", "--period", "2027", "--deal-size", "1000",
                         "--rate", "lead-mql=0.5", "--rate", "mql-sql=0.5",
                         "--rate", "sql-opportunity=0.5", "--rate", "opportunity-won=0.5",
                         "--json")
    assert code == 0, err
    assert json.loads(out)["needed"]["leads"] == 160


def test_service_reads_the_clock_not_the_machine(history: None, services: Services,
                                                 clock: FakeClock) -> None:
    clock.now = dt.datetime(2027, 4, 2, tzinfo=dt.UTC)
    result = services.planning.plan(1_000_000, Period(2027, 1))
    assert result.verdict is Verdict.SHORT and result.actual_so_far == 4
    assert services.planning.measured(Period(2027, 1)).window == ("2026-01", "2026-12")
