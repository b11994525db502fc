"""Seeded randomness shared by the demo modules: weighted choices and reproducible ids."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import uuid
from collections.abc import Iterable
from random import Random
from typing import Generic, TypeVar

_MS = dt.timedelta(milliseconds=1)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MASK62 = (1 << 62) - 1
T = TypeVar("T")


class Weighted(Generic[T]):
    """A fixed weighted choice. ``random.choices`` re-sums the weights on every call, which
    was the largest single cost of generating a lead; this bisects precomputed sums."""

    __slots__ = ("items", "cumulative", "total", "last")

    def __init__(self, pairs: Iterable[tuple[T, float]]) -> None:
        items, weights = zip(*pairs, strict=True)
        self.items: tuple[T, ...] = tuple(items)
        self.cumulative = list(itertools.accumulate(weights))
        self.total = self.cumulative[-1]
        self.last = len(self.items) - 1

    def pick(self, rng: Random) -> T:
        # ``hi`` as in random.choices: random() * total can round up to total itself.
        return self.items[bisect.bisect(self.cumulative, rng.random() * self.total, 0, self.last)]


def demo_id(rng: Random, when: dt.datetime) -> uuid.UUID:
    """A UUIDv7 (RFC 9562 layout) for ``when`` whose random bits come from ``rng``.

    Like :func:`app.domain.ids.new_id` the ids sort by time, so B-tree inserts stay local;
    unlike it they are reproducible from the seed.
    """
    ms = (when - _EPOCH) // _MS
    rand = rng.getrandbits(74)
    return uuid.UUID(int=(ms << 80) | (0x7 << 76) | ((rand >> 62) << 64) | (0x2 << 62)
                     | (rand & _MASK62))
