"""The dashboard's conversion card: each event's funnel, revenue and return, counted after the
charts from the same attribution calculation as the printed report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from app.domain.attribution import Model
from app.domain.people import Role
from app.services.container import Services
from app.ui.main_window import MainWindow
from app.ui.pages.dashboard_conversion import cells
from tests.conftest import FakeClock

ORDERS = ("Rechnungsnummer;Rechnungsdatum;Firma;E-Mail;Betrag;Währung\n"
          "R-1;01.10.2026;Schmidt AG;k.schmidt@schmidt-ag.de;15.000,00;EUR\n"
          "R-2;02.10.2026;Weber GmbH;anna@weber.de;5.000,00;EUR\n")


def test_the_card_shows_each_events_funnel_revenue_and_return(
        make_window: Callable[[], MainWindow], services: Services, clock: FakeClock,
        tmp_path: Path) -> None:
    services.people.sign_in(services.people.add_user("Ada", "ada@example.com", Role.ADMIN).id)
    clock.now = dt.datetime(2026, 4, 20, 10, 0, tzinfo=dt.UTC)
    services.events.add("Hannover Messe 2026", cost=1_000_000, currency="EUR")
    for first, email in (("Klaus", "k.schmidt@schmidt-ag.de"), ("Anna", "anna@weber.de"),
                         ("Jo", "jo@example.org")):
        services.leads.create({"first_name": first, "email": email,
                               "company": email.split("@")[1], "event": "Hannover Messe 2026"})
    clock.now = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)
    path = tmp_path / "orders.csv"
    path.write_text(ORDERS, encoding="cp1252")
    table = services.customers.open(path)
    services.customers.run(table, services.customers.suggested_mapping(table))

    window = make_window()
    window.show_page(window.pages.indexOf(window.dashboard))
    window.dashboard.refresh()
    window.runner.wait()
    card = window.dashboard.conversion
    assert card.model.rowCount() == 1
    row = card.model.rows[0]
    assert row[:5] == ("Hannover Messe 2026", "3", "2", "2", "67%")  # customers are SQL+
    assert row[5] == "20,000 EUR" and row[6] == "5,000 EUR" and row[7] == "+100%"
    assert not card.status.isVisible()
    # The card and the report agree: one calculation.
    analysis = services.attribution.analysis(Model.FIRST)
    assert cells(analysis.by_event[0]) == row
