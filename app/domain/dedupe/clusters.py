"""Grouping duplicate pairs into people (A~B, B~C: one person) and choosing who survives a merge."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.domain.dedupe.keys import CandidatePair
from app.domain.leads import EDITABLE_FIELDS, LeadRecord

_NOT_COUNTED = frozenset({"needs_review", "review_reason"})  # review marks, not facts about a person
_EMPTY = ("", None, 0, False)


@dataclass(frozen=True)
class MergeGroup:
    """One person found several times: the lead that stays and those merged into it."""

    survivor: uuid.UUID
    merged: tuple[uuid.UUID, ...]


def clusters(pairs: Iterable[CandidatePair],
             apart: Iterable[tuple[uuid.UUID, uuid.UUID]] = ()) -> list[list[uuid.UUID]]:
    """The groups of leads the pairs link (union-find), each sorted, largest first.

    ``apart`` are pairs people said are different people: two groups holding such a pair are
    never joined, even through a third lead like both (the best-scored pairs join first). The
    order is deterministic (by size, then by the smallest id), so a plan shown before merging
    is the plan carried out.
    """
    parent: dict[uuid.UUID, uuid.UUID] = {}
    members: dict[uuid.UUID, set[uuid.UUID]] = {}
    kept_from: dict[uuid.UUID, set[uuid.UUID]] = {}  # per group root: leads it must not join
    for a, b in apart:
        kept_from.setdefault(a, set()).add(b)
        kept_from.setdefault(b, set()).add(a)

    def root(lead: uuid.UUID) -> uuid.UUID:
        if lead not in parent:
            parent[lead], members[lead] = lead, {lead}
            kept_from.setdefault(lead, set())
        while parent[lead] != lead:
            parent[lead] = parent[parent[lead]]  # path halving keeps chains short
            lead = parent[lead]
        return lead

    for pair in sorted(pairs, key=lambda p: (-p.score, p.a.hex, p.b.hex)):
        a, b = root(pair.a), root(pair.b)
        if a == b or not kept_from[a].isdisjoint(members[b]):
            continue
        keep, joined = (a, b) if len(members[a]) >= len(members[b]) else (b, a)
        parent[joined] = keep
        members[keep] |= members.pop(joined)
        kept_from[keep] |= kept_from.pop(joined)
    found = [sorted(group, key=lambda i: i.hex) for group in members.values()]
    found.sort(key=lambda group: (-len(group), group[0].hex))
    return found


def filled_fields(record: LeadRecord) -> int:
    """How many of a lead's editable fields hold a value."""
    return sum(1 for spec in EDITABLE_FIELDS
               if spec.name not in _NOT_COUNTED and record.value_of(spec.name) not in _EMPTY)


def survivor_rule(record: LeadRecord) -> tuple[int, float, str]:
    """Sort key of the lead that stays: the most filled fields (least to fill from the others),
    then the oldest capture (its history starts first), then the smallest id (a tie-break that
    gives the same answer on every laptop)."""
    captured = record.created_at.timestamp() if record.created_at else float("inf")
    return (-filled_fields(record), captured, record.id.hex)


def plan_group(records: Sequence[LeadRecord]) -> MergeGroup:
    """Who survives among the leads of one person, and who is merged into it."""
    ordered = sorted(records, key=survivor_rule)
    return MergeGroup(ordered[0].id, tuple(r.id for r in ordered[1:]))
