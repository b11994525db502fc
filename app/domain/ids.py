"""Identifiers shared across devices: time-ordered UUIDv7 (RFC 9562)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import overload

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


class PackedIds(Sequence[uuid.UUID]):
    """Ids kept as 16 bytes each: what a large import remembers of the leads it created (a
    100,000-row file holds 1.6 MB instead of about 10 MB of UUID objects)."""

    def __init__(self) -> None:
        self._data = bytearray()

    def extend(self, ids: Iterable[uuid.UUID]) -> None:
        for one in ids:
            self._data += one.bytes

    def __len__(self) -> int:
        return len(self._data) // 16

    @overload
    def __getitem__(self, index: int) -> uuid.UUID: ...

    @overload
    def __getitem__(self, index: slice) -> list[uuid.UUID]: ...

    def __getitem__(self, index: int | slice) -> uuid.UUID | list[uuid.UUID]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        position = index + len(self) if index < 0 else index
        if not 0 <= position < len(self):
            raise IndexError(index)
        return uuid.UUID(bytes=bytes(self._data[position * 16:position * 16 + 16]))
