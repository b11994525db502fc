"""This laptop's booth lock and people's PINs, kept as slow salted hashes beside the database."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Sequence

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.domain.access import Access
from app.domain.booth_lock import (
    Attempts,
    BoothLock,
    PinError,
    WrongPinError,
    check_new_pin,
    may_lock,
    wait_message,
)
from app.domain.people import Role, UserRecord
from app.services.context import ServiceContext

# Per laptop (Database.get_local: app_meta of the file, or a 0600 file beside it for a team
# server): never synced, so a PIN set on one laptop unlocks nothing on another.
LOCK_KEY = "booth_lock"
LOCK_ATTEMPTS_KEY = "booth_lock_attempts"
PIN_KEY = "user_pin:{}"
_PIN_ATTEMPTS_KEY = "user_pin_attempts:{}"


class LockService:
    """Lock and unlock the laptop, set and check PINs; wrong PINs make the next try wait."""

    def __init__(self, context: ServiceContext, hasher: PasswordHasher | None = None) -> None:
        self.context = context
        self.hasher = hasher or PasswordHasher()

    # -- the booth lock -----------------------------------------------------------------------
    def current(self) -> BoothLock | None:
        stored = self.context.db.get_local(LOCK_KEY)
        if not stored:
            return None
        try:
            found = json.loads(stored)
            by = found.get("locked_by")
            return BoothLock(str(found["pin_hash"]), dt.datetime.fromisoformat(found["locked_at"]),
                             uuid.UUID(by) if by else None)
        except (ValueError, KeyError, TypeError):
            # A damaged value still locks: only the PIN (or clearing the value) opens it.
            return BoothLock("", self.context.clock())

    def is_locked(self) -> bool:
        return self.current() is not None

    def lock(self, pin: str, repeated: str | None = None, by: UserRecord | None = None) -> BoothLock:
        """Lock this laptop for the booth; the same PIN unlocks it."""
        if not may_lock(by):
            raise PinError("Only an administrator or a sales manager can lock this laptop.")
        if self.is_locked():
            raise PinError("This laptop is locked for the booth already.")
        lock = BoothLock(self.hasher.hash(check_new_pin(pin, repeated)), self.context.clock(),
                         by.id if by else None)
        self.context.db.set_local(LOCK_KEY, json.dumps({
            "pin_hash": lock.pin_hash, "locked_at": lock.locked_at.isoformat(),
            "locked_by": str(lock.locked_by) if lock.locked_by else None}))
        self.context.db.set_local(LOCK_ATTEMPTS_KEY, None)
        return lock

    def unlock(self, pin: str) -> None:
        """Open the laptop again; WrongPinError (naming the wait) when the PIN is wrong."""
        lock = self.current()
        if lock is None:
            return
        self._verify(lock.pin_hash, pin, LOCK_ATTEMPTS_KEY)
        self.context.db.set_local(LOCK_KEY, None)

    def unlock_wait(self) -> int:
        """Seconds before the next unlock try is heard."""
        return self._attempts(LOCK_ATTEMPTS_KEY).seconds_left(self.context.clock())

    # -- people's PINs ------------------------------------------------------------------------
    def access(self, user: UserRecord | None, everyone: Callable[[], Sequence[UserRecord]]) -> Access:
        """What may be opened now by ``user`` (None: nobody signed in; ``everyone`` is only
        asked then, to know whether any profile here has a PIN)."""
        pins_set = user is None and any(self.has_pin(u.id) for u in everyone())
        return Access(user, self.is_locked(), pins_set)

    def has_pin(self, user_id: uuid.UUID) -> bool:
        return bool(self.context.db.get_local(PIN_KEY.format(user_id)))

    def set_pin(self, user: UserRecord, pin: str, repeated: str | None = None) -> None:
        """Only the person themselves sets their PIN (the caller checks who is signed in)."""
        self.keep_pin(user.id, check_new_pin(pin, repeated))

    def keep_pin(self, user_id: uuid.UUID, pin: str) -> None:
        """Store the hash of a checked PIN; a new profile's is stored before the profile is
        added (ProfileDialog), so no profile ever exists without the PIN its maker gave."""
        self.context.db.set_local(PIN_KEY.format(user_id), self.hasher.hash(pin))
        self.context.db.set_local(_PIN_ATTEMPTS_KEY.format(user_id), None)

    def forget_pin(self, user_id: uuid.UUID) -> None:
        self.context.db.set_local(PIN_KEY.format(user_id), None)
        self.context.db.set_local(_PIN_ATTEMPTS_KEY.format(user_id), None)

    def clear_pin(self, user: UserRecord, by: UserRecord | None) -> None:
        """A person clears their own PIN; an administrator anyone's."""
        if by is None or (by.id != user.id and by.role is not Role.ADMIN):
            raise PinError(f"Only {user.name} or an administrator can clear {user.name}'s PIN.")
        self.forget_pin(user.id)

    def check_pin(self, user_id: uuid.UUID, pin: str) -> None:
        """Nothing when the profile has no PIN or this is it; WrongPinError otherwise."""
        stored = self.context.db.get_local(PIN_KEY.format(user_id))
        if stored:
            self._verify(stored, pin, _PIN_ATTEMPTS_KEY.format(user_id))

    def pin_wait(self, user_id: uuid.UUID) -> int:
        return self._attempts(_PIN_ATTEMPTS_KEY.format(user_id)).seconds_left(self.context.clock())

    # -- attempts -----------------------------------------------------------------------------
    def _attempts(self, key: str) -> Attempts:
        return Attempts.from_text(self.context.db.get_local(key))

    def _verify(self, pin_hash: str, pin: str, attempts_key: str) -> None:
        now = self.context.clock()
        waiting = 0

        def claim(stored: str | None) -> str | None:
            # Read and counted as wrong in one step, before the slow check: tries started
            # together (several processes at once) find the claim and wait, so none gets a
            # free guess.
            nonlocal waiting
            attempts = Attempts.from_text(stored)
            waiting = attempts.seconds_left(now)
            return stored if waiting else attempts.failed(now).to_text()

        claimed = self.context.db.change_local(attempts_key, claim)
        if waiting:
            # Not even checked: guessing is as slow as the wait, however fast the typing.
            raise WrongPinError(wait_message(waiting), waiting)
        try:
            self.hasher.verify(pin_hash, pin)
        except (VerificationError, InvalidHashError):
            waiting = Attempts.from_text(claimed).seconds_left(now)
            raise WrongPinError(f"Wrong PIN. {wait_message(waiting)}", waiting) from None
        self.context.db.set_local(attempts_key, None)
