"""Enrichment from a local company directory: fill blanks, never overwrite what was typed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

ENRICHABLE = ("company", "industry", "company_size", "country")


@dataclass(frozen=True)
class DirectoryRow:
    domain: str
    company: str = ""
    industry: str = ""
    company_size: str = ""
    country: str = ""


def email_domain(email: str) -> str:
    return email.strip().lower().rpartition("@")[2] if "@" in email else ""


def blanks_to_fill(values: Mapping[str, Any], entry: DirectoryRow) -> dict[str, str]:
    """The directory's values for the fields this lead leaves empty (and only those)."""
    return {field: getattr(entry, field) for field in ENRICHABLE
            if getattr(entry, field) and not str(values.get(field) or "").strip()}
