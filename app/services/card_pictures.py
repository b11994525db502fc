"""Business-card pictures: a photo made small enough to keep with the lead, and read back.

Pillow re-encodes the photo (upright, at most ``PICTURE_EDGE`` pixels, JPEG): a phone's 12 MP
original would make every change set megabytes, and its EXIF block (where and when it was
taken, the phone's serial) is not the lead's business, so it is dropped.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Sequence
from pathlib import Path

from PIL import Image

from app.domain.card_pictures import (
    PICTURE_EDGE,
    PICTURE_MAX_BYTES,
    CardPicture,
    CardPictureRecord,
    CardSide,
)
from app.services.context import ServiceContext
from app.services.image_decoding import open_image
from app.storage.repositories.card_pictures import CardPictureRepository

# JPEG qualities tried in turn until a side fits PICTURE_MAX_BYTES (as base64).
_QUALITIES = (82, 70, 55, 40)


def card_picture(source: Path | bytes | Image.Image, side: CardSide) -> CardPicture:
    """The picture to keep of one side of a card (ImageUnreadableError for a non-image)."""
    image = source if isinstance(source, Image.Image) else open_image(source)
    image = image.convert("RGB")
    edge = PICTURE_EDGE
    while True:
        small = image.copy()
        small.thumbnail((edge, edge), Image.Resampling.LANCZOS)
        for quality in _QUALITIES:
            buffer = io.BytesIO()
            small.save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
            jpeg = buffer.getvalue()
            if len(jpeg) * 4 // 3 + 4 <= PICTURE_MAX_BYTES:
                return CardPicture(side, jpeg, small.width, small.height)
        edge = edge * 3 // 4  # a photo of noise: smaller until it fits


def card_pictures(front: Path | bytes | Image.Image,
                  back: Path | bytes | Image.Image | None = None) -> tuple[CardPicture, ...]:
    """Both sides' pictures (the back only when there is one); pass the images OCR read to
    decode each file once."""
    sides = [card_picture(front, CardSide.FRONT)]
    if back is not None:
        sides.append(card_picture(back, CardSide.BACK))
    return tuple(sides)


class CardPictureService:
    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    def pictures_of(self, lead_id: uuid.UUID) -> list[CardPictureRecord]:
        with self.context.db.read() as session:
            return CardPictureRepository(session).of_lead(lead_id)

    def keep(self, lead_id: uuid.UUID, pictures: Sequence[CardPicture]) -> None:
        """Keep a card's pictures with a lead already saved (the CLI's ``card``)."""
        if not pictures:
            return
        with self.context.db.write() as session:
            CardPictureRepository(session).add(lead_id, pictures, self.context.clock(),
                                               self.context.device_id)
