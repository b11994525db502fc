"""What another window, the CLI or a teammate's program saves shows without a restart."""

from __future__ import annotations

from collections.abc import Callable

from app.domain.people import Role, UserRecord
from app.services.container import Services
from app.storage.db import Database
from app.ui.main_window import MainWindow
from app.ui.navigation import LEADS, MY_DAY
from tests.conftest import FakeClock

Make = Callable[[], MainWindow]


def _elsewhere(services: Services, clock: FakeClock) -> Services:
    return Services.build(Database(services.context.db.path), clock)


def test_a_lead_assigned_elsewhere_shows_in_the_reps_my_day(
        make_window: Make, services: Services, clock: FakeClock) -> None:
    rita = services.people.add_user("Rita Rep", "rita@example.com", Role.REP)
    services.people.sign_in(rita.id)
    window = make_window()
    window.show_page(MY_DAY)
    window.follow_changes_elsewhere()  # nothing new: nothing re-read
    assert not window.statusBar().currentMessage()
    manager = _elsewhere(services, clock)
    lead = manager.leads.create({"first_name": "Lena", "last_name": "Kunde",
                                 "phone": "+49 30 1234-56", "owner": "rita@example.com"})
    task = min((t for t in services.followup.tasks_for_lead(lead.id) if t.done_at is None),
               key=lambda t: t.due_at)
    assert window.my_day.model.row_of_task(task.id) is None
    window.follow_changes_elsewhere()
    assert window.my_day.model.row_of_task(task.id) is not None
    assert window.statusBar().currentMessage() == "Updated with changes saved elsewhere"


def test_the_windows_own_saves_are_not_taken_for_someone_elses(
        make_window: Make, services: Services, manager: UserRecord, clock: FakeClock) -> None:
    window = make_window()
    window.show_page(LEADS)
    services.leads.create({"last_name": "Mine"})
    window.follow_changes_elsewhere()
    assert not window.statusBar().currentMessage()
    _elsewhere(services, clock).leads.create({"last_name": "Theirs"})
    window.follow_changes_elsewhere()
    assert window.statusBar().currentMessage() == "Updated with changes saved elsewhere"
    assert "Theirs" in [window.leads.model.data(window.leads.model.index(r, 0))
                        for r in range(window.leads.model.rowCount())]
