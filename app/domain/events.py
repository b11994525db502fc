"""Events and campaigns: where leads come from and what they cost."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class EventRecord:
    """A trade show or campaign. Its country is the default region for phone numbers."""

    id: uuid.UUID
    name: str
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    venue: str = ""
    city: str = ""
    country: str = ""
    cost: int | None = None  # minor units (cents) of `currency`
    currency: str = "EUR"
    badge_layout: str = ""  # how delimited badges are laid out, see importers.badges

    @property
    def date_range(self) -> str:
        if self.starts_on and self.ends_on and self.ends_on != self.starts_on:
            return f"{self.starts_on.isoformat()} – {self.ends_on.isoformat()}"
        return self.starts_on.isoformat() if self.starts_on else ""
