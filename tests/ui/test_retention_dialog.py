"""Data → Retention rule…: the leads the rule lists for the months chosen, the rule kept for the
team, and erasure only after the typed word and a confirmation."""

from __future__ import annotations

from typing import Any

import pytest

from app.domain.retention import months_before
from app.services.container import Services
from app.ui import messages
from app.ui.dialogs.retention_dialog import RetentionDialog
from app.ui.workers import SynchronousRunner
from tests.conftest import FIXED_NOW, FakeClock


@pytest.fixture
def old_leads(services: Services, clock: FakeClock) -> None:
    clock.now = months_before(FIXED_NOW, 30)
    for i in range(3):
        services.leads.create({"first_name": f"Old{i}", "company": "Stale GmbH",
                               "status": "prospect"})
    services.leads.create({"first_name": "Customer", "company": "Kept AG", "status": "won"})
    clock.now = FIXED_NOW
    services.leads.create({"first_name": "Fresh", "company": "New AG"})


def test_lists_then_erases_only_after_the_word_and_the_question(
        qtbot: Any, services: Services, old_leads: None, monkeypatch: pytest.MonkeyPatch,
        tmp_path: Any) -> None:
    dialog = RetentionDialog(services.retention, SynchronousRunner())
    qtbot.addWidget(dialog)
    dialog.show()
    assert "off" in dialog.summary.text() and not dialog.table.isVisible()
    dialog.months.setValue(24)
    assert dialog.table.rowCount() == 3 and "3 leads never converted" in dialog.summary.text()
    assert dialog.save_button.isEnabled() and not dialog.erase_button.isEnabled()
    dialog.save_button.click()
    assert services.retention.months == 24 and not dialog.save_button.isEnabled()

    asked: list[str] = []
    monkeypatch.setattr(messages, "confirm", lambda _p, _t, text, *a: asked.append(text) or False)
    dialog.confirmation.setText("ERASE")
    dialog.erase_button.click()
    assert asked == ["Erase 3 leads completely? This cannot be undone."]
    assert services.retention.count() == 3  # said no: nothing erased

    monkeypatch.setattr(messages, "confirm", lambda *a: True)
    monkeypatch.setattr(messages, "info", lambda *a: None)
    dialog.confirmation.setText("ERASE")
    dialog.erase_button.click()
    assert dialog.erased is not None and dialog.erased.erased == 3
    assert services.retention.count() == 0 and dialog.confirmation.text() == ""
    assert [e.records for e in services.audit.entries()] == [3]
    dialog.grab().save(str(tmp_path / "retention.png"))


def test_only_the_saved_rule_erases(qtbot: Any, services: Services, old_leads: None) -> None:
    services.retention.set_months(24)
    dialog = RetentionDialog(services.retention, SynchronousRunner())
    qtbot.addWidget(dialog)
    dialog.confirmation.setText("ERASE")
    assert dialog.erase_button.isEnabled()
    dialog.months.setValue(12)  # shown, not saved: the audit would name another rule
    assert not dialog.erase_button.isEnabled() and "Keep it as the team's rule" in \
        dialog.summary.text()
