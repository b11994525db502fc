"""The "Waiting for registration data" queue: a count on the booth with the event named, a link
to those leads, and a Leads page filter; the list fills itself in when the list is imported."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from app.domain.leads import LeadQuery
from app.domain.people import Role
from app.services.container import Services
from app.ui.main_window import MainWindow
from app.ui.navigation import BOOTH, LEADS
from app.ui.style import apply_theme

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "badges"
EVENT = "Hannover Messe 2026"
#: Set LEADLINE_SHOTS=DIR to keep the PNGs these tests render (to look at them).
SHOTS = os.environ.get("LEADLINE_SHOTS", "")


@pytest.fixture
def restore_theme() -> Iterator[QApplication]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    style, palette = app.style().name(), QPalette(app.palette())
    yield app
    app.setStyle(style)
    app.setPalette(palette)


@pytest.fixture
def booth_window(services: Services, make_window: Callable[[], MainWindow]) -> MainWindow:
    user = services.people.add_user("Ben Booth", "ben@example.com", Role.MANAGER)
    services.people.sign_in(user.id)
    event = services.events.add(EVENT, country="DE", starts="2026-11-19", ends="2026-11-21")
    for badge in ("000451", "SBpax001", "A-7731"):
        services.booth.capture(event.id, {"badge_id": badge})
    services.booth.capture(event.id, {"first_name": "Jonas", "last_name": "Weber",
                                      "email": "jonas@weber-mb.de"})
    window = make_window()
    window.resize(1024, 700)
    window.show_page(BOOTH)
    window.booth.refresh_side()
    return window


def _shown(page: Any) -> int:
    listing = page.model.listing
    assert listing is not None
    return int(listing.count)


def _save(window: MainWindow, name: str) -> None:
    QApplication.processEvents()
    image = window.grab()
    assert not image.isNull()
    if SHOTS:
        image.save(str(Path(SHOTS) / name))


def test_booth_names_the_event_and_counts_the_waiting_leads(booth_window: MainWindow) -> None:
    label = booth_window.booth.side.waiting_label
    assert label.isVisible()
    assert "3 badge-only leads" in label.text() and EVENT in label.text()
    _save(booth_window, "booth_waiting.png")


def test_the_link_opens_exactly_the_waiting_leads_of_the_event(booth_window: MainWindow,
                                                               services: Services) -> None:
    booth_window.booth.side.waiting_label.linkActivated.emit("waiting")
    assert booth_window.pages.currentIndex() == LEADS
    page = booth_window.leads
    assert page.status_filter.currentText() == "Waiting for registration data"
    query = page.model.query
    assert query.awaiting_registration and query.event_id is not None
    assert _shown(page) == 3
    _save(booth_window, "leads_waiting_filter.png")
    page.clear_filters()
    assert _shown(page) == 4 and not page.model.query.awaiting_registration


def test_the_filter_chosen_by_hand_and_the_list_filling_itself_in(
        booth_window: MainWindow, services: Services) -> None:
    booth_window.show_page(LEADS)
    page = booth_window.leads
    page.status_filter.setCurrentIndex(page.status_filter.findText("Waiting for registration data"))
    assert page.model.query.awaiting_registration and _shown(page) == 3
    event = services.events.by_name(EVENT)
    services.booth.import_registrations(event.id, FIXTURES / "registration_list_with_address.csv")
    booth_window.show_page(BOOTH)
    booth_window.booth.refresh_side()
    assert "1 badge-only lead</a>" in booth_window.booth.side.waiting_label.text()
    assert services.leads.count(LeadQuery(awaiting_registration=True)) == 1


def test_nothing_waiting_shows_nothing(services: Services,
                                       make_window: Callable[[], MainWindow]) -> None:
    services.events.add(EVENT, country="DE", starts="2026-11-19", ends="2026-11-21")
    window = make_window()
    window.show_page(BOOTH)
    window.booth.refresh_side()
    assert not window.booth.side.waiting_label.isVisible()


def test_dark_theme(booth_window: MainWindow, restore_theme: QApplication) -> None:
    apply_theme(restore_theme, "dark")
    booth_window.booth.refresh_side()
    _save(booth_window, "booth_waiting_dark.png")
    assert booth_window.booth.side.waiting_label.isVisible()


def test_the_count_follows_new_badge_only_captures(booth_window: MainWindow,
                                                  services: Services) -> None:
    event = services.events.by_name(EVENT)
    for number in range(20):
        services.booth.capture(event.id, {"badge_id": f"X{number:05d}"})
    booth_window.booth.refresh_side()
    assert "23 badge-only leads" in booth_window.booth.side.waiting_label.text()


def test_booth_menu_import_fills_the_waiting_leads_in_and_says_so(
        booth_window: MainWindow, services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QFileDialog

    from app.ui import messages

    told: list[str] = []
    monkeypatch.setattr(messages, "info", lambda _parent, title, text: told.append(text))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(
        lambda *_args, **_kw: (str(FIXTURES / "registration_list_with_address.csv"), "")))
    booth_window.import_registrations()
    assert told and "3 attendees added" in told[0] and "2 badge-only leads now named" in told[0]
    assert "1 badge-only lead</a>" in booth_window.booth.side.waiting_label.text()
