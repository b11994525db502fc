"""What the window says stays true while data changes elsewhere (issue: the status-bar lead count
went stale after captures and imports made on other pages)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.domain.leads import LeadRecord
from app.services.container import Services
from app.ui.main_window import MainWindow
from app.ui.navigation import BOOTH, LEADS


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


def test_open_lead_selects_it_in_the_list_even_when_filtered_out(
        make_window: Callable[[], MainWindow], manager: Any, services: Services,
        add_leads: Callable[..., list[LeadRecord]]) -> None:
    add_leads(5, rating="hot")
    target = services.leads.create({"first_name": "Tom", "last_name": "Kunde", "rating": "cold"})
    window = make_window()
    window.show_page(LEADS)
    page = window.leads
    page.rating_filter.setCurrentIndex(page.rating_filter.findData("hot"))
    assert page.model.rowCount() == 5
    window.open_lead(target.id)
    current = page.table.selectionModel().currentIndex()
    assert current.isValid() and page.model.record(current.row()).id == target.id
    assert page.detail.record is not None and page.detail.record.id == target.id
    assert page.chosen_banner.isVisible() and "Opened Tom Kunde" in page.chosen_banner.text()
    page.chosen_banner.linkActivated.emit("all")
    assert not page.chosen_banner.isVisible() and page.model.rowCount() == 6


def test_switching_pages_reads_a_page_once(make_window: Callable[[], MainWindow],
                                           manager: Any, monkeypatch: Any) -> None:
    """Each read of the board runs every count again: a switch used to run them twice."""
    from app.ui.navigation import ASSIGNMENT, HOME

    window = make_window()
    window.show_page(HOME)
    reads: list[int] = []
    monkeypatch.setattr(window.assignment, "refresh", lambda: reads.append(1))
    window.assignment_action.trigger()
    assert window.pages.currentIndex() == ASSIGNMENT and reads == [1]
    window.show_page(HOME)
    window.rail.setCurrentRow(ASSIGNMENT)
    assert reads == [1, 1]
