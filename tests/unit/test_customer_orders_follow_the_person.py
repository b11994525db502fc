"""A customer's orders follow the person: into the survivor of a merge (and back on unmerge),
and an erasure leaves the order and its revenue but not the person's address."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

import pytest

from app.services.container import Services
from tests.conftest import FakeClock

pytestmark = pytest.mark.both_databases

ORDERS = ("Rechnungsnummer;Rechnungsdatum;Firma;E-Mail;Betrag\n"
          "R-1;01.10.2026;Schmidt AG;k.schmidt@schmidt-ag.de;1.000,00\n")


def _leads(services: Services, clock: FakeClock) -> tuple[uuid.UUID, uuid.UUID]:
    clock.now = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
    first = services.leads.create({"first_name": "Klaus", "last_name": "Schmidt",
                                   "company": "Schmidt AG", "email": "k.schmidt@schmidt-ag.de"})
    second = services.leads.create({"first_name": "Klaus", "last_name": "Schmidt",
                                    "company": "Schmidt AG", "phone": "+49 30 1234567"})
    clock.now = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)
    return first.id, second.id


def _import(services: Services, tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(ORDERS, encoding="cp1252")
    table = services.customers.open(path)
    services.customers.run(table, services.customers.suggested_mapping(table))


def _order_lead(services: Services) -> uuid.UUID | None:
    from app.domain.customers import order_id

    return services.customers.order(order_id("no:R-1")).lead_id


def test_a_merge_moves_the_orders_to_the_survivor_and_unmerge_back(
        services: Services, clock: FakeClock, tmp_path: Path) -> None:
    with_email, other = _leads(services, clock)
    _import(services, tmp_path)
    assert _order_lead(services) == with_email
    services.merges.merge(other, with_email)
    assert _order_lead(services) == other, "the revenue stays with the person"
    services.merges.undo(with_email)
    assert _order_lead(services) == with_email


def test_erasure_keeps_the_order_without_the_persons_address(
        services: Services, clock: FakeClock, tmp_path: Path) -> None:
    with_email, _other = _leads(services, clock)
    _import(services, tmp_path)
    services.erasure.erase(with_email, "asked to be forgotten")
    from app.domain.customers import order_id

    order = services.customers.order(order_id("no:R-1"))
    assert order.email == "" and order.amount == 100000 and order.company == "Schmidt AG"
