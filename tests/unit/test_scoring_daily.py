"""The daily re-score is Leadline's own doing: its promotions are recorded as the app's and
reported with the leads they moved; it commits batch by batch, and another thread's write
neither waits for the whole run nor makes it fail "busy"."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from app.domain.history import APP_ACTOR_NAME, ActivityKind
from app.domain.leads import LeadQuery, LeadStatus
from app.domain.people import Role
from app.services import scoring_service
from app.services.container import Services
from app.storage import db as db_module
from app.storage.db import Database
from app.storage.opening import open_database
from app.storage.orm import AppMeta
from tests.conftest import FakeClock

pytestmark = pytest.mark.both_databases


@pytest.fixture
def manager(services: Services) -> Any:
    user = services.people.add_user("Maria Keller", "maria@example.com", Role.MANAGER)
    services.people.sign_in(user.id)
    return user


def _leads(services: Services, count: int) -> list[Any]:
    return [services.leads.create({"first_name": "Dana", "last_name": f"Director {n}",
                                   "title": "Director of Sales", "rating": "hot",
                                   "company": f"Firm {n}", "email": f"dana{n}@firm{n}.example"})
            for n in range(count)]


def _lower_mql_to_their_scores(services: Services, leads: list[Any]) -> None:
    lowest = min(services.leads.get(lead.id).score for lead in leads)
    assert lowest > 0, "the leads need points for the threshold to fall under"
    services.scoring.set_thresholds(lowest, lowest + 1000)


def test_daily_promotions_are_the_apps_and_name_their_leads(
        services: Services, manager: Any) -> None:
    leads = _leads(services, 3)
    assert {services.leads.get(lead.id).status for lead in leads} == {LeadStatus.INQUIRY}
    _lower_mql_to_their_scores(services, leads)
    summary = services.scoring.rescore_daily()
    assert summary is not None and set(summary.to_mql) == {lead.id for lead in leads}
    assert [c.summary for c in summary.changes] == ["3 leads reached MQL by score"]
    assert services.leads.count(LeadQuery(lead_ids=summary.changes[0].lead_ids)) == 3
    promotion = next(h for h in services.leads.history(leads[0].id)
                     if h.kind is ActivityKind.STATUS_CHANGED)
    assert promotion.automatic and promotion.actor == APP_ACTOR_NAME
    assert promotion.new_value == "MQL"


def test_a_rescore_someone_asked_for_is_theirs(services: Services, manager: Any) -> None:
    leads = _leads(services, 1)
    _lower_mql_to_their_scores(services, leads)
    services.scoring.rescore_all()
    promotion = next(h for h in services.leads.history(leads[0].id)
                     if h.kind is ActivityKind.STATUS_CHANGED)
    assert not promotion.automatic and promotion.actor == "Maria Keller"


@pytest.fixture
def impatient(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: FakeClock
              ) -> Iterator[Services]:
    """SQLite's own busy timeout cut to 50 ms: a writer that skipped the queue fails fast."""
    monkeypatch.setattr(db_module, "BUSY_TIMEOUT_MS", 50)
    monkeypatch.setattr(scoring_service, "RESCORE_BATCH", 2)
    database, _ = open_database(tmp_path / "impatient.sqlite")
    yield Services.build(database, clock)
    database.dispose()


def _watch_turns(database: Database, thread_name: str, monkeypatch: pytest.MonkeyPatch
                 ) -> threading.Event:
    """Set when the named thread asks for its turn to write."""
    asked = threading.Event()
    queue = database.writing

    @contextmanager
    def writing() -> Iterator[None]:
        if threading.current_thread().name == thread_name:
            asked.set()
        with queue():
            yield

    monkeypatch.setattr(database, "writing", writing)
    return asked


def test_a_rescore_in_a_worker_waits_for_another_threads_write_instead_of_failing(
        impatient: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    services = impatient
    leads = _leads(services, 5)
    database = services.context.db
    asked = _watch_turns(database, "rescore", monkeypatch)
    first_batch, holding, release = threading.Event(), threading.Event(), threading.Event()
    outcome: list[object] = []

    def after_each_batch(done: int, _total: int) -> None:
        if done == 2:
            asked.clear()  # from here on: the next batch's request, while the other holds
            first_batch.set()
            assert holding.wait(10)

    def rescore() -> None:
        try:
            outcome.append(services.scoring.rescore_all(progress=after_each_batch))
        except Exception as error:  # recorded: the assertion below names it
            outcome.append(error)
        asked.set()

    def hold_a_write() -> None:
        assert first_batch.wait(10)
        with database.write() as session:
            session.add(AppMeta(key="held", value="1"))
            session.flush()
            holding.set()
            # The re-score asked for its next turn (or failed "busy" without the queue) while
            # this transaction held SQLite's write lock.
            asked.wait(10)
            release.set()

    writer = threading.Thread(target=hold_a_write, name="writer")
    worker = threading.Thread(target=rescore, name="rescore")
    writer.start()
    worker.start()
    writer.join(15)
    worker.join(15)
    summary, = outcome
    assert not isinstance(summary, Exception), summary
    assert summary.leads == 5 and release.is_set() and database.get_meta("held") == "1"
    assert {services.leads.get(lead.id).score for lead in leads} != {0}


def test_the_rescore_commits_batch_by_batch_so_a_write_gets_in_between(
        impatient: Services) -> None:
    services = impatient
    leads = _leads(services, 5)
    between, written = threading.Event(), threading.Event()
    batches: list[int] = []
    outcome: list[object] = []

    def after_each_batch(done: int, _total: int) -> None:
        batches.append(done)
        if done == 2:
            between.set()
            assert written.wait(10), "the other writer never got its turn"

    def rescore() -> None:
        try:
            outcome.append(services.scoring.rescore_all(progress=after_each_batch))
        except Exception as error:  # recorded: the assertion below names it
            outcome.append(error)
            between.set()

    worker = threading.Thread(target=rescore)
    worker.start()
    assert between.wait(10)
    services.leads.add_note(leads[4].id, "called in between")  # waits if the re-score held on
    written.set()
    worker.join(10)
    summary, = outcome
    assert not isinstance(summary, Exception), summary
    assert batches == [2, 4, 5] and summary.leads == 5


def test_a_daily_promotion_to_sql_ends_the_cadence_as_a_change_by_hand_would(
        services: Services, manager: Any) -> None:
    services.people.add_user("Anna Weber", "anna@example.com", Role.REP)
    lead = services.leads.create({"first_name": "Dana", "last_name": "Director",
                                  "title": "Director of Sales", "rating": "hot",
                                  "company": "Firm", "email": "dana@firm.example",
                                  "owner": "anna@example.com"})
    planned = [t for t in services.followup.tasks_for_lead(lead.id) if t.cadence_id]
    assert planned, "a new owner starts a cadence"
    score = services.leads.get(lead.id).score
    services.scoring.set_thresholds(score - 1, score)
    summary = services.scoring.rescore_daily()
    assert summary is not None and summary.to_sql == (lead.id,)
    after = services.leads.get(lead.id)
    assert after.status is LeadStatus.SQL and after.next_due_at is None
    assert [t for t in services.followup.tasks_for_lead(lead.id) if t.cadence_id] == []
    stopped = next(h for h in services.leads.history(lead.id) if "Cadence stopped" in h.text)
    assert stopped.text == f"Cadence stopped: lead is SQL; {len(planned)} planned step(s) cancelled"
    assert stopped.automatic
