"""The main window as a person uses it: empty state, search, filters, edit, undo, delete."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSettings, Qt

from app.domain.leads import LeadQuery, LeadStatus
from app.domain.people import Role, UserRecord
from app.services.container import Services
from app.ui.dialogs.new_lead_dialog import NewLeadDialog
from app.ui.main_window import MainWindow
from app.ui.models.lead_table_model import RECORD_ROLE
from app.ui.navigation import ASSIGNMENT, HOME, LEADS, MY_DAY

Make = Callable[[], MainWindow]


def visible_names(window: MainWindow) -> list[str]:
    model = window.leads.model
    return [model.data(model.index(r, 0)) for r in range(model.rowCount())]


def test_empty_database_shows_the_empty_state(make_window: Make, manager: UserRecord) -> None:
    window = make_window()
    assert window.pages.currentIndex() == LEADS
    assert window.leads.stack.currentWidget() is window.leads.empty_state
    assert window.leads.empty_state.demo_button.isVisible()
    assert window.count_label.text() == "0 leads"


def test_manager_starts_on_home_with_orphans_counted(make_window: Make, manager: UserRecord,
                                                      add_leads: Any, services: Services) -> None:
    services.settings.set("routing.auto_on_capture", False)  # no queue: nobody can work them
    add_leads(3)
    services.settings.set("routing.auto_on_capture", True)
    add_leads(2)  # in the catch-all queue: unassigned, but someone will pick them up
    window = make_window()
    assert window.pages.currentIndex() == ASSIGNMENT  # managers start on the board
    assert "3 orphans" in window.assignment.summary.text()
    window.show_page(HOME)
    cards = {b.card.title: b for b in window.home.buttons}
    assert cards["Orphans"].number.text() == "3", "the same orphans as the board's header"
    cards["Orphans"].clicked.emit()
    assert window.pages.currentIndex() == LEADS
    assert window.leads.model.query.orphaned
    assert window.leads.model.rowCount() == 3
    assert window.leads.owner_filter.currentText() == "Orphans"


def test_rep_home_shows_their_own_work(make_window: Make, services: Services) -> None:
    rep = services.people.add_user("Rita Rep", "rita@example.com", Role.REP)
    services.people.sign_in(rep.id)
    services.leads.create({"last_name": "Mine", "owner": "rita@example.com"})
    services.leads.create({"last_name": "Other"})
    window = make_window()
    assert window.pages.currentIndex() == MY_DAY  # reps start on their to-do list
    window.show_page(HOME)
    titles = [b.card.title for b in window.home.buttons]
    assert titles[0] == "My overdue follow-ups"
    mine = next(b for b in window.home.buttons if b.card.title == "My open leads")
    assert mine.number.text() == "1"


def test_search_as_you_type_filters_the_list(qtbot: Any, make_window: Make,
                                            manager: UserRecord, add_leads: Any) -> None:
    add_leads(20)
    window = make_window()
    window.show_page(LEADS)
    qtbot.keyClicks(window.search, "son01")
    qtbot.waitUntil(lambda: window.leads.model.rowCount() == 10)
    assert all("Person01" in name for name in visible_names(window))
    assert window.count_label.text() == "10 of 20 leads"
    window.search.clear()
    qtbot.waitUntil(lambda: window.leads.model.rowCount() == 20)


def test_search_with_no_match_offers_to_clear(qtbot: Any, make_window: Make,
                                              manager: UserRecord, add_leads: Any) -> None:
    add_leads(5)
    window = make_window()
    window.search.setText("zzzz-nothing")
    window._search_now()
    assert window.leads.stack.currentIndex() == 2
    window.leads.clear_filters()
    assert window.search.text() == ""
    assert window.leads.model.rowCount() == 5


def test_status_and_overdue_filters(make_window: Make, manager: UserRecord, add_leads: Any,
                                    services: Services) -> None:
    leads = add_leads(6)
    services.leads.update(leads[0].id, {"status": "mql"})
    window = make_window()
    page = window.leads
    page.status_filter.setCurrentIndex(page.status_filter.findData(LeadStatus.MQL.value))
    assert page.model.rowCount() == 1
    assert page.model.data(page.model.index(0, 0), RECORD_ROLE).id == leads[0].id
    page.status_filter.setCurrentIndex(0)
    page.overdue_filter.setChecked(True)
    assert page.model.rowCount() == 0
    page.overdue_filter.setChecked(False)
    page.owner_filter.setCurrentIndex(page.owner_filter.findData("unassigned"))
    assert page.model.rowCount() == 6


def test_edit_in_detail_pane_saves_with_history_and_undoes(
        make_window: Make, manager: UserRecord, add_leads: Any, services: Services) -> None:
    lead = add_leads(2)[0]
    window = make_window()
    window.show_page(LEADS)
    page = window.leads
    row = next(r for r in range(page.model.rowCount())
               if page.model.data(page.model.index(r, 0), RECORD_ROLE).id == lead.id)
    page.table.selectRow(row)
    assert page.detail.record is not None and page.detail.record.id == lead.id
    page.detail.form.editors["company"].setText("Globex Ltd")
    assert page.detail.save_button.isEnabled()
    window.save_action.trigger()
    assert services.leads.get(lead.id).company == "Globex Ltd"
    history = services.leads.history(lead.id)
    assert history[0].field == "company" and history[0].new_value == "Globex Ltd"
    assert page.model.data(page.model.index(row, 1)) == "Globex Ltd"
    window.undo_action.trigger()
    assert services.leads.get(lead.id).company == lead.company
    assert page.detail.form.value("company") == lead.company
    window.redo_action.trigger()
    assert services.leads.get(lead.id).company == "Globex Ltd"


def test_invalid_edit_is_refused_with_the_field_named(make_window: Make, manager: UserRecord,
                                                      add_leads: Any, services: Services) -> None:
    lead = add_leads(1)[0]
    window = make_window()
    window.show_page(LEADS)
    window.leads.table.selectRow(0)
    detail = window.leads.detail
    detail.form.editors["email"].setText("not-an-email")
    assert not detail.save()
    assert detail.form.messages["email"].isVisibleTo(detail.form)
    assert "not a valid email" in detail.form.messages["email"].text()
    assert services.leads.get(lead.id).email == lead.email
    kinds = [h.kind.value for h in services.leads.history(lead.id)]
    assert kinds == ["owner_changed", "created"]  # routed to the Inbox on creation, no edit


def test_delete_asks_first_and_can_be_undone(make_window: Make, manager: UserRecord,
                                             add_leads: Any, services: Services,
                                             confirmations: list[str]) -> None:
    add_leads(3)
    window = make_window()
    window.show_page(LEADS)
    page = window.leads
    page.table.selectRow(0)
    doomed = page.model.data(page.model.index(0, 0), RECORD_ROLE)
    page.delete_selected()
    assert any("Delete" in c for c in confirmations)
    assert page.model.rowCount() == 2
    assert services.leads.count(LeadQuery()) == 2
    window.undo_action.trigger()
    assert page.model.rowCount() == 3
    assert services.leads.get(doomed.id).deleted_at is None


def test_new_lead_dialog_validates_and_creates(qtbot: Any, services: Services,
                                               manager: UserRecord) -> None:
    dialog = NewLeadDialog(services.leads, __import__("app.ui.lead_form").ui.lead_form
                           .FormChoices())
    qtbot.addWidget(dialog)
    dialog.save()
    assert dialog.created is None
    assert dialog.form.messages["last_name"].text().startswith("a lead needs")
    dialog.form.editors["first_name"].setText("Zoë")
    dialog.form.editors["last_name"].setText("Søndergaard")
    dialog.form.editors["phone"].setText("+45 32 12 34 56")
    dialog.save()
    assert dialog.created is not None
    assert dialog.created.phone_e164 == "+4532123456"
    assert services.leads.get(dialog.created.id).captured_by_id == manager.id


def test_window_layout_is_remembered(make_window: Make, manager: UserRecord,
                                     settings: QSettings) -> None:
    first = make_window()
    first.leads.splitter.setSizes([300, 500])
    first.leads.table.setColumnWidth(1, 321)
    first.leads.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    first.close()  # closing saves the layout
    assert settings.contains("window/geometry")
    second = make_window()
    assert second.leads.table.columnWidth(1) == 321
    sizes = second.leads.splitter.sizes()
    # The chosen split gave the detail pane more than half; the default gives it about a third.
    # (The offscreen screen is 800 px wide: the restored window is as narrow as it may be, so
    # the split is kept as far as the panes' minimum widths allow.)
    assert sizes[1] > 0.4 * sum(sizes)
    assert second.leads.model.query.sort.value == "name"
    assert not second.leads.model.query.descending


def test_load_demo_data_from_the_empty_state(monkeypatch: Any, make_window: Make,
                                             manager: UserRecord, services: Services) -> None:
    from PySide6.QtWidgets import QInputDialog

    monkeypatch.setattr(QInputDialog, "getInt", lambda *a, **k: (60, True))
    window = make_window()
    assert window.leads.stack.currentWidget() is window.leads.empty_state
    window.leads.empty_state.demo_button.click()
    assert services.leads.count(LeadQuery()) == 60
    assert window.leads.model.rowCount() == 60
    assert window.leads.stack.currentWidget() is window.leads.table
    assert window.leads.owner_filter.count() > 3  # demo team members are offered as owners
    assert window.count_label.text() == "60 leads"


def test_review_flag_is_visible_in_the_list(make_window: Make, manager: UserRecord,
                                            services: Services) -> None:
    services.leads.create({"last_name": "Doubtful", "phone": "12"}, lenient=True)
    window = make_window()
    model = window.leads.model
    assert model.data(model.index(0, 0), Qt.ItemDataRole.DecorationRole) is not None
    assert "Needs review" in model.data(model.index(0, 0), Qt.ItemDataRole.ToolTipRole)


def test_status_bar_counts_read_naturally(make_window: Make, manager: UserRecord,
                                          add_leads: Any) -> None:
    add_leads(1)
    window = make_window()
    assert window.count_label.text() == "1 lead"
    window.search.setText("zzzz")
    window._search_now()
    assert window.count_label.text() == "0 of 1 lead"


def test_keyboard_shortcuts_are_listed_from_the_menus(make_window: Make) -> None:
    from app.ui.dialogs.shortcuts_dialog import ShortcutsDialog, shortcut_rows

    window = make_window()
    rows = shortcut_rows(window.menuBar())
    commands = {command: keys for _menu, command, keys in rows}
    assert commands["Sync now"] == "F5" and commands["Settings"] == "Ctrl+,"
    assert commands["Keyboard shortcuts"] == "Ctrl+/"
    assert commands["Back up now"] == "Ctrl+Shift+B"
    assert "Review sync conflicts" in commands  # listed even without a shortcut
    assert window.shortcuts_action.shortcut().toString() == "Ctrl+/"
    dialog = ShortcutsDialog(window.menuBar(), window)
    assert dialog.table.rowCount() == len(rows) > 40
    dialog.close()


def test_dialogs_open_the_size_they_were_left_at(make_window: Make,
                                                 settings: QSettings) -> None:
    from app.ui.dialogs.shortcuts_dialog import ShortcutsDialog

    window = make_window()
    first = ShortcutsDialog(window.menuBar(), window)
    first.show()
    first.resize(760, 520)
    first.hide()
    assert settings.value("dialogs/ShortcutsDialog")
    again = ShortcutsDialog(window.menuBar(), window)
    again.show()
    assert (again.width(), again.height()) == (760, 520)
    again.close()
