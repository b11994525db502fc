"""The demo schedule: when leads arrive, and from which show."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from random import Random

from app.services.demo.organisation import Show

WINDOW_DAYS = 548  # 18 months of history
TRADE_SHOW_SHARE = 0.45

_MINUTE = dt.timedelta(minutes=1)
_HOUR = dt.timedelta(hours=1)


def _apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` by weights with the largest-remainder rule (deterministic, exact sum)."""
    weight_sum = sum(weights)
    if total <= 0 or weight_sum <= 0:
        return [0] * len(weights)
    exact = [total * w / weight_sum for w in weights]
    counts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (counts[i] - exact[i], i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def lead_schedule(total: int, now: dt.datetime, shows: Sequence[Show], rng: Random
                  ) -> Iterator[tuple[dt.datetime, Show | None]]:
    """Creation times in ascending order, each with its show (None: another channel).

    Other channels arrive on working days with slow growth; each show's leads arrive during
    the show, plus late badge-scan imports in the days after it.
    """
    today = now.date()
    first = today - dt.timedelta(days=WINDOW_DAYS - 1)
    days = [first + dt.timedelta(days=i) for i in range(WINDOW_DAYS)]
    past_shows = [s for s in shows if s.ends_on < today]
    show_total = round(total * TRADE_SHOW_SHARE) if past_shows else 0
    base = [(1.0 if d.weekday() < 5 else 0.2) * (0.7 + 0.6 * i / WINDOW_DAYS)
            for i, d in enumerate(days)]
    per_day: list[list[tuple[int, Show | None]]] = [[] for _ in days]
    for i, n in enumerate(_apportion(total - show_total, base)):
        if n:
            per_day[i].append((n, None))
    show_counts = _apportion(show_total, [s.spec.weight for s in past_shows])
    for show, n in zip(past_shows, show_counts, strict=True):
        span = [show.starts_on + dt.timedelta(days=k) for k in range(show.spec.length + 4)]
        weights = [1.0] * show.spec.length + [0.12, 0.08, 0.05, 0.03]
        for day, count in zip(span, _apportion(n, weights), strict=True):
            index = (day - first).days
            if count and 0 <= index < len(days):
                per_day[index].append((count, show))
    for day, groups in zip(days, per_day, strict=True):
        if not groups:
            continue
        start = dt.datetime.combine(day, dt.time(6), dt.UTC)
        end = min(start + 14 * _HOUR, now - _MINUTE)
        if end <= start:
            start = dt.datetime.combine(day, dt.time(0), dt.UTC)
            end = now - dt.timedelta(seconds=1)
        span_s = (end - start).total_seconds()
        arrivals = sorted(
            ((rng.random(), show) for count, show in groups for _ in range(count)),
            key=lambda pair: pair[0])
        for fraction, from_show in arrivals:
            yield start + dt.timedelta(seconds=fraction * span_s), from_show
