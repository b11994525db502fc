"""What the window says stays true while data changes elsewhere (issue: the status-bar lead count
went stale after captures and imports made on other pages)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.domain.leads import LeadRecord
from app.services.container import Services
from app.ui.main_window import BOOTH, LEADS, MainWindow


def test_the_status_bar_count_follows_leads_captured_on_another_page(
        make_window: Callable[[], MainWindow], manager: Any, services: Services,
        add_leads: Callable[..., list[LeadRecord]]) -> None:
    add_leads(2)
    window = make_window()
    assert window.count_label.text() == "2 leads"
    window.show_page(BOOTH)
    for i in range(10):
        services.leads.create({"first_name": f"Visitor{i}", "last_name": "Booth"})
    window.booth.leadSaved.emit(services.leads.create({"last_name": "Last", "first_name": "V"}))
    assert window.count_label.text() == "13 leads"
    window.show_page(LEADS)
    assert window.count_label.text() == "13 leads" and window.leads.model.rowCount() == 13
