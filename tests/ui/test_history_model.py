"""The history timeline model: Qt's model checker and what a row shows."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from app.services.container import Services
from app.ui.models.history_model import RECORD_ROLE, HistoryModel


def test_history_model_passes_checker_and_reads_newest_first(
        qtmodeltester: Any, services: Services, clock: Any) -> None:
    services.settings.set("routing.auto_on_capture", False)
    lead = services.leads.create({"last_name": "Timeline", "status": "inquiry"})
    clock.advance(minutes=5)
    services.leads.update(lead.id, {"status": "mql"})
    clock.advance(minutes=5)
    services.leads.add_note(lead.id, "Asked for a quote")
    model = HistoryModel()
    model.set_rows(services.leads.history(lead.id))
    qtmodeltester.check(model, force_py=True)
    assert model.rowCount() == 3
    assert model.data(model.index(0, 0)).endswith("Note: Asked for a quote")
    assert model.data(model.index(1, 0)).endswith("Status: Inquiry → MQL")
    assert model.data(model.index(2, 0), RECORD_ROLE).kind.value == "created"
    assert model.data(model.index(0, 0), Qt.ItemDataRole.FontRole).bold()
    model.set_rows([])
    qtmodeltester.check(model, force_py=True)
