"""Printed reports: numbers checked against an independent computation over services.leads.list,
PDF text extracted (pypdf) and checked, every script's names rendered, empty reports explained,
the CLI's exit codes."""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections import Counter
from pathlib import Path
from typing import Any

import pypdf
import pytest
from reportlab.lib.pagesizes import A4, LETTER

from app.cli.main import run
from app.domain.leads import CLOSED_STATUSES, LeadQuery, LeadRecord, LeadStatus
from app.domain.people import Role
from app.domain.reports import ReportFilters
from app.reports.fonts import CHINESE, JAPANESE, markup
from app.reports.page import page_size_for
from app.services.container import Services
from app.storage.repositories.reports import ReportRepository
from tests.conftest import FIXED_NOW, FakeClock
from tests.unit.test_attribution import add_order

pytestmark = pytest.mark.both_databases

REPS = {"iga@example.com": "Iga Świątek", "ayse@example.com": "Ayşe Yılmaz",
        "nikos@example.com": "Νίκος Παπαδόπουλος", "ivan@example.com": "Иван Иванов"}
# first, last, event, owner, status, deal value, touch: "fast" (in time), "late" or None
LEADS: list[tuple[str, str, str, str | None, str, str | None, str | None]] = [
    ("Marta", "Świątek", "Expo Alpha", "iga@example.com", "won", "1500", "fast"),
    ("Emre", "Yılmaz", "Expo Alpha", "iga@example.com", "sql", None, "late"),
    ("Eleni", "Παπαδόπουλος", "Expo Alpha", "ayse@example.com", "mql", None, "fast"),
    ("Пётр", "Иванов", "Expo Alpha", "nikos@example.com", "converted", "800", None),
    ("", "王伟", "Expo Beta", "ivan@example.com", "won", "2500", "late"),
    ("さくら", "佐藤", "Expo Beta", "ivan@example.com", "lost", None, "fast"),
    ("Jan", "Kowalski", "Expo Beta", "iga@example.com", "prospect", None, None),
    ("Ana", "Silva", "", "ayse@example.com", "inquiry", None, None),
    ("Tom", "Lee", "", None, "suspect", None, None),
    ("Lena", "Kraus", "Expo Alpha", "nikos@example.com", "won", "300", "late"),
]
NOW = FIXED_NOW + dt.timedelta(days=31)


@pytest.fixture
def world(services: Services, clock: FakeClock) -> dict[str, Any]:
    for email, name in REPS.items():
        services.people.add_user(name, email, Role.REP)
    services.events.add("Expo Alpha", country="DE", cost="1000.00", currency="EUR")
    services.events.add("Expo Beta", country="PL", cost="500.00", currency="EUR")
    created = []
    for first, last, event, owner, status, deal, _touch in LEADS:
        fields: dict[str, Any] = {"first_name": first, "last_name": last, "company": f"{last} Co",
                                  "email": f"{len(created)}@lead.example", "status": status}
        if event:
            fields["event"] = event
        if owner:
            fields["owner"] = owner
        if deal:
            fields["deal_value"] = deal
        created.append(services.leads.create(fields))
    clock.advance(hours=1)
    for lead, spec in zip(created, LEADS, strict=True):
        if spec[6] == "fast":
            services.followup.log_touch(lead.id, "call", None, "spoke")
    clock.advance(days=29)
    for lead, spec in zip(created, LEADS, strict=True):
        if spec[6] == "late":
            services.followup.log_touch(lead.id, "email", None, "sent")
    clock.now = NOW
    return {"leads": services.leads.list(LeadQuery(), limit=1000)}


def _text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(path).pages)


def _owner_name(record: LeadRecord) -> str:
    return record.owner_name or "Unassigned"


