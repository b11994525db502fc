"""The booth lock and PINs: slow salted hashes, growing waits after wrong PINs, kept per laptop."""

from __future__ import annotations

import datetime as dt

import pytest

from app.domain.access import Access, Area, own_leads_only
from app.domain.booth_lock import Attempts, PinError, WrongPinError, may_lock, wait_after
from app.domain.people import Role
from app.services.container import Services
from app.services.lock_service import LOCK_ATTEMPTS_KEY, LOCK_KEY
from app.storage.db import Database
from app.storage.opening import open_database
from tests.conftest import FakeClock


def test_waits_grow_from_one_second_to_thirty() -> None:
    assert [wait_after(n) for n in range(0, 9)] == [0, 1, 2, 4, 8, 16, 30, 30, 30]


def test_attempts_round_trip_as_text_and_count_down() -> None:
    start = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)
    attempts = Attempts().failed(start).failed(start).failed(start).failed(start)
    assert Attempts.from_text(attempts.to_text()) == attempts
    assert attempts.seconds_left(start) == 8
    assert attempts.seconds_left(start + dt.timedelta(seconds=7.5)) == 1
    assert attempts.seconds_left(start + dt.timedelta(seconds=8)) == 0
    assert Attempts.from_text("garbage") == Attempts()


def test_the_pin_is_kept_as_a_salted_argon2_hash_never_in_clear(services: Services,
                                                               db: Database) -> None:
    services.lock.lock("4711", "4711")
    stored = db.get_local(LOCK_KEY) or ""
    assert "4711" not in stored and "$argon2id$" in stored
    services.lock.unlock("4711")
    services.lock.lock("4711")
    assert db.get_local(LOCK_KEY) != stored, "a new salt every time"


def test_short_or_differing_pins_are_refused(services: Services) -> None:
    with pytest.raises(PinError, match="at least 4"):
        services.lock.lock("123")
    with pytest.raises(PinError, match="differ"):
        services.lock.lock("1234", "1243")
    assert not services.lock.is_locked()


def test_only_admins_and_managers_may_lock(services: Services) -> None:
    rep = services.people.add_user("Rita Rep", "rita@example.com", Role.REP)
    manager = services.people.add_user("Maria Keller", "maria@example.com", Role.MANAGER)
    assert not may_lock(rep) and may_lock(manager) and may_lock(None)
    with pytest.raises(PinError, match="administrator or a sales manager"):
        services.lock.lock("1234", by=rep)
    services.lock.lock("1234", by=manager)
    assert services.lock.current().locked_by == manager.id  # type: ignore[union-attr]


def test_wrong_pins_make_the_next_try_wait_longer_and_the_right_one_resets(
        services: Services, clock: FakeClock, db: Database) -> None:
    lock = services.lock
    lock.lock("4711")
    with pytest.raises(WrongPinError, match="Wrong PIN. Wait 1 s before trying again.") as first:
        lock.unlock("0000")
    assert first.value.wait_seconds == 1
    # Too soon: refused without even looking at the PIN, the right one included.
    with pytest.raises(WrongPinError, match="^Wait 1 s before trying again.$"):
        lock.unlock("4711")
    clock.advance(seconds=1)
    with pytest.raises(WrongPinError, match="Wait 2 s"):
        lock.unlock("1111")
    clock.advance(seconds=2)
    with pytest.raises(WrongPinError, match="Wait 4 s"):
        lock.unlock("2222")
    clock.advance(seconds=4)
    with pytest.raises(WrongPinError, match="Wait 8 s"):
        lock.unlock("3333")
    assert lock.unlock_wait() == 8
    clock.advance(seconds=8)
    lock.unlock("4711")
    assert not lock.is_locked() and db.get_local(LOCK_ATTEMPTS_KEY) is None
    lock.lock("4711")
    with pytest.raises(WrongPinError, match="Wait 1 s"):
        lock.unlock("0000")


def test_the_lock_and_the_wait_survive_reopening_the_database(
        services: Services, clock: FakeClock, db: Database) -> None:
    services.lock.lock("4711")
    with pytest.raises(WrongPinError):
        services.lock.unlock("0000")
    path = db.path
    db.dispose()
    reopened, _outcome = open_database(path)
    try:
        again = Services.build(reopened, clock)
        assert again.lock.is_locked() and again.lock.unlock_wait() == 1
        clock.advance(seconds=1)
        again.lock.unlock("4711")
        assert not again.lock.is_locked()
    finally:
        reopened.dispose()


