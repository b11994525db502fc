"""Which event a screen starts on: the one running today, else the last used, else none."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from app.services.container import Services
from app.storage.db import Database

pytestmark = pytest.mark.both_databases

TODAY = dt.date(2026, 11, 20)


def test_todays_event_wins_over_the_last_used_and_an_old_one(services: Services) -> None:
    old = services.events.add("Hannover Messe 2025", starts="2025-04-01", ends="2025-04-05")
    last = services.events.add("Webinar series", starts="2026-10-01", ends="2026-10-01")
    today = services.events.add("Agritechnica 2026", starts="2026-11-17", ends="2026-11-23")
    assert services.events.default_event(TODAY, last.id) == today
    assert services.events.default_event(TODAY, old.id) == today
    assert services.events.default_event(TODAY, None) == today


def test_with_nothing_running_the_last_used_else_none(services: Services) -> None:
    old = services.events.add("Hannover Messe 2025", starts="2025-04-01", ends="2025-04-05")
    services.events.add("Undated campaign")
    services.events.add("Next year's show", starts="2027-02-01", ends="2027-02-03")
    assert services.events.default_event(TODAY, old.id) == old  # chosen by the user last time
    assert services.events.default_event(TODAY, None) is None  # never an arbitrary one
    assert services.events.default_event(TODAY, uuid.uuid4()) is None  # last used is gone


def test_an_event_lasts_from_its_first_to_its_last_day(services: Services) -> None:
    one_day = services.events.add("Open house", starts="2026-11-20")
    assert services.events.default_event(TODAY, None) == one_day
    assert services.events.default_event(TODAY + dt.timedelta(days=1), None) is None
    ends_only = services.events.add("Deadline day", ends="2026-12-24")
    assert services.events.default_event(dt.date(2026, 12, 24), None) == ends_only


def test_of_several_running_the_last_used_then_the_shortest(services: Services) -> None:
    campaign = services.events.add("Autumn campaign", starts="2026-09-01", ends="2026-12-31")
    show = services.events.add("EuroBLECH 2026", starts="2026-11-18", ends="2026-11-21")
    assert services.events.default_event(TODAY, None) == show  # the stand, not the campaign
    assert services.events.default_event(TODAY, campaign.id) == campaign


def test_the_last_used_event_is_remembered_per_database(services: Services, db: Database) -> None:
    old = services.events.add("Hannover Messe 2025", starts="2025-04-01", ends="2025-04-05")
    assert services.events.suggested_event() is None  # the clock's day: 2026-11-20
    services.events.remember_used(old.id)
    assert services.events.last_used_id() == old.id
    assert services.events.suggested_event() == old
    # With this database (a file's own app_meta; for a team server, this laptop's own file).
    assert db.get_local("last_used_event_id") == str(old.id)
    db.set_local("last_used_event_id", "not-a-uuid")
    assert services.events.suggested_event() is None
