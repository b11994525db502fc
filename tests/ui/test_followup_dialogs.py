"""Cadences and follow-up settings dialogs: what they save, and problems shown in place;
the periodic first-touch check; the lead detail's follow-up panel."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import QSettings

from app.domain.people import Role, UserRecord
from app.domain.tasks import TaskKind
from app.services.container import Services
from app.ui.dialogs.cadences_dialog import CadencesDialog
from app.ui.dialogs.followup_settings_dialog import followup_settings_dialog
from app.ui.dialogs.touch_dialog import Touch, TouchDialog
from app.ui.local_settings import Tray
from app.ui.main_window import MainWindow
from tests.conftest import FakeClock

Make = Callable[[], MainWindow]


def test_cadence_dialog_saves_a_new_step_and_flags_an_empty_title(
        qtbot: Any, services: Services, confirmations: list[str]) -> None:
    dialog = CadencesDialog(services)
    qtbot.addWidget(dialog)
    dialog.new_cadence()
    dialog.name.setText("Webinar follow-up")
    dialog.steps.item(0, 2).setText("Email {first_name} the recording")
    dialog.add_step()  # title left empty
    assert not dialog.save()
    assert dialog.errors.isVisibleTo(dialog) and "Step 2" in dialog.errors.text()
    assert "title" in dialog.steps.item(1, 2).toolTip()
    assert "Webinar follow-up" not in [c.name for c in services.cadences.cadences()]
    dialog.steps.item(1, 2).setText("Call {full_name}")
    assert dialog.save()
    saved = next(c for c in services.cadences.cadences() if c.name == "Webinar follow-up")
    assert [(s.kind, s.offset_days, s.title) for s in saved.steps] == [
        (TaskKind.EMAIL, 1, "Email {first_name} the recording"), (TaskKind.CALL, 2,
                                                                  "Call {full_name}")]
    assert not dialog.errors.isVisibleTo(dialog)


def test_settings_dialog_saves_deadlines_and_the_local_tray_choice(
        qtbot: Any, services: Services, settings: QSettings) -> None:
    dialog = followup_settings_dialog(services, settings)
    qtbot.addWidget(dialog)
    assert dialog.page.timezone.currentText() == "Europe/Berlin"
    dialog.page.hot_days.setValue(1)
    dialog.page.escalation.setCurrentIndex(dialog.page.escalation.findData("reroute"))
    dialog.page.start_minimised.setChecked(True)
    dialog.page.day_start.setValue(18)
    dialog.save()
    assert dialog.page.error.isVisibleTo(dialog) and services.settings.get_int("sla.hot_days") == 0
    dialog.page.day_start.setValue(8)
    dialog.save()
    assert services.settings.get_int("sla.hot_days") == 1
    assert services.cadences.service_levels().hot_days == 1
    assert services.settings.get_str("sla.escalation") == "reroute"
    assert services.settings.get_int("calendar.day_start") == 8
    assert settings.value(Tray.START_MINIMISED.key, type=bool) is True


def test_periodic_check_flags_missed_first_touch_for_managers(
        make_window: Make, services: Services, manager: UserRecord, clock: FakeClock) -> None:
    services.people.add_user("Rita Rep", "rita@example.com", Role.REP)
    lead = services.leads.create({"last_name": "Hot", "rating": "hot",
                                  "owner": "rita@example.com"})
    window = make_window()
    clock.now = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
    window.run_periodic_checks()
    assert services.leads.get(lead.id).sla_breached_at == clock.now
    assert "1 lead missed its first-touch deadline" in window.statusBar().currentMessage()
    assert window.tray.notified[-1] == "1 lead missed its first-touch deadline"


def test_lead_detail_shows_countdown_and_logs_a_touch_without_task(
        make_window: Make, services: Services, manager: UserRecord,
        monkeypatch: pytest.MonkeyPatch) -> None:
    lead = services.leads.create({"last_name": "Warm", "rating": "warm",
                                  "owner": "maria@example.com"})
    window = make_window()
    window.open_lead(lead.id)
    detail = window.leads.detail
    assert detail.tasks.sla_label.text().startswith("First touch: ")
    monkeypatch.setattr(TouchDialog, "ask",
                        lambda *_a: Touch(TaskKind.CALL, None, "quick hello"))
    window.log_touch_action.trigger()
    after = services.leads.get(lead.id)
    assert after.first_touch_at == services.context.clock()
    assert services.leads.history(lead.id)[0].text == "quick hello"
    assert not detail.tasks.sla_label.isVisibleTo(detail)


def test_touch_dialog_returns_kind_and_outcome(qtbot: Any) -> None:
    dialog = TouchDialog("Tom Kunde", "Call Tom", TaskKind.CALL)
    qtbot.addWidget(dialog)
    dialog.outcome.setCurrentIndex(dialog.outcome.findText("Meeting set"))
    dialog.note.setText(" booked ")
    touch = dialog.touch()
    assert touch.kind is TaskKind.CALL and touch.outcome is not None
    assert touch.outcome.value == "meeting_set" and touch.note == "booked"
