"""Erasure on request: what is personal, and the anonymous tombstone left behind.

An erased lead keeps its row so reports still count it (source, event, status, dates, owner
and deal value are business facts about a lead, not about a person), but every field that
could identify the person is emptied, and related rows holding personal words are scrubbed.
The tombstone keeps only one-way fingerprints of the email and phone numbers: enough to
recognise the person if a later import or a synced laptop brings them back, not enough to
say who they were.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from app.domain.contact_data import normalise_email

# Lead columns that identify or describe the person; all emptied on erasure. Industry, size,
# country, channel, event, campaign, status, rating, score, owner and deal value stay: reports
# by source and ROI must still add up after someone asks to be forgotten.
PERSONAL_LEAD_FIELDS: tuple[str, ...] = (
    "first_name", "last_name", "title", "company", "website", "email", "phone", "phone_e164",
    "mobile", "mobile_e164", "street", "postal_code", "city", "region", "badge_id",
    "product_interest", "budget", "authority", "need", "timeline", "disqualify_reason",
    "consent_text", "review_reason", "notes", "company_source", "original_values",
)
# Personal lead columns that are not text: erasure sets them to NULL (in the log too).
PERSONAL_LEAD_NULLABLE: tuple[str, ...] = ("birth_date",)
ERASED_NAME = "Erased person"

# Per synced table, the columns an erasure empties, also in the sync log (older versions of a
# field are kept there for merging, so they must be scrubbed too). Everything else about those
# rows (dates, kinds, outcomes, ids) is a business fact that stays.
ERASED_SYNC_COLUMNS: dict[str, frozenset[str]] = {
    "lead": frozenset(PERSONAL_LEAD_FIELDS + PERSONAL_LEAD_NULLABLE),
    "activity": frozenset({"old_value", "new_value", "text"}),
    "task": frozenset({"title", "notes"}),
    "answer": frozenset({"value"}),
    "suppression": frozenset({"value", "note"}),  # the person's own do-not-contact entries
    # Their orders stay (the company bought; revenue counts hold), without their address.
    "customer_order": frozenset({"email"}),
    "card_picture": frozenset({"data"}),  # the card itself: a face, a signature, numbers
}

# Versioned so a future change of normalisation cannot silently stop matching old tombstones.
_FINGERPRINT_PREFIX = "leadline-erasure-v1:"


def fingerprint(kind: str, value: str) -> str:
    """A one-way SHA-256 fingerprint of a normalised email or E.164 phone number."""
    return hashlib.sha256(f"{_FINGERPRINT_PREFIX}{kind}:{value}".encode()).hexdigest()


def fingerprints_of(values: Mapping[str, Any]) -> set[str]:
    """Fingerprints of a lead's (or import row's) email and phone numbers, for matching."""
    found = set()
    email = str(values.get("email") or "").strip()
    if email:
        try:
            email = normalise_email(email)
        except ValueError:
            email = email.lower()
        found.add(fingerprint("email", email))
    for name in ("phone_e164", "mobile_e164"):
        number = str(values.get(name) or "").strip()
        if number:
            found.add(fingerprint("phone", number))
    return found


@dataclass(frozen=True)
class TombstoneRecord:
    id: uuid.UUID
    lead_id: uuid.UUID
    erased_at: dt.datetime
    fingerprints: frozenset[str]
    reason: str = ""


@dataclass(frozen=True)
class ErasureIndex:
    """Fingerprint → date of erasure, for checking rows on capture and import in memory."""

    erased: dict[str, dt.date] = field(default_factory=dict)

    @classmethod
    def of(cls, tombstones: Iterable[TombstoneRecord]) -> ErasureIndex:
        erased: dict[str, dt.date] = {}
        for tombstone in tombstones:
            for print_ in tombstone.fingerprints:
                erased[print_] = tombstone.erased_at.date()
        return cls(erased)

    def erased_on(self, values: Mapping[str, Any]) -> dt.date | None:
        """When this person asked to be erased, if the values identify an erased person."""
        if not self.erased:
            return None
        dates = [self.erased[p] for p in fingerprints_of(values) if p in self.erased]
        return min(dates) if dates else None


def erased_message(on: dt.date) -> str:
    return (f"this person asked to be erased on {on.isoformat()}; "
            "keep them only with fresh, recorded consent")


@dataclass(frozen=True)
class ErasureReceipt:
    """What an erasure touched, for the confirmation the admin files with the request."""

    lead_id: uuid.UUID
    erased_lead_ids: tuple[uuid.UUID, ...]  # the lead and any leads merged into it
    scrubbed: dict[str, int]  # table → rows emptied or removed
    erased_at: dt.datetime
    backups_with_personal_data: tuple[str, ...] = ()
    index_compacted: bool = True
    log_truncated: bool = True

    def to_json(self) -> dict[str, Any]:
        return {
            "lead_id": str(self.lead_id),
            "erased_lead_ids": [str(i) for i in self.erased_lead_ids],
            "scrubbed": self.scrubbed,
            "erased_at": self.erased_at.isoformat(),
            "backups_with_personal_data": list(self.backups_with_personal_data),
            "index_compacted": self.index_compacted,
            "log_truncated": self.log_truncated,
        }
