"""A business card's picture kept with the lead it was read into: what one is and how large.

The picture is personal data (a face, a signature, a private number written on it), so it is
kept small, stored like the lead's other fields (synced, so the rep on another laptop sees the
card they were handed), moved with the lead when it is merged and emptied when the person is
erased. A JPEG of at most ``PICTURE_EDGE`` pixels on its long side reads well on screen and
keeps a change set small (about 60–150 KB a side).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import uuid
from dataclasses import dataclass
from enum import StrEnum

#: The long side of a stored card picture, in pixels: a card's small print stays legible.
PICTURE_EDGE = 1400
#: A stored side may not be larger than this (base64 included): phone photos of 12 MP are
#: re-encoded smaller until they fit.
PICTURE_MAX_BYTES = 400_000
PICTURE_MIME = "image/jpeg"


class CardSide(StrEnum):
    FRONT = "front"
    BACK = "back"


@dataclass(frozen=True)
class CardPicture:
    """One side of a card, ready to store: JPEG bytes and their size in pixels."""

    side: CardSide
    jpeg: bytes
    width: int
    height: int

    @property
    def stored(self) -> str:
        """The text the table and the change sets carry (JSON has no bytes)."""
        return base64.b64encode(self.jpeg).decode("ascii")


@dataclass(frozen=True)
class CardPictureRecord:
    """A stored side; ``jpeg`` is empty once the person was erased."""

    id: uuid.UUID
    lead_id: uuid.UUID
    side: CardSide
    width: int
    height: int
    jpeg: bytes
    taken_at: dt.datetime


def picture_bytes(stored: str) -> bytes:
    """The JPEG of a stored side; empty for an erased or damaged one (shown as missing)."""
    try:
        return base64.b64decode(stored, validate=True) if stored else b""
    except (binascii.Error, ValueError):
        return b""
