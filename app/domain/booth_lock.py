"""The booth lock and PINs: who may lock, how long a wrong PIN makes the next try wait."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from app.domain.errors import LeadlineError
from app.domain.people import Role, UserRecord

MIN_PIN_LENGTH = 4
MAX_WAIT_SECONDS = 30
# Who may put a laptop into booth mode: the people responsible for the stand.
LOCKING_ROLES = frozenset({Role.ADMIN, Role.MANAGER})


class PinError(LeadlineError):
    """A PIN that cannot be used: too short, or the two entries differ."""


class WrongPinError(LeadlineError):
    """A wrong PIN, or a try before the wait after the last wrong one is over."""

    def __init__(self, message: str, wait_seconds: int) -> None:
        super().__init__(message)
        self.wait_seconds = wait_seconds


class LaptopLockedError(LeadlineError):
    """Something that shows or sends out leads was asked for while the laptop is locked."""


def check_new_pin(pin: str, repeated: str | None = None) -> str:
    """The PIN to keep, or PinError saying what is wrong with it."""
    if len(pin) < MIN_PIN_LENGTH:
        raise PinError(f"A PIN needs at least {MIN_PIN_LENGTH} characters.")
    if repeated is not None and repeated != pin:
        raise PinError("The two PINs differ: type the same PIN twice.")
    return pin


def may_lock(user: UserRecord | None) -> bool:
    """An admin or manager may lock; so may anyone on a laptop nobody has signed in on yet."""
    return user is None or user.role in LOCKING_ROLES


def wait_after(failures: int) -> int:
    """Seconds before the next try after ``failures`` wrong PINs in a row: 0, 1, 2, 4 … 30."""
    if failures <= 0:
        return 0
    return min(MAX_WAIT_SECONDS, 2 ** min(failures - 1, 5))


def wait_message(seconds: int) -> str:
    return f"Wait {seconds} s before trying again."


@dataclass(frozen=True)
class Attempts:
    """Wrong PINs in a row for one secret, and when the last one was typed."""

    failures: int = 0
    last_failure: dt.datetime | None = None

    def seconds_left(self, now: dt.datetime) -> int:
        """Whole seconds still to wait before a PIN may be tried (0: try now)."""
        if self.last_failure is None:
            return 0
        wait = wait_after(self.failures)
        left = (self.last_failure + dt.timedelta(seconds=wait) - now).total_seconds()
        # Never longer than the wait itself: a clock set back after a wrong PIN (time zone
        # travel, a correction) must not lock the staff out of their own laptop for hours.
        return min(wait, max(0, int(left) + (1 if left % 1 else 0)))

    def failed(self, now: dt.datetime) -> Attempts:
        return Attempts(self.failures + 1, now)

    def to_text(self) -> str:
        stamp = self.last_failure.isoformat() if self.last_failure else ""
        return f"{self.failures}|{stamp}"

    @classmethod
    def from_text(cls, text: str | None) -> Attempts:
        if not text:
            return cls()
        count, _, stamp = text.partition("|")
        try:
            return cls(int(count), dt.datetime.fromisoformat(stamp) if stamp else None)
        except ValueError:
            return cls()


@dataclass(frozen=True)
class BoothLock:
    """This laptop's lock: the PIN's hash and who locked it when (never the PIN itself)."""

    pin_hash: str
    locked_at: dt.datetime
    locked_by: uuid.UUID | None = None
