"""The main window's command table and how what a command changed reaches the pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.services.container import Services
from app.ui.actions import ACTIONS, LEAD_TABLE_ACTIONS, MENUS, SEPARATOR
from app.ui.main_window import MainWindow
from app.ui.navigation import BOOTH, LEADS, PAGES
from app.ui.operations import Changes

Make = Callable[[], MainWindow]


def test_every_menu_entry_is_one_command_of_the_table(make_window: Make) -> None:
    window = make_window()
    for (title, ids), menu_action in zip(MENUS, window.menuBar().actions(), strict=True):
        assert menu_action.text() == title
        entries = menu_action.menu().actions()
        assert [SEPARATOR if a.isSeparator() else a for a in entries] == [
            key if key == SEPARATOR else getattr(window, f"{key}_action") for key in ids]
    table_ids = [a for a in window.leads.table.actions() if not a.isSeparator()]
    assert table_ids == [window.delete_action, *(getattr(window, f"{key}_action")
                                                 for key in LEAD_TABLE_ACTIONS if key != SEPARATOR)]
    assert len({spec.id for spec in ACTIONS} | {page.action_id for page in PAGES}) == \
        len(ACTIONS) + len(PAGES)


def test_the_rail_and_the_view_menu_open_the_same_pages(make_window: Make) -> None:
    window = make_window()
    for page in PAGES:
        assert window.rail.item(page.index).text() == page.rail_label
        getattr(window, f"{page.action_id}_action").trigger()
        assert window.pages.currentIndex() == page.index == window.rail.currentRow()


def test_leads_changed_elsewhere_are_read_when_the_list_is_shown(
        make_window: Make, services: Services, add_leads: Callable[..., Any]) -> None:
    window = make_window()
    window.show_page(BOOTH)
    add_leads(3)
    window.apply_changes(Changes(tasks=True))
    assert window.leads.model.rowCount() == 0  # not a lead change: the list stays as it was
    window.apply_changes(Changes(leads=True))
    assert window.count_label.text() == "3 leads"  # the count follows at once
    assert window.leads.model.rowCount() == 0  # the list waits until it is shown
    window.show_page(LEADS)
    assert window.leads.model.rowCount() == 3
    add_leads(2)
    window.apply_changes(Changes(leads=True))  # in view: read again now
    assert window.leads.model.rowCount() == 5


def test_a_change_to_the_signed_in_profile_reaches_the_status_bar_and_the_pages(
        make_window: Make, services: Services) -> None:
    from app.domain.access import Area
    from app.domain.people import Role

    me = services.people.add_user("Mia Manager", "mia@example.com", Role.MANAGER)
    services.people.sign_in(me.id)
    window = make_window()
    assert window.user_label.text() == f"Mia Manager · {Role.MANAGER.label}"
    services.people.update_user(me.id, name="Mia Rep", role=Role.REP)  # e.g. synced in
    window.apply_changes(Changes(people=True))
    assert window.user_label.text() == f"Mia Rep · {Role.REP.label}"
    assignment = next(p for p in PAGES if p.area is Area.ASSIGNMENT)
    assert window.rail.item(assignment.index).isHidden(), "a rep does not assign"
    assert window.leads.owner_scope == me.id
