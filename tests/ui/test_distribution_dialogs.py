"""Re-applying rules, editing routing and scoring rules, hand back, recycle, why this score."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtGui import QUndoStack

from app.domain.leads import LeadRecord, LeadStatus
from app.domain.people import UserRecord
from app.domain.routing import ConditionKind, TargetKind
from app.services.container import Services
from app.ui import messages
from app.ui.dialogs import hand_back_dialog
from app.ui.dialogs.reassign_dialog import ReassignDialog
from app.ui.dialogs.routing_rules_dialog import RoutingRulesDialog
from app.ui.dialogs.scoring_rules_dialog import ScoringRulesDialog
from app.ui.main_window import MainWindow
from app.ui.navigation import LEADS
from app.ui.workers import SynchronousRunner

Make = Callable[[], MainWindow]


@pytest.fixture
def anna(services: Services) -> UserRecord:
    return services.people.add_user("Anna Berger", "anna@example.com", "rep")


def test_reassign_preview_apply_and_undo(qtbot: Any, services: Services, manager: UserRecord,
                                         anna: UserRecord, add_leads: Any,
                                         confirmations: list[str]) -> None:
    leads = add_leads(3, country="DE")  # no rules yet: all in the catch-all queue
    services.routing.add_rule("Germany to Anna", [], TargetKind.USER, anna.id)
    stack = QUndoStack()
    changes: list[int] = []
    dialog = ReassignDialog(services, SynchronousRunner(), stack, lambda: changes.append(1))
    qtbot.addWidget(dialog)
    sql = dialog.status_boxes[LeadStatus.SQL]
    assert not sql.isChecked() and "working" in sql.toolTip()
    assert not dialog.apply_button.isEnabled()
    dialog.preview_button.click()
    assert dialog.model.rowCount() == 3
    assert dialog.model.data(dialog.model.index(0, 2)) == "Anna Berger"
    assert dialog.model.data(dialog.model.index(0, 1)) == "queue Inbox"
    assert dialog.model.data(dialog.model.index(0, 3)) == "Germany to Anna"
    assert "Example" in dialog.model.data(dialog.model.index(0, 0))
    assert dialog.count_label.text().startswith("3 of 3 leads would move")
    dialog.apply_button.click()
    assert {services.leads.get(r.id).owner_id for r in leads} == {anna.id}
    assert changes and stack.count() == 1
    stack.undo()
    assert {services.leads.get(r.id).owner_id for r in leads} == {None}
    stack.redo()
    assert {services.leads.get(r.id).owner_id for r in leads} == {anna.id}


def test_reassign_conflict_asks_for_a_new_preview(qtbot: Any, services: Services,
                                                  manager: UserRecord, anna: UserRecord,
                                                  add_leads: Any,
                                                  confirmations: list[str]) -> None:
    leads = add_leads(2)
    services.routing.add_rule("All to Anna", [], TargetKind.USER, anna.id)
    dialog = ReassignDialog(services, SynchronousRunner(), QUndoStack(), lambda: None)
    qtbot.addWidget(dialog)
    dialog.preview_button.click()
    services.routing.assign([leads[0].id], owner_id=anna.id)  # someone else moved one
    dialog.apply_button.click()
    assert any("Preview again" in line for line in confirmations)
    assert services.leads.get(leads[1].id).owner_id is None


def test_routing_rule_with_condition_is_added_and_bad_values_explained(
        qtbot: Any, services: Services, manager: UserRecord, anna: UserRecord) -> None:
    dialog = RoutingRulesDialog(services)
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("DACH to Anna")
    dialog.target_kind.setCurrentIndex(dialog.target_kind.findData(TargetKind.USER.value))
    dialog.target.setCurrentIndex(dialog.target.findData(str(anna.id)))
    dialog.condition_kind.setCurrentIndex(dialog.condition_kind.findData(ConditionKind.COUNTRY.value))
    dialog.condition_values.setText("Germany")
    assert not dialog.add_condition()
    assert not dialog.error_label.isHidden()
    assert "two-letter country code" in dialog.error_label.text()
    dialog.condition_values.setText("de, at, ch")
    assert dialog.add_condition()
    assert dialog.error_label.isHidden()
    assert dialog.save_rule(), dialog.error_label.text() + repr(dialog.target.currentData())
    [rule] = services.routing.rules()
    assert (rule.name, rule.target_id) == ("DACH to Anna", anna.id)
    assert rule.conditions[0].values == ("DE", "AT", "CH")
    assert dialog.rule_list.count() == 1 and "country in DE, AT, CH" in \
        dialog.rule_list.item(0).text()
    assert dialog.changed
    second = services.routing.add_rule("Rest", [], TargetKind.USER, anna.id)
    dialog.reload(second.id)
    dialog.move(-1)
    assert [r.name for r in services.routing.rules()] == ["Rest", "DACH to Anna"]


def test_scoring_dialog_saves_thresholds_and_refuses_bad_ones(
        qtbot: Any, services: Services, manager: UserRecord) -> None:
    dialog = ScoringRulesDialog(services)
    qtbot.addWidget(dialog)
    before = len(services.scoring.rules())
    assert dialog.table.rowCount() == before
    dialog.mql.setValue(80)
    dialog.sql.setValue(50)
    dialog.save()
    assert "MQL < SQL" in dialog.error_label.text() and not dialog.saved
    dialog.sql.setValue(120)
    dialog.decay.setValue(3)
    dialog.add_rule()
    dialog.table.item(before, 1).setText("Director")
    dialog.save()
    assert dialog.saved
    config = services.scoring.config()
    assert (config.mql_threshold, config.sql_threshold, config.decay_points_per_week) == \
        (80, 120, 3)
    assert len(config.rules) == before + 1 and config.rules[-1].value == "Director"


def _open_lead(window: MainWindow, record: LeadRecord) -> None:
    window.show_page(LEADS)
    window.leads.select_lead(record)


def test_hand_back_recycle_and_why_this_score(make_window: Make, manager: UserRecord,
                                              anna: UserRecord, add_leads: Any,
                                              services: Services,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = add_leads(2, title="Director")
    services.routing.assign([first.id, second.id], owner_id=anna.id)
    window = make_window()
    _open_lead(window, services.leads.get(first.id))
    monkeypatch.setattr(hand_back_dialog.HandBackDialog, "ask",
                        classmethod(lambda cls, name, parent=None: "wrong territory"))
    window.hand_back_action.trigger()
    handed = services.leads.get(first.id)
    assert handed.owner_id is None and handed.queue_name == "Inbox"
    window.undo_stack.undo()
    assert services.leads.get(first.id).owner_id == anna.id

    _open_lead(window, services.leads.get(second.id))
    today = services.context.clock().date()
    seen: list[dt.date] = []

    def recycle_ask(cls: Any, name: str, day: dt.date, parent: Any = None
                    ) -> tuple[str, dt.date]:
        seen.append(day)
        return "budget next year", day + dt.timedelta(days=90)

    monkeypatch.setattr(hand_back_dialog.RecycleDialog, "ask", classmethod(recycle_ask))
    window.recycle_action.trigger()
    recycled = services.leads.get(second.id)
    assert seen == [today] and recycled.status is LeadStatus.NURTURE

    shown: list[str] = []
    monkeypatch.setattr(messages, "info", lambda _p, _t, text: shown.append(text))
    assert window.leads.detail.record is not None, window.pages.currentIndex()
    window.leads.detail.why_button.click()
    _lead, result = services.scoring.explain(second.id)
    assert shown and shown[0].startswith(f"{recycled.display_name}: score {result.total}")
    assert shown[0].count("\n") >= 2 + len(result.reasons) - 1


def test_recycle_dialog_defaults_to_ninety_days_and_needs_a_reason(qtbot: Any) -> None:
    today = dt.date(2026, 3, 1)
    dialog = hand_back_dialog.RecycleDialog("Jonas Weber", today)
    qtbot.addWidget(dialog)
    assert dialog.come_back.date().toPython() == today + dt.timedelta(days=90)
    assert not dialog.ok.isEnabled()
    dialog.reason.setPlainText("no budget until Q3")
    assert dialog.ok.isEnabled()
    assert dialog.chosen() == ("no budget until Q3", today + dt.timedelta(days=90))
