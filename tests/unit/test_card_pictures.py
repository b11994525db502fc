"""A business card's picture kept with its lead: small, synced, merged along, erased with it."""

from __future__ import annotations

import io
import json
import random
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import select

from app.domain.card_pictures import PICTURE_EDGE, PICTURE_MAX_BYTES, CardSide
from app.services.card_pictures import card_picture, card_pictures
from app.services.container import Services
from app.services.image_decoding import ImageUnreadableError
from app.storage.orm import CardPictureRow
from tests.sync_laptops import Laptop, converge

pytestmark = pytest.mark.both_databases

_EXIF_ORIENTATION, _EXIF_GPS, _EXIF_MAKE = 0x0112, 0x8825, 0x010F


def photo(width: int = 4032, height: int = 3024, *, orientation: int = 1,
          colour: tuple[int, int, int] = (240, 236, 228)) -> bytes:
    """A phone photo of a card: large, with EXIF (where it was taken, the phone, its rotation)."""
    image = Image.new("RGB", (width, height), colour)
    image.paste((20, 40, 120), (width // 10, height // 10, width // 2, height // 5))
    exif = Image.Exif()
    exif[_EXIF_ORIENTATION] = orientation
    exif[_EXIF_MAKE] = "PhoneMaker"
    exif.get_ifd(_EXIF_GPS)[2] = (52.0, 31.0, 12.0)  # GPSLatitude
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=95, exif=exif)
    return buffer.getvalue()


def test_a_phone_photo_is_kept_small_upright_and_without_where_it_was_taken(
        tmp_path: Path) -> None:
    path = tmp_path / "card.jpg"
    path.write_bytes(photo(orientation=6))  # held upright: the sensor's pixels lie on their side
    picture = card_picture(path, CardSide.FRONT)
    assert (picture.width, picture.height) == (PICTURE_EDGE * 3024 // 4032, PICTURE_EDGE)
    stored = Image.open(io.BytesIO(picture.jpeg))
    assert stored.format == "JPEG" and stored.size == (picture.width, picture.height)
    assert not stored.getexif(), "EXIF (GPS position, phone) must not be kept"
    assert len(picture.stored) <= PICTURE_MAX_BYTES
    assert len(photo()) > 3 * len(picture.jpeg)


def test_a_photo_of_noise_still_fits_and_a_small_picture_is_not_enlarged(tmp_path: Path) -> None:
    noise = Image.frombytes("RGB", (3000, 2000), random.Random(7).randbytes(3000 * 2000 * 3))
    picture = card_picture(noise, CardSide.BACK)
    assert len(picture.stored) <= PICTURE_MAX_BYTES and picture.side is CardSide.BACK
    small = card_picture(photo(600, 340), CardSide.FRONT)
    assert (small.width, small.height) == (600, 340)


def test_a_file_that_is_not_a_picture_is_named(tmp_path: Path) -> None:
    path = tmp_path / "notes.jpg"
    path.write_text("not a picture")
    with pytest.raises(ImageUnreadableError, match="notes.jpg"):
        card_picture(path, CardSide.FRONT)


def _capture(services: Services, event_id: Any, *sides: bytes, **values: str) -> Any:
    pictures = card_pictures(*sides)
    return services.booth.capture(event_id, {"first_name": "Anna", "last_name": "Schäfer",
                                             "email": "anna@brightline.example", **values},
                                  pictures=pictures).lead


def test_a_capture_keeps_both_sides_and_a_new_reading_replaces_a_side(
        services: Services) -> None:
    event = services.events.add("Hannover Messe 2026", country="DE")
    lead = _capture(services, event.id, photo(), photo(colour=(10, 10, 10)))
    stored = services.card_pictures.pictures_of(lead.id)
    assert [p.side for p in stored] == [CardSide.FRONT, CardSide.BACK]
    assert all(Image.open(io.BytesIO(p.jpeg)).size == (p.width, p.height) for p in stored)
    form = {"first_name": "Anna", "email": "anna@brightline.example", "title": "Leiterin"}
    again = services.booth.capture(event.id, form, lead_id=lead.id,
                                   pictures=card_pictures(photo(800, 500)))
    after = services.card_pictures.pictures_of(again.lead.id)
    assert [(p.side, p.width) for p in after] == [(CardSide.FRONT, 800), (CardSide.BACK, PICTURE_EDGE)]
    plain = services.booth.capture(event.id, {"first_name": "Ben", "email": "ben@example.com"})
    assert services.card_pictures.pictures_of(plain.lead.id) == []


def test_a_merge_brings_the_card_along_and_undo_takes_it_back(services: Services) -> None:
    event = services.events.add("Hannover Messe 2026", country="DE")
    carded = _capture(services, event.id, photo())
    typed = services.leads.create({"first_name": "Anna", "last_name": "Schäfer",
                                   "email": "anna.s@brightline.example"})
    services.merges.merge(typed.id, carded.id)
    assert [p.side for p in services.card_pictures.pictures_of(typed.id)] == [CardSide.FRONT]
    assert services.card_pictures.pictures_of(carded.id) == []
    services.merges.undo(carded.id)
    assert services.card_pictures.pictures_of(typed.id) == []
    assert len(services.card_pictures.pictures_of(carded.id)) == 1


def test_an_erasure_removes_the_card_and_the_access_export_includes_it(
        services: Services) -> None:
    event = services.events.add("Hannover Messe 2026", country="DE")
    lead = _capture(services, event.id, photo())
    stored = card_pictures(photo())[0].stored
    exported = services.erasure.export_person(lead.id)["tables"]["card_picture"]
    assert [row["side"] for row in exported] == ["front"] and exported[0]["data"] == stored
    services.erasure.erase(lead.id, reason="asked in writing")
    assert services.card_pictures.pictures_of(lead.id) == []
    with services.context.db.read() as session:
        rows = list(session.scalars(select(CardPictureRow)))
    assert [(row.data, row.deleted_at is not None) for row in rows] == [("", True)]


def test_the_card_reaches_the_other_laptop_and_its_erasure_too(
        laptops: tuple[Laptop, Laptop], folder: Path) -> None:
    a, b = laptops
    event = a.services.events.add("Hannover Messe 2026", country="DE")
    lead = _capture(a.services, event.id, photo(), photo(1200, 700))
    converge(folder, a, b)
    seen = b.services.card_pictures.pictures_of(lead.id)
    assert [(p.side, p.width) for p in seen] == [(CardSide.FRONT, PICTURE_EDGE),
                                                 (CardSide.BACK, 1200)]
    assert seen[0].jpeg == a.services.card_pictures.pictures_of(lead.id)[0].jpeg
    stored = card_pictures(photo())[0].stored
    a.services.erasure.erase(lead.id, reason="asked in writing")
    converge(folder, a, b)
    assert b.services.card_pictures.pictures_of(lead.id) == []
    for laptop in (a, b):
        laptop.db.dispose()
        connection = sqlite3.connect(laptop.path)
        try:
            raw = connection.execute("SELECT group_concat(data, '') FROM card_picture").fetchone()
            assert not raw[0], "the picture stayed in the table"
        finally:
            connection.close()
        data = laptop.path.read_bytes()
        assert stored[1000:1100].encode() not in data, "the picture stayed in the file (sync log)"


def test_a_merge_on_one_laptop_moves_the_card_on_the_other(
        laptops: tuple[Laptop, Laptop], folder: Path) -> None:
    a, b = laptops
    event = a.services.events.add("Hannover Messe 2026", country="DE")
    carded = _capture(a.services, event.id, photo())
    typed = a.services.leads.create({"first_name": "Anna", "last_name": "Schäfer",
                                     "email": "anna.s@brightline.example"})
    converge(folder, a, b)
    a.services.merges.merge(typed.id, carded.id)
    converge(folder, a, b)
    assert len(b.services.card_pictures.pictures_of(typed.id)) == 1
    assert b.services.card_pictures.pictures_of(carded.id) == []


def test_a_draft_keeps_its_card_and_an_older_draft_without_one_still_opens() -> None:
    import datetime as dt
    import uuid

    from app.domain.booth_capture import (
        BoothDraft,
        CaptureForm,
        CardOnForm,
        draft_from_json,
        draft_to_json,
    )

    pictures = card_pictures(photo(900, 500))
    form = CaptureForm(None, {"first_name": "Anna"},
                       card=CardOnForm("anna.jpg", {"first_name": 0.8}, pictures))
    draft = BoothDraft(uuid.UUID(int=1), form, dt.datetime(2026, 11, 20, tzinfo=dt.UTC))
    stored = json.loads(json.dumps(draft_to_json(draft)))
    assert draft_from_json(stored) == draft
    older = {k: v for k, v in stored.items() if k != "card"}
    assert draft_from_json(older).form.card is None
    stored["card"]["pictures"][0]["jpeg"] = "not base64!"
    assert draft_from_json(stored).form.card == CardOnForm("anna.jpg", {"first_name": 0.8}, ())
