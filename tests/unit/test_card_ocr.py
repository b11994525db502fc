"""Business cards end to end: drawn with Qt, read by RapidOCR, turned into fields and a lead.

Three cards only (about a second each); tests/benchmarks/bench_cards.py measures accuracy.
Skipped when the ``ocr`` extra is not installed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.bootstrap import main
from app.domain.card_text import fold
from app.services.card_reading import CardReader
from tests.card_rendering import Card, e164, render_card

pytest.importorskip("rapidocr")
pytest.importorskip("onnxruntime")

GERMAN = Card({"first_name": "Anna", "last_name": "Schäfer", "title": "Leiter Vertrieb",
               "company": "Brightline Analytics GmbH",
               "email": "anna.schaefer@brightline-analytics.de",
               "website": "www.brightline-analytics.de", "street": "Friedrichstraße 123",
               "postal_code": "10117", "city": "Berlin", "country": "DE",
               "phone": "+49301234567", "mobile": "+491712345678"},
              layout="stacked", phone_text="030 1234567", mobile_text="0171 2345678")
FRENCH = Card({"first_name": "Julien", "last_name": "Moreau", "title": "Directeur commercial",
               "company": "Vectis Industrie SA", "email": "julien.moreau@vectis-industrie.fr",
               "website": "www.vectis-industrie.fr", "street": "8 boulevard Haussmann",
               "postal_code": "75002", "city": "Paris", "country": "FR",
               "phone": "+33142685300"},
              layout="two_column", font="DejaVu Serif", labels=("Tél.", "Portable"),
              phone_text="01 42 68 53 00", country_line="France")


@pytest.fixture(scope="module")
def reader() -> CardReader:
    return CardReader()  # the models load once for the module


def test_a_german_card_reads_into_its_fields(qapp: Any, reader: CardReader) -> None:
    reading = reader.read_card(render_card(GERMAN), region="DE")
    got = reading.fields.values()
    for name, want in GERMAN.expected.items():
        have = e164(got.get(name, ""), "DE") if name in ("phone", "mobile") else got.get(name)
        assert have == want, name
    assert reading.seconds < 10


def test_card_command_prints_fields_and_creates_a_lead_for_review(
        qapp: Any, tmp_path: Path, db_path: Path, capsys: Any) -> None:
    card = tmp_path / "julien.png"
    card.write_bytes(render_card(FRENCH))
    db = ["--db", str(db_path)]
    assert main([*db, "events", "add", "Hannover Messe 2026", "--country", "DE"]) == 0
    capsys.readouterr()
    assert main([*db, "card", str(card), "--event", "Hannover Messe 2026", "--dry-run"]) == 0
    dry = json.loads(capsys.readouterr().out)
    assert dry["status"] == "read" and "lead" not in dry
    fields = {name: guess["value"] for name, guess in dry["fields"].items()}
    assert fields["email"] == "julien.moreau@vectis-industrie.fr"
    assert e164(fields["phone"], "FR") == "+33142685300"  # French, though the show is German
    assert fold(fields["title"]) == fold("Directeur commercial")
    assert all(0 < guess["confidence"] <= 1 for guess in dry["fields"].values())

    assert main([*db, "card", str(card), "--event", "Hannover Messe 2026"]) == 0
    saved = json.loads(capsys.readouterr().out)
    lead = saved["lead"]
    assert saved["status"] == "created"
    assert (lead["last_name"], lead["city"], lead["country"]) == ("Moreau", "Paris", "FR")
    assert lead["needs_review"] is True and "business card" in lead["review_reason"]
    assert "julien.png" in lead["notes"]
    assert [p["side"] for p in saved["pictures"]] == ["front"]  # the card kept with the lead
    assert saved["pictures"][0]["bytes"] > 1000


def test_card_command_names_each_file_it_cannot_read(tmp_path: Path, db_path: Path,
                                                     capsys: Any) -> None:
    db = ["--db", str(db_path)]
    assert main([*db, "events", "add", "Expo", "--country", "DE"]) == 0
    (tmp_path / "notes.jpg").write_text("not a picture")
    capsys.readouterr()
    code = main([*db, "card", str(tmp_path / "notes.jpg"), str(tmp_path / "gone.png"),
                 "--event", "Expo"])
    captured = capsys.readouterr()
    assert code == 2
    assert "notes.jpg: not an image" in captured.err and "gone.png: no such file" in captured.err
    assert [json.loads(line)["status"] for line in captured.out.splitlines()] == ["error"] * 2