def test_status_report_numbers_and_names(services: Services, world: dict[str, Any],
                                         tmp_path: Path) -> None:
    leads: list[LeadRecord] = world["leads"]
    by_status = Counter(r.status for r in leads)
    untouched = sum(1 for r in leads if r.status not in CLOSED_STATUSES and not r.first_touch_at)
    overdue = sum(1 for r in leads if r.status not in CLOSED_STATUSES and r.next_due_at
                  and r.next_due_at < NOW)
    with services.context.db.read() as session:
        repo = ReportRepository(session)
        assert repo.status_counts(ReportFilters()) == dict(by_status)
        sources = repo.source_rows(ReportFilters(), NOW)
    assert sum(s.untouched for s in sources) == untouched
    assert sum(s.overdue for s in sources) == overdue
    alpha = next(s for s in sources if s.source == "Expo Alpha")
    assert alpha.leads == sum(1 for r in leads if r.event_name == "Expo Alpha")

    result = services.reports.report("status", tmp_path / "status.pdf", page_size="A4")
    assert result.rows == len(LEADS) and result.pages >= 2
    text = _text(result.path)
    assert f"{len(LEADS)} leads: {len(LEADS) - by_status[LeadStatus.WON] - 1} open" in text
    assert f"{untouched} untouched" in text and f"{overdue} overdue" in text
    for name in ("Świątek", "Yılmaz", "Παπαδόπουλος", "Иванов", "王伟", "佐藤", *REPS.values()):
        assert name in text, name
    assert re.search(rf"Page 1 of\s+{result.pages}\b", text)
    assert "All events and sources · all owners · all dates" in text
    assert "Generated" in text


def test_reps_report_against_lead_records(services: Services, world: dict[str, Any],
                                          tmp_path: Path) -> None:
    leads: list[LeadRecord] = world["leads"]
    with services.context.db.read() as session:
        rows = {r.email: r for r in ReportRepository(session).rep_rows(ReportFilters(), NOW)}
    for email in REPS:
        mine = [r for r in leads if r.owner_email == email]
        row = rows[email]
        assert row.assigned == len(mine)
        assert row.touched == sum(1 for r in mine if r.first_touch_at)
        hours = [(r.first_touch_at - r.created_at).total_seconds() / 3600
                 for r in mine if r.first_touch_at and r.created_at]
        if hours:
            assert statistics.median(row.hours_to_first_touch) == pytest.approx(
                statistics.median(hours), abs=0.01)
        met = [r for r in mine if r.first_touch_due_at and r.first_touch_at
               and r.first_touch_at <= r.first_touch_due_at]
        measured = [r for r in mine if r.first_touch_due_at
                    and (r.first_touch_at or r.first_touch_due_at < NOW)]
        assert (row.sla_met, row.sla_measured) == (len(met), len(measured))
        assert row.conversions == sum(1 for r in mine if r.status in (LeadStatus.CONVERTED,
                                                                      LeadStatus.WON))
        overdue = services.followup.my_day(row.owner_id).overdue
        assert row.overdue_tasks == len(overdue)
    result = services.reports.report("reps", tmp_path / "reps.pdf")
    text = _text(result.path)
    assert result.rows == len(REPS)
    for name in REPS.values():
        assert name in text
    iga = rows["iga@example.com"]
    assert f"{iga.sla_met}/{iga.sla_measured}" in text


def test_roi_report_cost_per_lead_and_return(services: Services, world: dict[str, Any],
                                             tmp_path: Path) -> None:
    leads: list[LeadRecord] = world["leads"]
    alpha = [r for r in leads if r.event_name == "Expo Alpha"]
    # Revenue is the matched customer orders (first touch), not the deal values of won leads.
    won = next(r for r in alpha if r.status == LeadStatus.WON)
    sql = next(r for r in alpha if r.status == LeadStatus.SQL)
    add_order(services.context.db, won.id, 150_000)
    add_order(services.context.db, sql.id, 20_000)  # ordered before sales marked it won
    add_order(services.context.db, sql.id, 99_999, status="review")  # not matched yet
    revenue = 170_000
    sqls = sum(1 for r in alpha if r.status in (LeadStatus.SQL, LeadStatus.CONVERTED,
                                                LeadStatus.WON))
    cost = 100_000
    result = services.reports.report("roi", tmp_path / "roi.pdf")
    text = _text(result.path)
    assert f"{revenue / 100:,.2f} EUR" in text
    assert f"{cost / len(alpha) / 100:,.2f} EUR" in text  # cost per lead
    assert f"{cost / sqls / 100:,.2f} EUR" in text  # cost per SQL
    assert f"{100 * (revenue - cost) / cost:,.0f}%" in text  # return on spend
    assert "Source: Other" in text or "Source: " in text  # leads without an event


