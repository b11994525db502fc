"""Several programs writing one database at once (windows, CLI runs, a sync): no lost update,
round-robin turns handed out once each, every conflict surfaced."""

from __future__ import annotations

import multiprocessing
import uuid
from collections import Counter

import pytest

from app.domain.people import Role, RoutingMode
from app.domain.routing import Condition, ConditionKind, TargetKind
from app.paths import ServerAddress, database_location
from app.services.container import Services
from app.storage.db import Database
from tests.conftest import FIXED_NOW

WRITERS, LEADS_EACH = 4, 15
FIELDS = ("city", "title", "industry", "notes")


pytestmark = pytest.mark.both_databases


def _open(location: str) -> Database:
    """The database a writer process opens: the test's file or its server database."""
    where = database_location(location)
    return Database.on_server(where) if isinstance(where, ServerAddress) else Database(where)


def _capture(path: str, writer: int) -> list[str]:
    database = _open(path)
    try:
        services = Services.build(database, lambda: FIXED_NOW)  # never the real clock
        return [str(services.leads.create({"last_name": f"W{writer}-{i}", "country": "DE"}).id)
                for i in range(LEADS_EACH)]
    finally:
        database.dispose()


def _edit(path: str, lead_id: str, field: str) -> int:
    """Edit one field of the shared lead, as an editor would (opened, then saved), 10 times."""
    database = _open(path)
    try:
        services = Services.build(database, lambda: FIXED_NOW)
        for round_ in range(10):
            opened = services.leads.get(uuid.UUID(lead_id))
            services.leads.update(opened.id, {field: f"{field} {round_}"}, opened=opened)
        return 10
    finally:
        database.dispose()


def _pool() -> multiprocessing.pool.Pool:
    return multiprocessing.get_context("spawn").Pool(WRITERS)


@pytest.mark.slow
def test_concurrent_captures_share_the_round_robin_fairly(services: Services) -> None:
    people = services.people
    team = people.add_team("Central", RoutingMode.ROUND_ROBIN)
    reps = [people.add_user(f"Rep {i}", f"rep{i}@example.com", Role.REP, team="Central").id
            for i in range(3)]
    services.routing.add_rule("DE", [Condition.parse(ConditionKind.COUNTRY, "DE")],
                              TargetKind.TEAM, team.id)
    path = services.context.db.location
    with _pool() as pool:
        created = pool.starmap(_capture, [(path, w) for w in range(WRITERS)])
    ids = [uuid.UUID(i) for batch in created for i in batch]
    assert len(set(ids)) == WRITERS * LEADS_EACH
    owners = Counter(services.leads.get(i).owner_id for i in ids)
    assert set(owners) == set(reps)
    assert max(owners.values()) - min(owners.values()) <= 1, owners  # each turn given once


@pytest.mark.slow
def test_concurrent_editors_of_one_lead_lose_nothing(services: Services) -> None:
    lead = services.leads.create({"last_name": "Shared"})
    path = services.context.db.location
    with _pool() as pool:
        done = pool.starmap(_edit, [(path, str(lead.id), field) for field in FIELDS])
    assert done == [10] * WRITERS
    final = services.leads.get(lead.id)
    assert [final.value_of(f) for f in FIELDS] == [f"{f} 9" for f in FIELDS]
    history = services.leads.history(lead.id)
    changed = Counter(a.field for a in history if a.field in FIELDS)
    assert changed == dict.fromkeys(FIELDS, 10)  # every save is in the history
