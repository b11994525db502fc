"""The Duplicates page: scan, compare, choose a field, merge, undo with Ctrl+Z, dismiss."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QComboBox

from app.domain.leads import LeadQuery
from app.services.container import Services
from app.ui.main_window import MainWindow
from app.ui.navigation import DUPLICATES


def test_merge_undo_and_dismiss(make_window: Any, manager: Any, services: Services) -> None:
    services.leads.create({"first_name": "Katherine", "last_name": "Schneider",
                           "company": "Acme GmbH", "email": "k.schneider@acme.de",
                           "title": "CTO"})
    services.leads.create({"first_name": "Kate", "last_name": "Schneider", "company": "ACME",
                           "email": "k.schneider@acme.de", "phone": "+49 511 123456",
                           "title": "Chief Technology Officer"})
    services.leads.create({"first_name": "Jonas", "last_name": "Weber",
                           "email": "jonas@weber-mb.de"})
    services.leads.create({"first_name": "Jonas", "last_name": "Weber",
                           "email": "JONAS@weber-mb.de", "company": "Weber MB"})
    window: MainWindow = make_window()
    window.show_page(DUPLICATES)
    page = window.duplicates
    page.scan()
    assert len(page.pairs) == 2 and page.pair_table.rowCount() == 2
    schneider_row = next(i for i, p in enumerate(page.pairs)
                         if "Schneider" in page.names.get(p.a, ""))
    page.pair_table.selectRow(schneider_row)
    assert page.current is not None
    first, _second = page.current
    rows = {page.compare.item(r, 0).text(): r for r in range(page.compare.rowCount())}
    title_choice = page.compare.cellWidget(rows["Job title"], 3)
    assert isinstance(title_choice, QComboBox) and title_choice.isEnabled()
    title_choice.setCurrentText("B")
    page.merge(keep_first=True)
    assert services.leads.count(LeadQuery()) == 3 and len(page.pairs) == 1
    survivor = services.leads.get(first.id)
    assert survivor.phone_e164 == "+49511123456"  # blank filled from the other
    assert survivor.title != first.title  # the chosen value was taken
    window.undo_action.trigger()
    assert services.leads.count(LeadQuery()) == 4
    assert services.leads.get(first.id).title == first.title
    page.pair_table.selectRow(0)
    page.dismiss()
    assert page.pairs == []
    page.scan()  # the Schneider pair is back after the undo; the dismissed one is not
    assert len(page.pairs) == 1 and "Schneider" in page.names.get(page.pairs[0].a, "")
