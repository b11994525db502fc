"""What the duplicate matcher reads and reports: a lead's match keys, pairs, scan counts."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from app.domain.record_linkage.linking import LinkStats

DEFAULT_MIN_SCORE = 80.0
"""The one fixed threshold: pairs scoring at least this are reported as likely duplicates."""


@dataclass(frozen=True, slots=True)
class MatchKeys:
    """The columns of a lead that identify a person; what the matcher reads and nothing more."""

    key: int
    id: uuid.UUID
    first_name: str
    last_name: str
    company: str
    email: str
    phone_e164: str
    mobile_e164: str
    badge_id: str
    event_id: uuid.UUID | None
    street: str = ""
    postal_code: str = ""
    city: str = ""
    region: str = ""
    birth_date: dt.date | None = None


def display_name(k: MatchKeys) -> str:
    """How a lead is named in a list of pairs (as ``LeadRecord.display_name``)."""
    name = f"{k.first_name} {k.last_name}".strip()
    return name or k.email or k.company or k.badge_id or "(no name)"


@dataclass(frozen=True, slots=True)
class CandidatePair:
    """Two leads that are probably the same person, how sure (0..100) and why, in plain words."""

    a: uuid.UUID
    b: uuid.UUID
    score: float
    reasons: tuple[str, ...]


@dataclass
class ScanStats:
    """What a bulk scan did, so its cost and what blocking gave up can be reported."""

    records: int = 0
    blocks: int = 0
    oversized_blocks: int = 0
    compared: int = 0
    skipped_by_cap: int = 0  # pairs in oversized blocks not compared (may include true pairs)
    found: int = 0
    linked: int = 0  # people compared by name, postal address and birth date
    linkage: LinkStats | None = None  # what that pass did, if it ran
