"""The detail pane never overwrites a value someone else saved while it was being edited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from app.domain.people import UserRecord
from app.services.container import Services
from app.storage.db import Database
from app.ui import messages
from app.ui.main_window import MainWindow
from app.ui.models.lead_table_model import RECORD_ROLE
from app.ui.navigation import LEADS
from tests.conftest import FakeClock

Make = Callable[[], MainWindow]


def _edit_while_ben_saves(make_window: Make, services: Services, clock: FakeClock,
                          add_leads: Any) -> tuple[MainWindow, Any]:
    lead = add_leads(1, city="Berlin")[0]
    window = make_window()
    window.show_page(LEADS)
    page = window.leads
    row = next(r for r in range(page.model.rowCount())
               if page.model.data(page.model.index(r, 0), RECORD_ROLE).id == lead.id)
    page.table.selectRow(row)
    page.detail.form.editors["city"].setText("Munich")
    page.detail.form.editors["title"].setText("Plant manager")
    clock.advance(minutes=3)
    elsewhere = Services.build(Database(services.context.db.path), clock)  # another window, the CLI
    ben = elsewhere.people.add_user("Ben Ott", "ben@example.com", "rep")
    elsewhere.people.sign_in(ben.id)
    elsewhere.leads.update(lead.id, {"city": "Hamburg"})
    return window, lead


@pytest.mark.parametrize(("answer", "stored_city", "form_city"), [
    (0, "Hamburg", "Hamburg"),  # reload theirs: their city shows, the title edit stays unsaved
    (1, "Munich", "Munich"),  # keep yours
    (None, "Hamburg", "Munich"),  # cancel: nothing saved, the form keeps the edits
])
def test_a_field_saved_elsewhere_meanwhile_asks_with_both_values(
        make_window: Make, manager: UserRecord, add_leads: Any, services: Services,
        clock: FakeClock, monkeypatch: pytest.MonkeyPatch, answer: int | None, stored_city: str,
        form_city: str) -> None:
    window, lead = _edit_while_ben_saves(make_window, services, clock, add_leads)
    asked: list[str] = []

    def choose(_parent: Any, title: str, text: str, choices: list[str]) -> int | None:
        asked.append(text)
        assert choices == ["Reload theirs", "Keep yours"]
        return answer

    monkeypatch.setattr(messages, "choose", choose)
    window.save_action.trigger()
    assert len(asked) == 1
    assert "Ben Ott saved this lead" in asked[0] and "theirs “Hamburg”, yours “Munich”" in asked[0]
    stored = services.leads.get(lead.id)
    assert stored.city == stored_city
    detail = window.leads.detail
    assert detail.form.value("city") == form_city
    if answer == 0:
        assert stored.title == "" and detail.form.value("title") == "Plant manager"
        assert detail.form.is_dirty()
    if answer == 1:
        assert stored.title == "Plant manager" and not detail.form.is_dirty()
