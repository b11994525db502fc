"""The Duplicates page's "Merge all…": enabled with pairs listed, asks, merges, lists what is left."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import QSettings, Qt

from app.domain.audit import AuditAction
from app.domain.leads import LeadQuery
from app.domain.people import UserRecord
from app.domain.progress import CancelledError
from app.services.container import Services
from app.ui import main_window as main_window_module
from app.ui import messages
from app.ui.application import build_main_window
from app.ui.main_window import MainWindow
from app.ui.navigation import DUPLICATES

WAIT_MS = 30_000


def _duplicates(services: Services) -> None:
    """Two people: the Schneiders three times (a chain A~B~C), the Webers twice."""
    for fields in ({"first_name": "Katherine", "last_name": "Schneider",
                    "email": "k.schneider@acme.de", "company": "Acme GmbH"},
                   {"first_name": "Kate", "last_name": "Schneider",
                    "email": "k.schneider@acme.de", "phone": "+49 511 123456"},
                   {"first_name": "Katherine", "last_name": "Schneider",
                    "phone": "+49 (511) 123456", "email": "kathy@home.de", "title": "CTO"},
                   {"first_name": "Jonas", "last_name": "Weber", "email": "jonas@weber-mb.de"},
                   {"first_name": "Jonas", "last_name": "Weber", "email": "JONAS@weber-mb.de",
                    "company": "Weber MB"}):
        services.leads.create(fields)


def test_merge_all_asks_merges_and_empties_the_list(make_window: Any, manager: UserRecord,
                                                    services: Services,
                                                    confirmations: list[str]) -> None:
    _duplicates(services)
    window: MainWindow = make_window()
    window.show_page(DUPLICATES)
    page = window.duplicates
    assert not page.merge_all_button.isEnabled()  # nothing listed yet
    page.min_score.setValue(90)
    page.scan()
    assert len(page.pairs) == 3 and page.merge_all_button.isEnabled()
    page.merge_all_button.click()
    (question,) = [c for c in confirmations if c.startswith("Merge all duplicates")]
    assert "3 listed pairs (score ≥ 90)" in question and "3 leads will be merged away" in question
    assert "2 survivors" in question and "dedupe unmerge" in question
    assert services.leads.count(LeadQuery()) == 2
    assert page.pairs == [] and page.pair_table.rowCount() == 0
    assert not page.merge_all_button.isEnabled()
    assert "Merged 3 leads into 2 survivors" in page.status.text()
    (entry,) = services.audit.entries(action=AuditAction.MERGE_ALL)
    assert (entry.records, entry.actor_name) == (3, manager.name)


def test_merge_all_refused_at_the_question_changes_nothing(
        make_window: Any, manager: UserRecord, services: Services,
        monkeypatch: pytest.MonkeyPatch) -> None:
    _duplicates(services)
    monkeypatch.setattr(messages, "confirm", lambda *_a, **_k: False)
    window: MainWindow = make_window()
    window.show_page(DUPLICATES)
    page = window.duplicates
    page.scan()
    page.merge_all()
    assert services.leads.count(LeadQuery()) == 5 and len(page.pairs) == 3
    assert services.audit.entries(action=AuditAction.MERGE_ALL) == []


def test_merge_all_stopped_says_what_was_kept(make_window: Any, manager: UserRecord,
                                              services: Services, confirmations: list[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    _duplicates(services)
    window: MainWindow = make_window()
    window.show_page(DUPLICATES)
    page = window.duplicates
    page.scan()

    def stop(*_args: Any, **_kwargs: Any) -> Any:
        raise CancelledError("Stopped after 1 of 2 groups: the 2 merges done are kept.")

    monkeypatch.setattr(services.merges, "merge_all", stop)
    page.merge_all()
    assert "the 2 merges done are kept. Scan again" in page.status.text()
    assert page.pairs == [] and not [c for c in confirmations if c.startswith("error")]


def test_merge_all_works_from_the_keyboard(make_window: Any, manager: UserRecord,
                                           services: Services, qtbot: Any,
                                           confirmations: list[str]) -> None:
    _duplicates(services)
    window: MainWindow = make_window()
    window.show_page(DUPLICATES)
    page = window.duplicates
    page.scan()
    button = page.merge_all_button
    assert "&a" in button.text() and button.focusPolicy() & Qt.FocusPolicy.TabFocus
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Space)
    assert services.leads.count(LeadQuery()) == 2


@pytest.fixture
def real_window(qtbot: Any, services: Services, settings: QSettings,
                confirmations: list[str],
                monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], MainWindow]]:
    """A window with the real runner (worker threads, queued delivery), as in test_real_threads."""
    monkeypatch.setattr(main_window_module, "DAILY_RESCORE_DELAY_MS", 200)
    monkeypatch.setattr(main_window_module, "PERIODIC_FIRST_MS", 300)
    monkeypatch.setattr(main_window_module, "SYNC_START_DELAY_MS", 100)
    windows: list[MainWindow] = []

    def make() -> MainWindow:
        window = build_main_window(services, settings)
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        return window

    yield make
    for window in windows:
        if shiboken6.isValid(window):
            window.close()


@pytest.mark.timeout(180)
def test_merge_all_with_real_threads(qtbot: Any, real_window: Callable[[], MainWindow],
                                     manager: UserRecord, services: Services) -> None:
    _duplicates(services)
    window = real_window()
    window.show_page(DUPLICATES)
    page = window.duplicates
    page.scan()
    qtbot.waitUntil(lambda: page.merge_all_button.isEnabled(), timeout=WAIT_MS)
    page.merge_all_button.click()
    qtbot.waitUntil(lambda: "Merged" in page.status.text(), timeout=WAIT_MS)
    assert services.leads.count(LeadQuery()) == 2 and page.pairs == []
