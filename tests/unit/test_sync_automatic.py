"""What Leadline did by itself reaches the other laptops as the app's doing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from app.domain.history import APP_ACTOR_NAME
from app.domain.people import Role
from tests.sync_laptops import Laptop

AFTER_HOURS = dt.datetime(2026, 11, 20, 16, 30, tzinfo=dt.UTC)  # Friday 17:30 Berlin


def _missed_first_touch(laptop: Laptop, email: str) -> object:
    lead = laptop.services.leads.create({"last_name": "Hot", "email": email, "rating": "hot",
                                         "owner": "anna@example.com"})
    laptop.clock.now = AFTER_HOURS
    laptop.services.followup.check_service_levels()
    return lead.id


def test_the_apps_history_travels_with_its_actor_and_two_laptops_agree_on_it(
        laptops: tuple[Laptop, Laptop], folder: Path) -> None:
    a, b = laptops
    a.services.people.add_user("Anna Weber", "anna@example.com", Role.REP)
    a.sync(folder)
    b.sync(folder)
    on_a = _missed_first_touch(a, "hot-a@ost.example")
    on_b = _missed_first_touch(b, "hot-b@ost.example")  # each laptop creates the app's actor
    for laptop in (a, b, a):
        report = laptop.sync(folder)
        assert report.conflicts == [] and report.files_skipped == []
    for laptop in (a, b):
        for lead_id in (on_a, on_b):
            missed = [h for h in laptop.services.leads.history(lead_id)
                      if h.text.startswith("First touch missed")]
            assert [h.actor for h in missed] == [APP_ACTOR_NAME]
        assert laptop.services.sync.open_conflicts() == []
        assert APP_ACTOR_NAME not in {u.name for u in laptop.services.people.users()}
