"""Hybrid logical clock (Kulkarni et al.), as in SYNC.md section 4.3.

The HLC only orders ops for display ("which concurrent value is shown") and for readable history.
It never decides that one edit superseded another: that comes from explicit ``pred`` lists, so a
laptop with a wrong clock can at worst win a display tie between truly concurrent edits, which are
flagged for review anyway.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

# A remote stamp further ahead than this is reported (flag, never block: SYNC.md 4.3).
MAX_DRIFT_MS = 10 * 60 * 1000
# The counter is encoded as 4 hex digits; past that the wall component is bumped instead.
_MAX_COUNTER = 0xFFFF


def system_wall_ms() -> int:
    return time.time_ns() // 1_000_000


@dataclass(frozen=True, order=True, slots=True)
class Timestamp:
    """Totally ordered by (wall_ms, counter, device); device ids are unique, so ties cannot occur."""

    wall_ms: int
    counter: int
    device: str

    def encode(self) -> str:
        # Fixed width and colon-free, so it sorts as text and is legal in any file name (SYNC.md 4.4).
        return f"{self.wall_ms:013d}-{self.counter:04x}-{self.device}"

    @classmethod
    def decode(cls, text: str) -> Timestamp:
        wall, counter, device = text.split("-", 2)
        if len(wall) != 13 or len(counter) != 4 or not device:
            raise ValueError(f"not an HLC timestamp: {text!r}")
        return cls(int(wall), int(counter, 16), device)


class HybridClock:
    """One device's HLC. ``last`` is restored from the database after a restart."""

    def __init__(
        self,
        device: str,
        wall: Callable[[], int] = system_wall_ms,
        last: Timestamp | None = None,
        max_drift_ms: int = MAX_DRIFT_MS,
    ) -> None:
        if not device or "-" in device:
            # "-" separates the encoded fields; device ids are hex/alnum tokens anyway.
            raise ValueError(f"invalid device id for a clock: {device!r}")
        self.device = device
        self._wall = wall
        self.max_drift_ms = max_drift_ms
        self.last = last if last is not None else Timestamp(0, 0, device)
        # Set when the local wall clock was seen going backwards, so the UI can warn.
        self.wall_went_backwards = False

    def _advance(self, wall_ms: int, counter: int) -> Timestamp:
        if counter > _MAX_COUNTER:
            wall_ms, counter = wall_ms + 1, 0
        self.last = Timestamp(wall_ms, counter, self.device)
        return self.last

    def now(self) -> Timestamp:
        """Send/local-event rule: strictly greater than anything issued or observed before."""
        wall = self._wall()
        if wall < self.last.wall_ms:
            self.wall_went_backwards = True
        if wall > self.last.wall_ms:
            return self._advance(wall, 0)
        return self._advance(self.last.wall_ms, self.last.counter + 1)

    def wall_now(self) -> int:
        return self._wall()

    def observe(self, remote: Timestamp, wall_ms: int | None = None) -> bool:
        """Receive rule. Returns True when ``remote`` is more than max_drift ahead of our wall clock.

        Such a stamp is still merged (its op is applied by the caller), but it does not drag our
        clock ahead: SYNC.md 4.3 keeps every HLC within wall + MAX_DRIFT, and since supersession
        comes from ``pred``, not from HLC order, a later local edit still wins over it causally.
        """
        wall = self._wall() if wall_ms is None else wall_ms
        if remote.wall_ms > wall + self.max_drift_ms:
            return True
        if (remote.wall_ms, remote.counter) >= (self.last.wall_ms, self.last.counter):
            self._advance(remote.wall_ms, remote.counter + 1)
        return False
