"""Blocking and the linkage pass over many people: candidate pairs, EM, scored links."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import jellyfish

from app.domain.record_linkage.comparison import compare, pattern_of
from app.domain.record_linkage.normalise import Person, nickname_group
from app.domain.record_linkage.reasons import Shown, reasons
from app.domain.record_linkage.weights import CALIBRATED, Detail, Weights, estimate_weights


@lru_cache(maxsize=200_000)
def _nysiis(name: str) -> str:
    return jellyfish.nysiis(name) if name else ""


@lru_cache(maxsize=100_000)
def _formal(first: str) -> str:
    """One stable spelling per nickname group, so Bob and Robert share a block."""
    return min(nickname_group(first)) if first else ""


@lru_cache(maxsize=200_000)
def _name_keys(first: str, last: str) -> tuple[str, ...]:
    """Names in either order by their sound (NYSIIS), as written and with the nickname's formal
    name, so typos that keep the sound, nicknames and swaps share a block."""
    if not (first and last):
        return ()
    sound = _nysiis(last)
    return tuple({"n" + "|".join(sorted((_nysiis(_formal(first)), sound))),
                  "n" + "|".join(sorted((_nysiis(first), sound)))})


def blocking_keys(p: Person) -> list[str]:
    """The blocks a person falls into; each kind of corruption leaves at least one intact."""
    first, last = p.first, p.last
    keys = list(_name_keys(first, last))
    if p.postcode and p.house_digits:
        keys.append(f"p{p.postcode}|{p.house_digits}")  # names badly mangled, address intact
    if p.street and p.house_digits:
        main = max(p.street.split(), key=len)
        keys.append(f"s{main}|{p.house_digits}|{p.city[:2]}")  # postcode missing or wrong
    if p.birth is not None:
        day, month = sorted((p.birth.day, p.birth.month))
        initials = "".join(sorted(first[:1] + last[:1]))
        keys.append(f"d{p.birth.year}-{day}-{month}|{initials}")  # day/month swapped, names swapped
    return keys


def sort_key(p: Person) -> str:
    """The sorted-neighbourhood key: name then postcode."""
    return f"{p.last} {p.first} {p.postcode}"


MAX_BLOCK = 25
"""Blocks up to this size are compared all-against-all; bigger ones by sorted neighbourhood."""

WINDOW = 3
"""Sorted neighbourhood over everyone: each person meets the next two in name-and-postcode order
(a wider window adds many pairs and, on the generator, no true pair the blocks miss)."""

BLOCK_WINDOW = 6
"""In an oversized block each person meets the next five in name-and-postcode order."""


@dataclass
class LinkStats:
    """What a linkage pass did: blocks, comparisons, the pairs its block cap skipped."""

    people: int = 0
    blocks: int = 0
    oversized_blocks: int = 0
    compared: int = 0
    skipped_by_cap: int = 0
    weights: Weights = CALIBRATED


@dataclass(frozen=True, slots=True)
class Link:
    """Two people (by position) that are probably the same: score 0..100 and the reasons."""

    first: int
    second: int
    score: float
    reasons: tuple[str, ...]


def candidate_pairs(people: Sequence[Person], stats: LinkStats) -> set[int]:
    """The union of every block's pairs and the sorted-neighbourhood pairs, as ``i * n + j``."""
    blocks: dict[str, list[int]] = {}
    for index, person in enumerate(people):
        for key in blocking_keys(person):
            members = blocks.get(key)
            if members is None:
                blocks[key] = [index]
            else:
                members.append(index)
    count = len(people)
    pairs: set[int] = set()
    for members in blocks.values():
        size = len(members)
        if size < 2:
            continue
        stats.blocks += 1
        if size <= MAX_BLOCK:
            # members are in ascending order (appended as people were read), so i < j.
            pairs.update(members[x] * count + members[y]
                         for x in range(size - 1) for y in range(x + 1, size))
            continue
        stats.oversized_blocks += 1
        ordered = sorted(members, key=lambda m: sort_key(people[m]))
        _add_window(pairs, ordered, BLOCK_WINDOW, count)
        windowed = sum(min(BLOCK_WINDOW - 1, size - 1 - x) for x in range(size - 1))
        stats.skipped_by_cap += size * (size - 1) // 2 - windowed
    _add_window(pairs, sorted(range(count), key=lambda m: sort_key(people[m])), WINDOW, count)
    return pairs


def _add_window(pairs: set[int], ordered: Sequence[int], window: int, count: int) -> None:
    """Each member paired with the next ``window - 1`` in ``ordered`` (sorted neighbourhood)."""
    size = len(ordered)
    for x in range(size - 1):
        i = ordered[x]
        for y in range(x + 1, min(size, x + window)):
            j = ordered[y]
            pairs.add(i * count + j if i < j else j * count + i)


def link(people: Sequence[Person], shown: Sequence[Shown], *, min_score: float,
         stats: LinkStats | None = None, cancelled: Callable[[], bool] | None = None,
         progress: Callable[[int, int], None] | None = None,
         estimate: bool = True) -> list[Link]:
    """Pairs among ``people`` whose probability of being one person is at least ``min_score``%.

    Every candidate pair is compared once into its agreement pattern; with ``estimate`` the
    weights are then re-estimated by EM on those patterns, and each distinct pattern is scored
    once. Reasons are written only for the pairs reported.
    """
    stats = stats if stats is not None else LinkStats()
    stats.people = len(people)
    compared: list[tuple[int, int, Detail, bool]] = []
    count = len(people)
    pairs = candidate_pairs(people, stats)
    for done, pair in enumerate(pairs):
        if done % 20_000 == 0:
            if cancelled is not None and cancelled():
                break
            if progress is not None:
                progress(done, len(pairs))
        i, j = divmod(pair, count)
        detail, swapped = compare(people[i], people[j])
        # comparable(detail), written out: this loop runs for every candidate pair.
        if (detail[0] or detail[1]) and (detail[2] or detail[3] or detail[4] or detail[7]):
            compared.append((i, j, detail, swapped))
    stats.compared = len(compared)
    patterns = {detail: pattern_of(detail) for detail in {d for _i, _j, d, _s in compared}}
    counts = Counter(patterns[detail] for _i, _j, detail, _s in compared)
    weights = estimate_weights(counts) if estimate else CALIBRATED
    stats.weights = weights
    threshold = min_score / 100
    scores = {pattern: weights.probability(pattern) for pattern in counts}
    found = []
    for i, j, detail, swapped in compared:
        probability = scores[patterns[detail]]
        if probability >= threshold:
            found.append(Link(i, j, round(100 * probability, 1),
                              reasons(detail, swapped, shown[i], shown[j], people[i], people[j])))
    return found
