"""The retention rule: leads never converted, captured more than N months ago, are listed, and
erased only on confirmation (each one completely, recorded in the audit trail)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from app.domain.audit import AuditAction
from app.domain.errors import ConflictError, ValidationError
from app.domain.leads import LeadQuery
from app.domain.retention import months_before
from app.services.container import Services
from tests.conftest import FIXED_NOW, CliRun, FakeClock

pytestmark = pytest.mark.both_databases


@pytest.mark.parametrize(("moment", "months", "expected"), [
    (dt.datetime(2026, 3, 31, 12, tzinfo=dt.UTC), 1, dt.datetime(2026, 2, 28, 12, tzinfo=dt.UTC)),
    (dt.datetime(2024, 3, 31, tzinfo=dt.UTC), 1, dt.datetime(2024, 2, 29, tzinfo=dt.UTC)),
    (dt.datetime(2026, 1, 15, tzinfo=dt.UTC), 13, dt.datetime(2024, 12, 15, tzinfo=dt.UTC)),
    (dt.datetime(2026, 11, 20, tzinfo=dt.UTC), 0, dt.datetime(2026, 11, 20, tzinfo=dt.UTC)),
])
def test_months_are_calendar_months(moment: dt.datetime, months: int,
                                    expected: dt.datetime) -> None:
    assert months_before(moment, months) == expected


@pytest.fixture
def aged(services: Services, clock: FakeClock) -> dict[str, object]:
    """Leads captured 30, 20 and 2 months before FIXED_NOW, one of the old ones a customer."""
    made: dict[str, object] = {}
    for name, months_ago, status in (("Old Prospect", 30, "prospect"), ("Old Customer", 30, "won"),
                                     ("Middle Lost", 20, "lost"), ("Fresh Mql", 2, "mql")):
        clock.now = months_before(FIXED_NOW, months_ago)
        first, last = name.split()
        made[name] = services.leads.create({"first_name": first, "last_name": last,
                                            "company": f"{last} AG", "status": status}).id
    clock.now = FIXED_NOW
    return made


def test_the_rule_lists_leads_never_converted_past_the_cutoff(
        services: Services, aged: dict[str, object]) -> None:
    assert services.retention.count(0) == 0 and services.retention.candidates(0) == []
    assert [c.name for c in services.retention.candidates(24)] == ["Old Prospect"]
    assert [c.name for c in services.retention.candidates(12)] == ["Old Prospect", "Middle Lost"]
    assert services.retention.count(1) == 3  # a customer is never listed


def test_erasing_takes_the_listed_people_completely_and_is_audited(
        services: Services, aged: dict[str, object]) -> None:
    services.retention.set_months(12)
    done = services.retention.erase_expired()
    assert done.erased == 2 and not done.cancelled
    for key in ("Old Prospect", "Middle Lost"):
        stub = services.erasure.export_person(aged[key])  # type: ignore[arg-type]
        assert stub["erased"] and stub["tables"]["lead"][0].get("first_name", "") == ""
    assert services.leads.get(aged["Old Customer"]).first_name == "Old"  # type: ignore[arg-type]
    assert services.leads.count(LeadQuery()) == 2
    assert services.retention.count() == 0
    entry = services.audit.entries()[0]
    assert entry.action is AuditAction.ERASURE and entry.records == 2
    assert "12 months" in entry.what and "Prospect" not in entry.what


def test_erasing_keeps_to_the_confirmed_cutoff_and_refuses_a_grown_list(
        services: Services, aged: dict[str, object], clock: FakeClock) -> None:
    services.retention.set_months(12)
    cutoff, shown = services.retention.cutoff(), services.retention.count()
    clock.advance(days=400)  # the dialog stayed open: the rule now lists more
    assert services.retention.count() > shown
    with pytest.raises(ConflictError, match="more leads match"):
        services.retention.erase_expired(confirmed=(services.retention.cutoff(), shown))
    done = services.retention.erase_expired(confirmed=(cutoff, shown))
    assert done.erased == shown == 2 and done.cutoff == cutoff


def test_the_rule_is_checked(services: Services) -> None:
    with pytest.raises(ValidationError):
        services.retention.set_months(-1)
    with pytest.raises(ValidationError, match="off"):
        services.retention.erase_expired()


def test_cli_retention_lists_sets_and_erases_only_when_confirmed(
        cli: CliRun, aged: dict[str, object]) -> None:
    code, out, _ = cli("retention", "--json")
    assert code == 0 and json.loads(out)["listed"] == 0  # off by default
    code, out, _ = cli("retention", "--months", "12", "--set", "--json")
    listed = json.loads(out)
    assert code == 0 and listed["listed"] == 2 and listed["months"] == 12
    assert [lead["name"] for lead in listed["leads"]] == ["Old Prospect", "Middle Lost"]
    code, _, err = cli("retention", "--erase", "--json")
    assert code == 2 and "--yes" in err
    code, out, _ = cli("retention", "--erase", "--yes", "--json")
    assert code == 0 and json.loads(out)["erased"] == 2
    code, out, _ = cli("retention")
    assert code == 0 and "0 leads never converted" in out
