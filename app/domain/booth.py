"""Booth capture rules: the minimum worth saving, and the reasons a capture needs a second look."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.domain.errors import ValidationError

# Set on a badge-only lead until the registration list tells who it is; cleared on import.
CONTACT_FIELDS = ("email", "phone", "mobile")
# Stored with each lead that ticks the box, so the consent can be shown later word for word.
CONSENT_WORDING = ("I agree to be contacted by email or phone about the products shown at "
                   "this event. I can withdraw at any time.")


def check_capture_minimum(values: Mapping[str, Any]) -> None:
    """A name plus one way to reach them, or a badge id. Anything less is not worth a lead."""
    has_name = bool(str(values.get("first_name") or "").strip()
                    or str(values.get("last_name") or "").strip())
    reachable = any(str(values.get(name) or "").strip() for name in CONTACT_FIELDS)
    if str(values.get("badge_id") or "").strip() or (has_name and reachable):
        return
    if not has_name:
        raise ValidationError.single(
            "last_name", "a lead needs a name with an email or phone, or a badge id")
    raise ValidationError.single("email", "add an email or a phone number so someone can follow up")


@dataclass(frozen=True)
class ScanLogRecord:
    """One scan at the booth and what became of it."""

    id: uuid.UUID
    raw: str
    outcome: str  # created, updated, matched, rejected
    reason: str
    scanned_at: dt.datetime
    lead_id: uuid.UUID | None = None
    event_id: uuid.UUID | None = None
