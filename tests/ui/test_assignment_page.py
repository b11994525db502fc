"""The assignment board: counts and orphans, assigning by button and by drop, undo/redo."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel
from PySide6.QtGui import QColor

from app.domain.leads import LeadRecord
from app.domain.people import Availability, UserRecord
from app.services.container import Services
from app.ui.dialogs import reassign_dialog
from app.ui.dialogs.reassign_dialog import Target
from app.ui.main_window import MainWindow
from app.ui.navigation import ASSIGNMENT
from app.ui.pages.assignment_drag import lead_ids_of, lead_mime
from app.ui.pages.assignment_rows import ROW_ROLE, workload_text

Make = Callable[[], MainWindow]


@pytest.fixture
def reps(services: Services) -> dict[str, UserRecord]:
    people = services.people
    return {"anna": people.add_user("Anna Berger", "anna@example.com", "rep", capacity=3),
            "ben": people.add_user("Ben Okafor", "ben@example.com", "rep")}


@pytest.fixture
def orphans(services: Services, add_leads: Any) -> list[LeadRecord]:
    """Leads captured with automatic routing off: no owner and no queue."""
    services.settings.set("routing.auto_on_capture", False)
    return add_leads(4)


def board(window: MainWindow) -> Any:
    window.show_page(ASSIGNMENT)
    return window.assignment


def select_rows(page: Any, rows: list[int]) -> None:
    selection = page.table.selectionModel()
    selection.clear()
    for row in rows:
        selection.select(page.model.index(row, 0), QItemSelectionModel.SelectionFlag.Select
                         | QItemSelectionModel.SelectionFlag.Rows)


def test_manager_starts_on_board_with_orphans_in_red(make_window: Make, manager: UserRecord,
                                                     reps: dict[str, UserRecord],
                                                     orphans: list[LeadRecord]) -> None:
    window = make_window()
    assert window.pages.currentIndex() == ASSIGNMENT
    page = window.assignment
    orphaned, nobody = page.queue_list.item(0), page.queue_list.item(1)
    assert orphaned.text() == "Orphans: nobody can work them\n4 open leads"
    assert orphaned.font().bold() and orphaned.foreground().color() == QColor("#c62828")
    assert nobody.text() == "No owner, no queue\n4 open leads"
    assert "4 orphans" in page.summary.text()
    assert page.queue_list.currentItem() is orphaned and page.model.rowCount() == 4
    assert page.rep_item("Anna Berger").text() == (
        "Anna Berger\n0 open leads · capacity 3\n0 overdue tasks")


def test_assign_selection_with_button_then_undo_and_redo(
        make_window: Make, manager: UserRecord, reps: dict[str, UserRecord],
        orphans: list[LeadRecord], services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    page = board(make_window())
    select_rows(page, [0, 2])
    chosen = [page.model.record(0).id, page.model.record(2).id]
    asked: list[int] = []
    monkeypatch.setattr(reassign_dialog.AssignToDialog, "ask",
                        lambda _s, count, _p=None: asked.append(count)
                        or Target(reps["anna"].id, None, "Anna Berger", "speaks German"))
    page.assign_button.click()
    assert asked == [2]
    assert {services.leads.get(i).owner_id for i in chosen} == {reps["anna"].id}
    assert page.queue_list.item(1).text() == "No owner, no queue\n2 open leads"
    assert page.rep_item("Anna Berger").text().startswith(
        "Anna Berger\n2 open leads · capacity 3")
    assert page.model.rowCount() == 2

    window = page.window()
    window.undo_stack.undo()
    assert {services.leads.get(i).owner_id for i in chosen} == {None}
    assert page.queue_list.item(1).text() == "No owner, no queue\n4 open leads"
    window.undo_stack.redo()
    assert {services.leads.get(i).owner_id for i in chosen} == {reps["anna"].id}


def test_drop_on_rep_assigns_and_full_rep_is_marked(make_window: Make, manager: UserRecord,
                                                    reps: dict[str, UserRecord],
                                                    orphans: list[LeadRecord],
                                                    services: Services) -> None:
    page = board(make_window())
    ids = [r.id for r in orphans[:3]]
    data = lead_mime(ids)
    assert lead_ids_of(data) == ids
    assert page.rep_list.drop_on(page.rep_item("Anna Berger"), data)
    assert all(services.leads.get(i).owner_id == reps["anna"].id for i in ids)
    anna = page.rep_item("Anna Berger")
    assert "at capacity" in anna.text() and anna.font().bold()
    assert page.window().undo_stack.undoText().startswith("Assign 3 leads to Anna Berger")


def test_away_rep_is_greyed_and_their_leads_are_orphans(make_window: Make, manager: UserRecord,
                                                        reps: dict[str, UserRecord],
                                                        services: Services,
                                                        add_leads: Any) -> None:
    leads = add_leads(2)  # routed to the catch-all queue: not orphans
    services.routing.assign([leads[0].id], owner_id=reps["ben"].id)
    page = board(make_window())
    assert page.queue_list.item(0).text().startswith("Orphans: nobody can work them\n0 open")
    page.set_availability(reps["ben"].id, Availability.AWAY)
    ben = page.rep_item("Ben Okafor")
    assert "Away" in ben.text() and ben.foreground().color() == QColor("#8a8a8a")
    assert page.queue_list.item(0).text().startswith("Orphans: nobody can work them\n1 open")
    inbox = page.queue_list.item(2)
    assert inbox.data(ROW_ROLE)[0] == "queue" and "Inbox" in inbox.text()
    page.rep_list.itemClicked.emit(ben)  # as a click on the card does
    assert page.model.rowCount() == 1 and page.model.record(0).id == leads[0].id


def test_empty_board_points_at_import(make_window: Make, manager: UserRecord) -> None:
    page = board(make_window())
    assert page.lead_stack.currentWidget() is page.empty
    assert "Import" in page.empty_text.text() and page.empty_buttons.isVisibleTo(page)
    assert "users add" in page.no_reps.text()
    assert not page.assign_button.isEnabled()
    assert page.queue_list.item(0).text() == "Orphans: nobody can work them\n0 open leads"


def test_assign_to_dialog_offers_reps_and_queues(qtbot: Any, services: Services,
                                                 manager: UserRecord,
                                                 reps: dict[str, UserRecord]) -> None:
    inbox = services.routing.ensure_catch_all()
    services.people.set_availability(reps["ben"].id, Availability.AWAY)
    dialog = reassign_dialog.AssignToDialog(services, 2)
    qtbot.addWidget(dialog)
    texts = [dialog.target.itemText(i) for i in range(dialog.target.count())]
    assert "Rep: Ben Okafor (away)" in texts and "Queue: Inbox" in texts
    dialog.target.setCurrentIndex(texts.index("Queue: Inbox"))
    dialog.reason.setText("for the night shift")
    assert dialog.chosen() == Target(None, inbox.id, "Inbox", "for the night shift")


def test_window_rescores_once_a_day(make_window: Any, manager: Any, services: Any,
                                    clock: Any) -> None:
    lead = services.leads.create({"last_name": "Decay", "title": "VP Sales"})
    window = make_window()
    clock.advance(days=8)
    window.rescore_daily()
    assert services.leads.get(lead.id).score == 25 - 2
    assert not services.scoring.rescore_due()


def test_the_header_counts_what_the_board_opens_on_and_converted_leads_are_no_orphans(
        make_window: Make, manager: UserRecord, reps: dict[str, UserRecord],
        services: Services, add_leads: Any) -> None:
    """The manager's first view: every orphan belongs to an away rep (none lacks both owner
    and queue), and some of that rep's leads are converted or closed."""
    ben = reps["ben"]
    leads = add_leads(6)
    services.routing.assign([lead.id for lead in leads], owner_id=ben.id)
    services.leads.update(leads[0].id, {"status": "converted"})
    services.leads.update(leads[1].id, {"status": "won"})
    services.people.set_availability(ben.id, Availability.AWAY)
    services.settings.set("routing.auto_on_capture", False)
    stray = add_leads(1)[0]  # converted, with neither owner nor queue: not an orphan either
    services.leads.update(stray.id, {"status": "converted"})

    window = make_window()
    page = window.assignment
    assert window.pages.currentIndex() == ASSIGNMENT
    assert "4 orphans" in page.summary.text()
    current = page.queue_list.currentItem()
    assert current.text() == "Orphans: nobody can work them\n4 open leads"
    assert page.lead_stack.currentWidget() is page.table, "never opens on an empty queue"
    listed = {page.model.record(row).id for row in range(page.model.rowCount())}
    assert listed == {lead.id for lead in leads[2:]}
    # The list's count is taken from the header's: the list's own query must agree with it.
    assert services.leads.count(page.model.query) == 4
    assert page.queue_list.item(1).text() == "No owner, no queue\n0 open leads"
    assert services.routing.orphan_count() == 4


def test_a_rep_far_over_capacity_reads_plainly(make_window: Make, manager: UserRecord,
                                               reps: dict[str, UserRecord], services: Services,
                                               add_leads: Any) -> None:
    assert workload_text(0, None) == "0 open leads"
    assert workload_text(350, 400) == "350 open leads · capacity 400"
    assert workload_text(400, 400) == "400 open leads · at capacity"
    assert workload_text(450, 400) == "450 open leads · capacity 400 (50 over)"
    assert workload_text(12_124, 400) == "12,124 open leads · capacity 400 (30× over)"
    assert workload_text(3, 0) == "3 open leads · capacity 0 (takes no new leads)"
    leads = add_leads(7)
    services.routing.assign([lead.id for lead in leads], owner_id=reps["anna"].id)
    anna = board(make_window()).rep_item("Anna Berger")
    assert anna.text() == "Anna Berger\n7 open leads · capacity 3 (2× over)\n0 overdue tasks"
    assert "/" not in anna.text()