def test_profile_pins_are_hashed_checked_and_cleared_by_self_or_an_admin(
        services: Services, clock: FakeClock, db: Database) -> None:
    rita = services.people.add_user("Rita Rep", "rita@example.com", Role.REP)
    ben = services.people.add_user("Ben Booth", "ben@example.com", Role.BOOTH)
    ada = services.people.add_user("Ada Admin", "ada@example.com", Role.ADMIN)
    lock = services.lock
    services.lock.check_pin(rita.id, "anything")  # no PIN: nothing to check
    lock.set_pin(rita, "2468", "2468")
    assert lock.has_pin(rita.id) and "2468" not in str(db.get_local(f"user_pin:{rita.id}"))
    lock.check_pin(rita.id, "2468")
    with pytest.raises(WrongPinError, match="Wait 1 s"):
        lock.check_pin(rita.id, "1357")
    assert lock.pin_wait(rita.id) == 1 and lock.pin_wait(ben.id) == 0
    with pytest.raises(PinError, match="Only Rita Rep or an administrator"):
        lock.clear_pin(rita, ben)
    lock.clear_pin(rita, ada)
    assert not lock.has_pin(rita.id)
    lock.set_pin(ben, "1234")
    lock.clear_pin(ben, ben)
    assert not lock.has_pin(ben.id)


def test_roles_open_what_their_job_needs_and_the_lock_only_capture(services: Services) -> None:
    people = services.people
    booth = people.add_user("Ben Booth", "ben@example.com", Role.BOOTH)
    rep = people.add_user("Rita Rep", "rita@example.com", Role.REP)
    manager = people.add_user("Maria Keller", "maria@example.com", Role.MANAGER)
    admin = people.add_user("Ada Admin", "ada@example.com", Role.ADMIN)
    assert Access(booth).areas == {Area.ANYONE, Area.CAPTURE}
    assert Access(rep).allows(Area.LEADS) and Access(rep).allows(Area.FOLLOW_UP)
    assert not Access(rep).allows(Area.ASSIGNMENT) and not Access(rep).allows(Area.EXPORTS)
    assert Access(manager).allows(Area.ASSIGNMENT) and Access(manager).allows(Area.REPORTS)
    assert not any(Access(manager).allows(a) for a in (Area.SETTINGS, Area.IMPORTS, Area.EXPORTS))
    assert Access(admin).areas == set(Area) == Access(None).areas
    locked = Access(admin, locked=True)
    assert locked.areas == {Area.ANYONE, Area.CAPTURE}
    assert locked.unlock_opens(Area.EXPORTS) and locked.shows(Area.EXPORTS)
    assert not Access(rep, locked=True).shows(Area.EXPORTS)  # the PIN opens only the role's
    assert own_leads_only(rep) == rep.id and own_leads_only(manager) is None


def test_nobody_signed_in_opens_capture_only_once_a_profile_has_a_pin(services: Services) -> None:
    people, lock = services.people, services.lock
    ada = people.add_user("Ada Admin", "ada@example.com", Role.ADMIN)
    assert people.current_user() is None
    assert lock.access(None, people.users).areas == set(Area)  # any profile is one click away
    lock.set_pin(ada, "2468", "2468")
    access = lock.access(None, people.users)
    assert access.areas == {Area.ANYONE, Area.CAPTURE}  # signing out must not get round a PIN
    assert "Nobody is signed in" in access.refusal(Area.LEADS)
    assert lock.access(ada, people.users).areas == set(Area)


def test_a_clock_set_back_after_a_wrong_pin_never_makes_the_wait_longer() -> None:
    start = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
    attempts = Attempts().failed(start).failed(start)
    assert attempts.seconds_left(start - dt.timedelta(hours=9)) == wait_after(2)


def test_a_try_is_counted_before_the_pin_is_checked(services: Services,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A second try started while the first is being checked (another process) must wait."""
    services.lock.lock("2468", "2468")
    real = services.lock.hasher
    waits: list[str] = []

    class CheckedWhileAnotherTries:
        def verify(self, pin_hash: str, pin: str) -> bool:
            with pytest.raises(WrongPinError) as other:
                services.lock.unlock("1111")
            waits.append(str(other.value))
            return real.verify(pin_hash, pin)

    monkeypatch.setattr(services.lock, "hasher", CheckedWhileAnotherTries())
    services.lock.unlock("2468")
    assert waits == ["Wait 1 s before trying again."], "the other try was not even checked"
    assert not services.lock.is_locked()


@pytest.mark.both_databases
def test_a_laptop_value_is_read_and_changed_in_one_step(db: Database) -> None:
    """What keeps two processes' PIN tries from both reading the old count."""
    import threading

    def add_one(stored: str | None) -> str:
        return str(int(stored or "0") + 1)

    def work() -> None:
        for _ in range(25):
            db.change_local("counter", add_one)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert db.get_local("counter") == "100"
