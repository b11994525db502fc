"""Identifiers shared across devices: time-ordered UUIDv7 (RFC 9562)."""

from __future__ import annotations

import uuid

import uuid6


def new_id() -> uuid.UUID:
    """A fresh UUIDv7: sorts by creation time, so B-tree inserts stay local."""
    return uuid.UUID(bytes=uuid6.uuid7().bytes)


def parse_id(text: str) -> uuid.UUID:
    """Parse a lead/user/event id as typed by a person (any common UUID spelling)."""
    from app.domain.errors import ValidationError

    try:
        return uuid.UUID(text.strip())
    except (ValueError, AttributeError):
        raise ValidationError.single("id", f"'{text}' is not a valid id") from None
