"""The suppression list dialog: add (errors shown inline), flags existing leads, remove."""

from __future__ import annotations

from typing import Any

from app.services.container import Services
from app.ui.dialogs.suppression_dialog import SuppressionDialog


def test_add_and_remove_entries(qtbot: Any, services: Services,
                                confirmations: list[str]) -> None:
    lead = services.leads.create({"last_name": "Spy", "email": "spy@rival.com"})
    dialog = SuppressionDialog(services.suppressions)
    qtbot.addWidget(dialog)
    dialog.kind.setCurrentIndex(dialog.kind.findData("domain"))
    dialog.value.setText("rival")
    dialog.add_entry()
    assert dialog.error.isVisibleTo(dialog) and "not a domain" in dialog.error.text()
    dialog.value.setText("rival.com")
    dialog.reason.setCurrentIndex(dialog.reason.findData("competitor"))
    dialog.add_entry()
    assert dialog.table.rowCount() == 1 and dialog.table.item(0, 1).text() == "rival.com"
    assert services.leads.get(lead.id).do_not_contact
    dialog.table.selectRow(0)
    dialog.remove_selected()
    assert dialog.table.rowCount() == 0 and dialog.changed