def test_stages_count_how_far_a_lead_got_not_only_where_it_is(services: Services,
                                                               tmp_path: Path) -> None:
    services.events.add("Expo Gamma", country="DE", cost="300.00", currency="EUR")
    lost = services.leads.create({"last_name": "Went Far", "event": "Expo Gamma"})
    services.leads.update(lost.id, {"status": "sql"})
    services.leads.update(lost.id, {"status": "lost"})
    stayed = services.leads.create({"last_name": "Stayed", "event": "Expo Gamma"})
    services.leads.update(stayed.id, {"status": "mql"})
    with services.context.db.read() as session:
        [row] = [r for r in ReportRepository(session).return_rows(ReportFilters())
                 if r.source == "Expo Gamma"]
        [month] = ReportRepository(session).month_rows(ReportFilters())
    assert (row.leads, row.mql, row.sql, row.won) == (2, 2, 1, 0)
    assert (month.mql, month.sql, month.lost) == (2, 1, 1)
    text = _text(services.reports.report("roi", tmp_path / "roi.pdf").path)
    assert "300.00 EUR" in text  # cost per SQL: the lost lead had reached SQL


def test_funnel_and_followup(services: Services, world: dict[str, Any], tmp_path: Path) -> None:
    leads: list[LeadRecord] = world["leads"]
    result = services.reports.report("funnel", tmp_path / "funnel.pdf")
    text = _text(result.path)
    month = FIXED_NOW.strftime("%Y-%m")
    assert result.rows == 1 and month in text
    won = sum(1 for r in leads if r.status == LeadStatus.WON)
    assert f"{won}  ({100 * won / len(leads):.0f}%)" in text

    sheet = services.reports.report("followup", tmp_path / "sheets.pdf")
    reader = pypdf.PdfReader(sheet.path)
    starts = [i for i, page in enumerate(reader.pages)
              if "Follow-up sheet:" in page.extract_text()]
    owners_with_tasks = {
        email for email in REPS
        if services.followup.my_day(services.people.user_by_email(email).id).due_now}
    assert len(starts) == len(owners_with_tasks)  # one sheet per rep, each on a new page
    ivan = services.people.user_by_email("ivan@example.com")
    own = services.reports.report("followup", tmp_path / "ivan.pdf", owner_id=ivan.id)
    day = services.followup.my_day(ivan.id)
    assert own.rows == len(day.overdue) + len(day.today) + len(day.upcoming)
    assert "Иван Иванов" in _text(own.path)


def test_empty_reports_explain_themselves(services: Services, tmp_path: Path) -> None:
    for kind in ("status", "reps", "roi", "funnel", "followup"):
        result = services.reports.report(kind, tmp_path / f"{kind}.pdf")
        assert result.pages == 1 and result.rows == 0
        assert "nothing to report" in _text(result.path), kind


def test_filters_date_range_and_page_size(services: Services, world: dict[str, Any],
                                          tmp_path: Path) -> None:
    day = FIXED_NOW.date()
    inside = services.reports.report("status", tmp_path / "a.pdf", date_from=day, date_to=day)
    assert inside.rows == len(LEADS)
    later = services.reports.report("status", tmp_path / "b.pdf",
                                    date_from=day + dt.timedelta(days=1))
    assert later.rows == 0 and later.pages == 1
    beta = services.events.by_name("Expo Beta")
    only = services.reports.report("status", tmp_path / "c.pdf", event_id=beta.id)
    assert only.rows == sum(1 for lead in LEADS if lead[2] == "Expo Beta")
    assert "Event: Expo Beta" in _text(only.path)
    assert page_size_for(locale_name="en_US.UTF-8") == LETTER
    assert page_size_for(locale_name="es_MX") == LETTER
    assert page_size_for(locale_name="de_DE.UTF-8") == A4
    assert page_size_for("letter") == LETTER
    box = pypdf.PdfReader(services.reports.report("reps", tmp_path / "l.pdf",
                                                  page_size="Letter").path).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)


def test_cjk_runs_get_a_cjk_font() -> None:
    assert markup("王伟 & Co") == f'<font name="{CHINESE}">王伟</font> &amp; Co'
    assert JAPANESE in markup("佐藤 さくら")
    assert markup("Świątek") == "Świątek"


