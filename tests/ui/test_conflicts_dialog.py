"""The "needs review" inbox over real conflicts: two laptops (two databases) and one folder."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.domain.leads import LeadQuery
from app.domain.people import Role
from app.services.container import Services
from app.ui.dialogs.conflicts_dialog import EMPTY_TEXT, ConflictsDialog
from app.ui.models.conflict_model import FIELD_COLUMN, FIRST_VERSION_COLUMN, LEAD_COLUMN
from app.ui.workers import SynchronousRunner
from tests.conftest import FIXED_NOW, FakeClock
from tests.sync_laptops import Laptop

PHONE_A, PHONE_B = "+49 30 1111111", "+49 30 2222222"


@dataclass
class Team:
    a: Laptop
    b: Laptop
    folder: Path
    lead_id: uuid.UUID
    ben: uuid.UUID
    cara: uuid.UUID

    def sync_all(self) -> None:
        self.a.sync(self.folder)
        self.b.sync(self.folder)
        self.a.sync(self.folder)


@pytest.fixture
def team(tmp_path: Path) -> Iterator[Team]:
    """Phone and owner of one lead changed on both laptops between two syncs."""
    folder = tmp_path / "shared"
    folder.mkdir()
    a = Laptop(tmp_path / "a" / "leadline.sqlite", FakeClock())
    b = Laptop(tmp_path / "b" / "leadline.sqlite", FakeClock(FIXED_NOW + dt.timedelta(seconds=7)))
    ben = a.services.people.add_user("Ben Braun", "ben@example.com", Role.REP).id
    cara = a.services.people.add_user("Cara Diaz", "cara@example.com", Role.REP).id
    lead_id = a.services.leads.create({"first_name": "Anna", "last_name": "Weber",
                                       "company": "Acme GmbH", "phone": "+49 30 1234567"}).id
    result = Team(a, b, folder, lead_id, ben, cara)
    result.sync_all()
    a.services.leads.update(lead_id, {"phone": PHONE_A, "owner": str(ben)})
    b.services.leads.update(lead_id, {"phone": PHONE_B, "owner": str(cara)})
    result.sync_all()
    yield result
    a.close()
    b.close()


def _dialog(qtbot: Any, services: Services) -> ConflictsDialog:
    dialog = ConflictsDialog(services, SynchronousRunner())
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    QApplication.processEvents()  # the activation: keys and Ctrl+O go to the active window
    assert QApplication.activeWindow() is dialog
    return dialog


def _row_of(dialog: ConflictsDialog, label: str) -> int:
    rows = [r for r in range(dialog.model.rowCount())
            if dialog.model.index(r, FIELD_COLUMN).data() == label]
    assert len(rows) == 1, f"{label!r} rows: {rows}"
    return rows[0]


def _select(dialog: ConflictsDialog, label: str) -> None:
    dialog.table.selectRow(_row_of(dialog, label))
    assert dialog.current() is not None and dialog.current().field_label == label


def _conflicts(services: Services) -> set[tuple[str, str | None]]:
    return {(c.row_id, c.field) for c in services.sync.open_conflicts()}


def test_lists_both_conflicts_and_the_choice_reaches_the_other_laptop(
        qtbot: Any, team: Team) -> None:
    a, b = team.a, team.b
    shown_phone = a.services.leads.get(team.lead_id).phone
    other_phone = PHONE_B if shown_phone == PHONE_A else PHONE_A
    dialog = _dialog(qtbot, a.services)
    model = dialog.model
    assert dialog.pages.currentWidget() is not dialog.empty
    assert model.rowCount() == 2
    assert {model.index(r, FIELD_COLUMN).data() for r in range(2)} == {"Owner", "Phone"}
    assert {model.index(r, LEAD_COLUMN).data() for r in range(2)} == {"Anna Weber · Acme GmbH"}
    header = [model.headerData(c, Qt.Orientation.Horizontal)
              for c in range(FIRST_VERSION_COLUMN, FIRST_VERSION_COLUMN + 2)]
    assert header == ["Shown now", "Other version"]

    phone = _row_of(dialog, "Phone")
    shown_cell = model.index(phone, FIRST_VERSION_COLUMN).data()
    other_cell = model.index(phone, FIRST_VERSION_COLUMN + 1).data()
    assert shown_cell.startswith(shown_phone + "\n") and other_cell.startswith(other_phone + "\n")
    # Who and when: one version is this laptop's own edit, the other came from B.
    assert sorted(c.split("\n")[1].startswith("This laptop") for c in (shown_cell, other_cell)) \
        == [False, True]
    owner = _row_of(dialog, "Owner")
    owner_cells = {model.index(owner, FIRST_VERSION_COLUMN + i).data().split("\n")[0]
                   for i in range(2)}
    assert owner_cells == {"Ben Braun", "Cara Diaz"}  # names, not user ids

    _select(dialog, "Phone")
    texts = [button.text() for button in dialog.choices]
    assert texts == [shown_phone, other_phone]  # a phone is not typed here: its E.164 twin follows
    assert dialog.choices[0].isChecked()  # the shown value is preselected
    qtbot.mouseClick(dialog.choices[1], Qt.MouseButton.LeftButton)
    assert dialog.chosen_value() == other_phone
    with qtbot.waitSignal(dialog.conflict_resolved, timeout=0, raising=True):
        qtbot.mouseClick(dialog.resolve_button, Qt.MouseButton.LeftButton)

    assert a.services.leads.get(team.lead_id).phone == other_phone
    assert (team.lead_id.hex, "phone") not in _conflicts(a.services)
    assert (team.lead_id.hex, "owner_id") in _conflicts(a.services)
    # The row left the list, the next one is selected and shown in the panel.
    assert model.rowCount() == 1 and model.index(0, FIELD_COLUMN).data() == "Owner"
    assert dialog.current_row() == 0 and dialog.heading.text().endswith("Owner")

    team.sync_all()
    b.sync(team.folder)
    assert b.services.leads.get(team.lead_id).phone == other_phone
    assert a.services.leads.get(team.lead_id).phone == other_phone
    assert (team.lead_id.hex, "phone") not in _conflicts(b.services)
    assert (team.lead_id.hex, "owner_id") in _conflicts(b.services)


def test_keys_move_choose_and_resolve(qtbot: Any, team: Team) -> None:
    a = team.a
    dialog = _dialog(qtbot, a.services)
    dialog.table.setFocus()
    first, second = dialog.model.conflict(0), dialog.model.conflict(1)
    assert first is not None and second is not None
    assert dialog.current() == first
    QTest.keyClick(dialog.table, Qt.Key.Key_Down)
    assert dialog.current() == second
    QTest.keyClick(dialog.table, Qt.Key.Key_Up)
    assert dialog.current() == first
    # From a version's radio button too, Down goes to the next conflict (not the next radio).
    QTest.keyClick(dialog.choices[0], Qt.Key.Key_Down)
    assert dialog.current() == second

    _select(dialog, "Owner")
    assert len(dialog.choices) == 2  # an owner cannot be typed: versions only
    shown_owner = a.services.leads.get(team.lead_id).owner_id
    other_owner = team.cara if shown_owner == team.ben else team.ben
    QTest.keyClick(dialog.table, Qt.Key.Key_2)
    assert dialog.choices[1].isChecked() and not dialog.choices[0].isChecked()
    QTest.keyClick(dialog.table, Qt.Key.Key_Return)
    assert a.services.leads.get(team.lead_id).owner_id == other_owner
    assert (team.lead_id.hex, "owner_id") not in _conflicts(a.services)

    # The phone row is next, with two versions only: 3 chooses nothing, 1 keeps the shown one.
    shown_phone = a.services.leads.get(team.lead_id).phone
    assert dialog.current() is not None and dialog.current().field == "phone"
    assert len(dialog.choices) == 2
    QTest.keyClick(dialog.table, Qt.Key.Key_2)
    QTest.keyClick(dialog.table, Qt.Key.Key_3)
    assert dialog.choices[1].isChecked()
    QTest.keyClick(dialog.table, Qt.Key.Key_1)
    QTest.keyClick(dialog.table, Qt.Key.Key_Return)
    assert a.services.leads.get(team.lead_id).phone == shown_phone
    assert _conflicts(a.services) == set()
    assert dialog.pages.currentWidget() is dialog.empty
    assert dialog.empty.text() == EMPTY_TEXT


def test_another_value_typed_for_a_text_field(qtbot: Any, team: Team) -> None:
    a, b = team.a, team.b
    a.services.leads.update(team.lead_id, {"company": "Acme GmbH (Berlin)"})
    b.services.leads.update(team.lead_id, {"company": "ACME Berlin"})
    team.sync_all()
    dialog = _dialog(qtbot, a.services)
    _select(dialog, "Company")
    texts = [button.text() for button in dialog.choices]
    assert sorted(texts[:2]) == ["ACME Berlin", "Acme GmbH (Berlin)"]
    assert texts[2:] == ["Type another value:"]
    dialog.table.setFocus()
    QTest.keyClick(dialog.table, Qt.Key.Key_3)
    assert dialog.custom.isChecked() and dialog.focusWidget() is dialog.custom_edit
    QTest.keyClicks(dialog.custom_edit, "Acme Berlin GmbH")
    QTest.keyClick(dialog.custom_edit, Qt.Key.Key_Return)  # Enter in the line edit resolves
    assert a.services.leads.get(team.lead_id).company == "Acme Berlin GmbH"
    assert (team.lead_id.hex, "company") not in _conflicts(a.services)
    waiting = {(c.table, c.field) for c in dialog.model.conflicts()}
    assert ("lead", "company") not in waiting
    assert {("lead", "phone"), ("lead", "owner_id")} <= waiting  # still to decide
    team.sync_all()
    assert b.services.leads.get(team.lead_id).company == "Acme Berlin GmbH"
    assert (team.lead_id.hex, "company") not in _conflicts(b.services)


def test_open_lead_asks_the_window_with_the_lead_id(qtbot: Any, team: Team) -> None:
    dialog = _dialog(qtbot, team.a.services)
    asked: list[uuid.UUID] = []
    dialog.open_lead_requested.connect(asked.append)
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    assert asked == [team.lead_id]
    QTest.keyClick(dialog.table, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    assert asked == [team.lead_id, team.lead_id]
    assert _conflicts(team.a.services)  # opening decides nothing


def test_edit_against_delete_offers_keep_or_delete_the_lead(qtbot: Any, team: Team) -> None:
    a, b = team.a, team.b
    other = a.services.leads.create({"first_name": "Omar", "last_name": "Ali",
                                     "company": "Beta AG"}).id
    team.sync_all()
    a.services.leads.delete(other)
    b.services.leads.update(other, {"city": "Köln"})
    team.sync_all()
    dialog = _dialog(qtbot, a.services)
    row = _row_of(dialog, "Deleted while edited")
    dialog.table.selectRow(row)
    assert [button.text() for button in dialog.choices] == ["Keep the lead", "Delete the lead"]
    cells = {dialog.model.index(row, FIRST_VERSION_COLUMN + i).data().split("\n")[0]
             for i in range(2)}
    assert cells == {"Deleted the lead", "Kept and edited the lead"}
    QTest.keyClick(dialog.table, Qt.Key.Key_2)
    QTest.keyClick(dialog.table, Qt.Key.Key_Return)
    assert (other.hex, None) not in _conflicts(a.services)
    assert other not in {lead.id for lead in a.services.leads.list(LeadQuery())}
    assert dialog.model.rowCount() == 2  # the phone and owner conflicts are still waiting


def test_a_conflict_decided_elsewhere_meanwhile_leaves_the_list(qtbot: Any, team: Team) -> None:
    a, b = team.a, team.b
    dialog = _dialog(qtbot, a.services)
    _select(dialog, "Phone")
    shown = b.services.leads.get(team.lead_id).phone
    b.services.sync.resolve_conflict("lead", team.lead_id.hex, "phone", shown)
    b.sync(team.folder)
    a.sync(team.folder)  # the list in the open dialog is now out of date
    assert not dialog.resolve()
    assert [c.field for c in dialog.model.conflicts()] == ["owner_id"]
    assert not dialog.problem.isVisible()
    assert a.services.leads.get(team.lead_id).phone == shown


def test_empty_state(qtbot: Any, services: Services) -> None:
    dialog = _dialog(qtbot, services)
    assert dialog.model.rowCount() == 0
    assert dialog.pages.currentWidget() is dialog.empty
    assert dialog.empty.text() == EMPTY_TEXT
    assert dialog.empty.isVisible() and not dialog.table.isVisible()
    assert not dialog.resolve()  # nothing to resolve, nothing raised
