"""My day at scale through the service: every bucket counted exactly, read page by page in due
order, and the tray's count the same rows (the clock: Friday 20 Nov 2026 09:30 UTC)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from app.domain.people import Role
from app.domain.tasks import DueBucket
from app.services.container import Services
from tests.due_tasks import add_due_tasks

pytestmark = pytest.mark.both_databases

UTC = dt.UTC
NOW = dt.datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


@pytest.fixture
def busy(services: Services) -> dict[str, Any]:
    """A rep with 600 overdue tasks (one every 4 hours back from an hour ago), 3 due later
    today and 2 next week, on a lead nobody else works."""
    services.settings.set("routing.auto_on_capture", False)
    rep = services.people.add_user("Rita Rep", "rita@example.com", Role.REP)
    lead = services.leads.create({"first_name": "Lena", "last_name": "Kunde"})
    overdue = add_due_tasks(services, lead, rep.id,
                            (NOW - dt.timedelta(hours=1 + 4 * n) for n in range(600)))
    today = add_due_tasks(services, lead, rep.id,
                          (NOW + dt.timedelta(hours=h) for h in (5, 1, 3)), title="Today")
    upcoming = add_due_tasks(services, lead, rep.id,
                             (NOW + dt.timedelta(days=d) for d in (4, 3)), title="Soon")
    return {"rep": rep, "lead": lead, "overdue": overdue, "today": today,
            "upcoming": upcoming}


def test_every_bucket_is_counted_exactly_and_today_is_always_read(
        services: Services, busy: dict[str, Any]) -> None:
    overview = services.followup.due_overview(busy["rep"].id, rows={
        DueBucket.OVERDUE: 25, DueBucket.TODAY: 25, DueBucket.UPCOMING: 25})
    counts = {s.bucket: s.count for s in overview.sections}
    assert counts == {DueBucket.OVERDUE: 600, DueBucket.TODAY: 3, DueBucket.UPCOMING: 2}
    assert overview.due_now == 603 == services.followup.due_count(busy["rep"].id)
    overdue = overview.section(DueBucket.OVERDUE)
    assert len(overdue.items) == 25 and overdue.has_more
    today = overview.section(DueBucket.TODAY).items
    assert [i.title for i in today] == ["Today 2", "Today 3", "Today 1"], "in due order"
    assert [i.due_at for i in overdue.items] == sorted(i.due_at for i in overdue.items)


def test_rows_first_then_the_counts_for_the_same_moment(services: Services,
                                                       busy: dict[str, Any],
                                                       clock: Any) -> None:
    """A screen shows the rows at once and the counts of the long buckets when they come:
    counted for the bounds the rows were read with, even if the clock moved on."""
    rows_only = services.followup.due_overview(busy["rep"].id, count=False)
    assert rows_only.section(DueBucket.OVERDUE).count is None, "a full page: not counted yet"
    assert rows_only.section(DueBucket.TODAY).count == 3, "a short page is the whole bucket"
    assert rows_only.due_now is None and not rows_only.counted
    clock.advance(hours=2)  # "Today 2" (due in an hour) would be overdue by now
    counted = services.followup.count_overview(rows_only)
    assert [s.count for s in counted.sections] == [600, 3, 2]
    assert counted.due_now == 603 and counted.section(DueBucket.OVERDUE).items == \
        rows_only.section(DueBucket.OVERDUE).items


def test_a_bucket_reads_page_after_page_in_due_order(services: Services,
                                                    busy: dict[str, Any]) -> None:
    rep = busy["rep"].id
    section = services.followup.due_overview(rep).section(DueBucket.OVERDUE)
    items = list(section.items)
    while len(items) < section.count:
        page = services.followup.due_after(rep, section.range, items[-1], limit=100)
        assert page, "a bucket with tasks left always has a next page"
        items += page
    assert len(items) == 600 == len({i.task_id for i in items})
    assert {i.task_id for i in items} == set(busy["overdue"])
    assert [i.due_at for i in items] == sorted(i.due_at for i in items)
    assert services.followup.due_after(rep, section.range, items[-1]) == ()


def test_tasks_with_the_same_due_moment_page_without_loss(services: Services,
                                                         busy: dict[str, Any]) -> None:
    """Keyset paging on (due, task id): a page boundary inside a run of equal due moments
    neither repeats nor skips a task."""
    same = NOW + dt.timedelta(days=2)
    tied = add_due_tasks(services, busy["lead"], busy["rep"].id, [same] * 30, title="Tied")
    rep = busy["rep"].id
    section = services.followup.due_overview(rep, rows={DueBucket.UPCOMING: 7}).section(
        DueBucket.UPCOMING)
    items = list(section.items)
    while len(items) < section.count:
        items += services.followup.due_after(rep, section.range, items[-1], limit=7)
    assert section.count == 32 and len({i.task_id for i in items}) == 32
    assert set(tied) <= {i.task_id for i in items}


def test_a_re_read_keeps_what_the_rep_had_opened(services: Services,
                                                busy: dict[str, Any]) -> None:
    overview = services.followup.due_overview(busy["rep"].id, rows={
        DueBucket.OVERDUE: 225, DueBucket.TODAY: 25})
    assert len(overview.section(DueBucket.OVERDUE).items) == 225
    assert len(overview.section(DueBucket.TODAY).items) == 3


def test_deleted_leads_leave_the_counts_and_the_lists(services: Services,
                                                     busy: dict[str, Any]) -> None:
    other = services.leads.create({"first_name": "Gone", "last_name": "Soon"})
    add_due_tasks(services, other, busy["rep"].id, [NOW - dt.timedelta(minutes=5)])
    rep = busy["rep"].id
    assert services.followup.due_overview(rep).section(DueBucket.OVERDUE).count == 601
    services.leads.delete(other.id)
    overview = services.followup.due_overview(rep)
    assert overview.section(DueBucket.OVERDUE).count == 600
    assert overview.due_now == services.followup.due_count(rep) == 603
