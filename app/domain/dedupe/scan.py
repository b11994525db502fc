"""The bulk duplicate scan: multi-key blocking, sorted neighbourhood, both matchers."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable

from app.domain.dedupe.keys import DEFAULT_MIN_SCORE, CandidatePair, MatchKeys, ScanStats
from app.domain.dedupe.normalise import (
    NICKNAMES,
    Prepared,
    last_name_core,
    prepare,
)
from app.domain.dedupe.scoring import NAME_WEIGHT, linkage_person, match_prepared, needs_linkage, strong_link
from app.domain.record_linkage.linking import LinkStats, link
from app.domain.record_linkage.normalise import Person

MAX_BLOCK = 25
"""Blocks up to this size are compared all-against-all (at most 300 pairs)."""

WINDOW = 8
"""In an oversized block each record is compared with this many sorted neighbours."""


def _blocking_keys(p: Prepared) -> set[str]:
    keys: set[str] = set()
    if p.email:
        keys.add("e" + p.email)
    if len(p.local) >= 4:
        keys.add("l" + p.local)
    for phone in p.phones:
        keys.add("p" + phone)
    if p.badge:
        keys.add("b" + p.badge)
    if p.last and p.first:
        # Each key keeps one name whole and a fragment of the other, so one typo in either
        # name leaves a key intact unless it hits a short name in both its start and its
        # end fragment; nicknames use the formal first name.
        keys.add(f"k{p.last}|{p.first[:3]}")  # typos in the first name after its 3rd letter
        keys.add(f"j{p.last}|{p.first[-3:]}")  # typos early in the first name
        keys.add(f"f{p.first}|{p.last_core[:3]}")  # typos in the last name after its 3rd letter
        keys.add(f"m{p.first}|{p.last[-4:]}")  # typos early in the last name
    elif p.last or p.first:
        keys.add(f"o{p.last or p.first}")  # one name only
    if p.first_raw and p.last:
        # The swapped-name variant, spelled as the 'k' and 'f' keys of the unswapped record.
        swapped_first = NICKNAMES.get(p.last, p.last)
        keys.add(f"k{p.first_raw}|{swapped_first[:3]}")
        keys.add(f"f{swapped_first}|{last_name_core(p.first_raw)[:3]}")
    if p.company and p.last:
        keys.add(f"c{p.company}|{p.last[:3]}")
    return keys


def blocking_keys(k: MatchKeys) -> set[str]:
    """The blocks a lead falls into; two leads are compared only if they share one."""
    return _blocking_keys(prepare(k))


def _has_support(k: MatchKeys) -> bool:
    """Whether the lead has anything besides its name that the contact matcher weighs."""
    return bool(k.email.strip() or k.phone_e164.strip() or k.mobile_e164.strip()
                or k.badge_id.strip() or k.company.strip())


_UNCOMPARED = Prepared("", "", "", "", "", "", "", "", frozenset(), "")
"""Stands in for a lead the contact matcher never compares (it is in no block)."""


def _sort_key(p: Prepared) -> str:
    return f"{p.last} {p.first}"


def find_duplicates(records: Iterable[MatchKeys], *, min_score: float = DEFAULT_MIN_SCORE,
                    progress: Callable[[int, int], None] | None = None,
                    cancelled: Callable[[], bool] | None = None,
                    stats: ScanStats | None = None) -> list[CandidatePair]:
    """All candidate duplicate pairs among ``records``, best first.

    Leads with nothing but a name for the contact scorer to weigh (no email, phone, badge or
    company) are left out of its blocks when ``min_score`` is above what a name alone can
    score; those with an address or a date of birth are compared by the name-and-address pass.
    ``progress(done, total)`` is called now and then while blocks are compared; returning
    early when ``cancelled()`` is true gives the pairs found so far. ``stats`` (if given) is
    filled with what the scan did, including the pairs the block cap skipped.
    """
    stats = stats if stats is not None else ScanStats()
    ids: list[uuid.UUID] = []
    prepared: list[Prepared] = []
    blocks: dict[str, list[int]] = {}
    # A pair's support needs an email, phone, badge or company on both sides; without it the
    # contact matcher's score is at most the name's share.
    names_only_fall_short = min_score > 100 * NAME_WEIGHT
    linked: list[int] = []  # positions of the people for the name-and-address pass
    people: list[Person] = []
    shown: list[MatchKeys] = []
    for index, record in enumerate(records):
        ids.append(record.id)
        if needs_linkage(record):
            linked.append(index)
            people.append(linkage_person(record))
            shown.append(record)
        if names_only_fall_short and not _has_support(record):
            prepared.append(_UNCOMPARED)  # nothing but a name: can never reach min_score
            continue
        p = prepare(record)
        prepared.append(p)
        for block_key in _blocking_keys(p):
            members = blocks.get(block_key)
            if members is None:
                blocks[block_key] = [index]
            else:
                members.append(index)
    stats.records = len(prepared)

    seen: set[int] = set()
    found: dict[int, tuple[float, tuple[str, ...]]] = {}
    count = len(prepared)
    total = len(blocks)
    step = max(1, total // 100)
    linking = len(people) >= 2
    # With a name-and-address pass to come, the contact blocks are the first half of the work.
    steps = 2 * total if linking else total
    for done, members in enumerate(blocks.values(), 1):
        if progress is not None and done % step == 0:
            progress(done, steps)
        if cancelled is not None and done % 1000 == 1 and cancelled():
            break
        size = len(members)
        if size < 2:
            continue
        stats.blocks += 1
        for i, j in _block_pairs(members, prepared, stats):
            pair = i * count + j if i < j else j * count + i
            if pair in seen or ids[i] == ids[j]:  # the same lead given twice is no pair
                continue
            stats.compared += 1
            result = match_prepared(prepared[i], prepared[j], min_score)
            if result is not None:
                seen.add(pair)
                found[pair] = result
            elif strong_link(prepared[i], prepared[j]):
                seen.add(pair)  # rare, and already fully scored: never score it again
    stats.linked = len(people)
    if linking and not (cancelled is not None and cancelled()):
        stats.linkage = LinkStats()
        linkage_progress = None if progress is None else \
            lambda done, pairs: progress(total + total * done // max(pairs, 1), steps)
        for found_link in link(people, shown, min_score=min_score,
                                              stats=stats.linkage, cancelled=cancelled,
                                              progress=linkage_progress):
            i, j = linked[found_link.first], linked[found_link.second]
            if ids[i] == ids[j]:
                continue
            pair = i * count + j if i < j else j * count + i
            if pair not in found or found[pair][0] < found_link.score:
                found[pair] = found_link.score, found_link.reasons
    if progress is not None:
        progress(steps, steps)
    by_ids: dict[tuple[uuid.UUID, uuid.UUID], CandidatePair] = {}
    for pair, (score, reasons) in found.items():
        first, second = sorted((ids[pair // count], ids[pair % count]))
        by_ids[first, second] = CandidatePair(first, second, score, reasons)
    pairs = list(by_ids.values())  # a lead given twice yields its pairs once
    pairs.sort(key=lambda p: (-p.score, str(p.a), str(p.b)))
    stats.found = len(pairs)
    return pairs


def _block_pairs(members: list[int], prepared: list[Prepared],
                 stats: ScanStats) -> Iterable[tuple[int, int]]:
    """Every pair of a small block; sorted-neighbourhood pairs of an oversized one."""
    size = len(members)
    if size <= MAX_BLOCK:
        for x in range(size - 1):
            i = members[x]
            for y in range(x + 1, size):
                yield i, members[y]
        return
    stats.oversized_blocks += 1
    ordered = sorted(members, key=lambda m: _sort_key(prepared[m]))
    compared = 0
    for x in range(size - 1):
        i = ordered[x]
        for y in range(x + 1, min(size, x + 1 + WINDOW)):
            compared += 1
            yield i, ordered[y]
    stats.skipped_by_cap += size * (size - 1) // 2 - compared

