"""Editing a user's name, email and role (the profile page of the settings)."""

from __future__ import annotations

import uuid

import pytest

from app.domain.errors import ConflictError, NotFoundError, ValidationError
from app.domain.people import Role
from app.services.container import Services
from tests.conftest import FakeClock

pytestmark = pytest.mark.both_databases


def test_update_user_changes_only_what_is_given(services: Services, clock: FakeClock) -> None:
    user = services.people.add_user("Anna Weber", "anna@example.com", Role.REP)
    clock.advance(hours=1)
    updated = services.people.update_user(user.id, name="  Anna Weber-Schmidt ",
                                          email="Anna.WS@Example.com")
    assert updated.name == "Anna Weber-Schmidt" and updated.email == "anna.ws@example.com"
    assert updated.role is Role.REP
    assert services.people.update_user(user.id, role="manager").role is Role.MANAGER
    assert services.people.user(user.id).name == "Anna Weber-Schmidt"


def test_update_user_validates_every_field(services: Services) -> None:
    user = services.people.add_user("Anna Weber", "anna@example.com", Role.REP)
    with pytest.raises(ValidationError) as raised:
        services.people.update_user(user.id, name=" ", email="not an email", role="boss")
    assert {e.field for e in raised.value.errors} == {"name", "email", "role"}
    assert services.people.user(user.id).name == "Anna Weber"


def test_update_user_refuses_a_taken_email_but_keeps_its_own(services: Services) -> None:
    anna = services.people.add_user("Anna Weber", "anna@example.com", Role.REP)
    services.people.add_user("Ben Bauer", "ben@example.com", Role.REP)
    with pytest.raises(ConflictError):
        services.people.update_user(anna.id, email="BEN@example.com")
    assert services.people.update_user(anna.id, email="ANNA@example.com").email == \
        "anna@example.com"


def test_update_user_of_an_unknown_id(services: Services) -> None:
    with pytest.raises(NotFoundError):
        services.people.update_user(uuid.uuid4(), name="Nobody")
