"""The data health page: each card counts the leads behind it and opens that list."""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.domain.leads import LeadQuery
from app.services.container import Services
from app.ui.main_window import MainWindow
from app.ui.navigation import HEALTH, LEADS


def test_cards_count_and_open_the_list(make_window: Any, manager: Any, services: Services,
                                       clock: Any) -> None:
    services.leads.create({"last_name": "Typo", "email": "anna@", "phone": "12"}, lenient=True)
    services.leads.create({"last_name": "Fine", "email": "fine@acme.de",
                           "owner": "maria@example.com"})
    old = services.leads.create({"last_name": "Forgotten", "email": "old@acme.de"})
    clock.advance(days=45)
    window: MainWindow = make_window()
    window.show_page(HEALTH)
    cards = {b.card.title: b for b in window.health.buttons}
    assert cards["Invalid emails"].number.text() == "1"
    assert cards["Invalid phone numbers"].number.text() == "1"
    assert cards["No owner"].number.text() == "2"
    assert cards["Untouched for 30 days"].number.text() == "3"
    assert services.leads.count(LeadQuery(untouched_days=60)) == 0
    cards["Invalid emails"].clicked.emit()
    assert window.pages.currentIndex() == LEADS
    assert window.leads.model.rowCount() == 1
    assert old.created_at is not None and old.created_at < clock.now - dt.timedelta(days=30)
