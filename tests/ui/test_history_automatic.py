"""The timeline names Leadline itself on what it did automatically, not the signed-in user."""

from __future__ import annotations

import datetime as dt

from app.domain.people import Role
from app.services.container import Services
from app.ui.models.history_model import HistoryModel
from tests.conftest import FakeClock


def test_an_automatic_entry_reads_as_leadlines(services: Services, clock: FakeClock) -> None:
    manager = services.people.add_user("Maria Keller", "maria@example.com", Role.MANAGER)
    services.people.add_user("Anna Weber", "anna@example.com", Role.REP)
    services.people.sign_in(manager.id)
    lead = services.leads.create({"last_name": "Hot", "rating": "hot",
                                  "owner": "anna@example.com"})
    clock.now = dt.datetime(2026, 11, 20, 16, 30, tzinfo=dt.UTC)
    services.followup.check_service_levels()
    model = HistoryModel()
    model.set_rows(services.leads.history(lead.id))
    lines = [model.data(model.index(row, 0)) for row in range(model.rowCount())]
    missed = next(line for line in lines if "First touch missed" in line)
    assert " · Leadline (automatic)\n" in missed and "Maria" not in missed
    created = next(line for line in lines if line.endswith("Created"))
    assert " · Maria Keller\n" in created