def test_cli_report_exit_codes(services: Services, world: dict[str, Any], db_path: Path,
                               tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    services.context.db.dispose()
    out = tmp_path / "cli.pdf"
    assert run(["--db", services.context.db.location, "report", "status", "--pdf", str(out), "--json",
                "--event", "Expo Alpha"]) == 0
    printed = capsys.readouterr().out
    assert '"pages"' in printed and '"rows": 5' in printed and out.exists()
    assert run(["--db", services.context.db.location, "report", "reps", "--pdf", str(out),
                "--owner", "iga@example.com"]) == 0
    assert run(["--db", services.context.db.location, "report", "status", "--pdf", str(out),
                "--from", "2026-02-30"]) == 2
    assert run(["--db", services.context.db.location, "report", "status", "--pdf", str(out),
                "--event", "No Such Show"]) == 1
    assert run(["--db", services.context.db.location, "report", "followup", "--pdf", str(out),
                "--owner", "nobody@example.com"]) == 1
    assert run(["--db", services.context.db.location, "report", "nonsense", "--pdf", str(out)]) == 2


def test_dashboard_counts_only_the_leads_in_the_filters(services: Services,
                                                        world: dict[str, Any]) -> None:
    from app.domain.leads import Channel, FirstTouch

    alpha, beta = services.events.by_name("Expo Alpha"), services.events.by_name("Expo Beta")
    iga = services.people.user_by_email("iga@example.com")
    day = dt.timedelta(days=1)
    with services.context.db.read() as session:
        repo = ReportRepository(session)
        everyone = repo.dashboard(NOW)
        assert everyone.total == 10 and not everyone.is_filtered
        at_alpha = repo.dashboard(NOW, ReportFilters(event_id=alpha.id))
        assert at_alpha.filters == ReportFilters(event_id=alpha.id) and at_alpha.is_filtered
        assert at_alpha.total == 5 and at_alpha.no_event == 0 and at_alpha.other_events == 0
        assert [(e.name, e.leads) for e in at_alpha.by_event] == [("Expo Alpha", 5)]
        assert dict(at_alpha.by_status)[LeadStatus.WON] == 2
        assert at_alpha.by_channel == ((Channel.TRADE_SHOW, 5),)
        assert at_alpha.open == 3  # sql, mql and converted (won twice is closed)
        by_iga = repo.dashboard(NOW, ReportFilters(owner_id=iga.id))
        assert by_iga.total == 3
        assert {r.owner_id for r in by_iga.service_levels} == {iga.id}
        [row] = by_iga.service_levels
        for state in FirstTouch:
            assert getattr(row, state.value) == services.leads.count(
                LeadQuery(owner_id=iga.id, first_touch=state))
        both = repo.dashboard(NOW, ReportFilters(event_id=beta.id, owner_id=iga.id))
        assert both.total == 1 and dict(both.by_status)[LeadStatus.PROSPECT] == 1
        # Created from (inclusive) and before (exclusive): every lead came in at FIXED_NOW.
        assert repo.dashboard(NOW, ReportFilters(created_from=FIXED_NOW)).total == 10
        assert repo.dashboard(NOW, ReportFilters(created_from=FIXED_NOW + day)).total == 0
        assert repo.dashboard(NOW, ReportFilters(created_before=FIXED_NOW)).total == 0
        window = repo.dashboard(NOW, ReportFilters(created_from=FIXED_NOW - day,
                                                   created_before=FIXED_NOW + day))
        assert window.total == 10 and sum(b.leads for b in window.ages) == window.open
        none = repo.dashboard(NOW, ReportFilters(created_from=FIXED_NOW + day))
        assert none.open == 0 and none.by_channel == () and none.by_event == ()
        assert none.service_levels == () and all(b.leads == 0 for b in none.ages)
    # Each number is the count of the Leads list under the same filters.
    for numbers in (at_alpha, by_iga, both):
        f = numbers.filters
        for status, count in numbers.by_status:
            assert services.leads.count(LeadQuery(
                statuses=(status,), event_id=f.event_id, owner_id=f.owner_id)) == count
