"""Two people editing one lead: no save silently overwrites another's value."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from app.domain.errors import EditConflictError, EditedValue
from app.services.container import Services
from app.storage.db import Database
from tests.conftest import FakeClock

pytestmark = pytest.mark.both_databases


@pytest.fixture
def pair(db: Database, clock: FakeClock) -> Iterator[tuple[Services, Services]]:
    """The same database open in two places (two windows, a window and the CLI)."""
    here = Services.build(db, clock)
    anna = here.people.add_user("Anna Weber", "anna@example.com", "manager")
    here.people.sign_in(anna.id)
    elsewhere = Database(db.path, server=db.server)
    there = Services.build(elsewhere, clock)
    ben = there.people.add_user("Ben Ott", "ben@example.com", "rep")
    there.people.sign_in(ben.id)
    yield here, there
    elsewhere.dispose()


def test_a_field_both_changed_is_refused_with_both_values(
        pair: tuple[Services, Services], clock: FakeClock) -> None:
    here, there = pair
    opened = here.leads.create({"last_name": "Muster", "city": "Berlin"})
    clock.advance(minutes=5)
    there.leads.update(opened.id, {"city": "Hamburg"}, opened=there.leads.get(opened.id))
    clock.advance(minutes=1)
    with pytest.raises(EditConflictError) as refused:
        here.leads.update(opened.id, {"city": "Munich"}, opened=opened)
    conflict = refused.value
    assert conflict.changed_by == "Ben Ott"
    assert conflict.changed_at == opened.updated_at + dt.timedelta(minutes=5)  # Ben's save
    assert conflict.values == (EditedValue("city", "City", "Hamburg", "Munich"),)
    assert "Changed by Ben Ott" in str(conflict) and "'Hamburg'" in str(conflict)
    assert here.leads.get(opened.id).city == "Hamburg"  # nothing of ours was written
    kept = here.leads.update(opened.id, {"city": "Munich"})  # "keep yours": a plain save
    assert kept.city == "Munich"


def test_changes_to_different_fields_merge(pair: tuple[Services, Services], clock: FakeClock) -> None:
    here, there = pair
    opened = here.leads.create({"last_name": "Muster", "city": "Berlin"})
    clock.advance(minutes=5)
    there.leads.update(opened.id, {"title": "Head of Production"})
    saved = here.leads.update(opened.id, {"city": "Munich"}, opened=opened)
    assert (saved.title, saved.city) == ("Head of Production", "Munich")


def test_the_same_value_typed_twice_is_no_conflict(
        pair: tuple[Services, Services], clock: FakeClock) -> None:
    here, there = pair
    opened = here.leads.create({"last_name": "Muster", "city": "Berlin"})
    clock.advance(minutes=5)
    there.leads.update(opened.id, {"city": "Munich"})
    assert here.leads.update(opened.id, {"city": "Munich"}, opened=opened).city == "Munich"


def test_an_unchanged_lead_saves_as_before(pair: tuple[Services, Services]) -> None:
    here, _ = pair
    opened = here.leads.create({"last_name": "Muster"})
    assert here.leads.update(opened.id, {"city": "Munich"}, opened=opened).city == "Munich"
