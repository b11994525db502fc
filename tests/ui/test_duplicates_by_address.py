"""The Duplicates page lists people known only by name and address, with the reasons in words."""

from __future__ import annotations

from typing import Any

from app.services.container import Services
from app.ui.main_window import MainWindow
from app.ui.navigation import DUPLICATES


def test_address_pairs_show_their_reasons(make_window: Any, services: Services) -> None:
    services.leads.create({"first_name": "Robert", "last_name": "Schneider",
                           "street": "Hauptstraße 12", "postal_code": "80331",
                           "city": "München", "birth_date": "1980-03-12"})
    services.leads.create({"first_name": "Bob", "last_name": "Schneider",
                           "street": "Hauptstr. 12a", "postal_code": "80331",
                           "city": "München", "birth_date": "1980-12-03"})
    window: MainWindow = make_window()
    window.show_page(DUPLICATES)
    page = window.duplicates
    page.scan()
    assert page.pair_table.rowCount() == 1
    why = page.pair_table.item(0, 3).text()
    assert "Bob is a nickname of Robert" in why
    assert "same date of birth (day and month swapped)" in why
    assert "street matches, house number 12 vs 12a" in why
    rows = {page.compare.item(r, 0).text() for r in range(page.compare.rowCount())}
    assert {"Date of birth", "Street", "Postal code"} <= rows
