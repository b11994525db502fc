"""Badge codes in images: generated with zxing-cpp's writer, spoiled (rotated, blurred, low
contrast), decoded, and sent through the scanner's own capture path into leads."""

from __future__ import annotations

import io
import json
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageFilter

from app.bootstrap import main
from app.services.container import Services
from app.services.image_decoding import CaptureUnavailableError, ImageUnreadableError, decode_image

zxingcpp = pytest.importorskip("zxingcpp")
np = pytest.importorskip("numpy")

VCARD = ("BEGIN:VCARD\r\nVERSION:3.0\r\nN:Müller;Anna\r\nFN:Anna Müller\r\n"
         "ORG:Brightline Analytics GmbH\r\nEMAIL:anna.mueller@brightline.de\r\n"
         "TEL;TYPE=CELL:+49 171 2345678\r\nEND:VCARD\r\n")
MECARD = "MECARD:N:Dubois,Camille;EMAIL:camille@lumiere.fr;ORG:Lumière SAS;;"
BADGE_ID = "000123"


def code_image(payload: str, symbology: str, scale: int = 4) -> Image.Image:
    barcode = zxingcpp.create_barcode(payload, getattr(zxingcpp.BarcodeFormat, symbology))
    return Image.fromarray(np.asarray(barcode.to_image(scale=scale)))


def on_photo(code: Image.Image, *, angle: float = 0, blur: float = 0,
             contrast: tuple[int, int] = (0, 255)) -> Image.Image:
    """The code on a larger grey page, turned, blurred and washed out like a poor photo."""
    page = Image.new("L", (code.width + 200, code.height + 200), 255)
    page.paste(code, (100, 100))
    if angle:
        page = page.rotate(angle, expand=True, fillcolor=255, resample=Image.Resampling.BICUBIC)
    if blur:
        page = page.filter(ImageFilter.GaussianBlur(blur))
    low, high = contrast
    return page.point(lambda v: low + v * (high - low) // 255)


@pytest.mark.parametrize(("symbology", "payload"), [
    ("QRCode", VCARD), ("QRCode", MECARD), ("PDF417", VCARD), ("PDF417", "Anna^Müller^2427"),
    ("DataMatrix", MECARD), ("Aztec", VCARD), ("Code128", BADGE_ID), ("Code39Std", BADGE_ID)])
def test_every_badge_symbology_decodes_to_exactly_its_payload(symbology: str,
                                                              payload: str) -> None:
    decoded = decode_image(on_photo(code_image(payload, symbology)))
    assert [d.text for d in decoded] == [payload]


@pytest.mark.parametrize("spoil", [dict(angle=23), dict(angle=90), dict(angle=180),
                                   dict(blur=1.2), dict(contrast=(110, 160)),
                                   dict(angle=11, blur=0.8, contrast=(90, 170))])
def test_poor_photos_of_a_qr_and_a_pdf417_badge_still_decode(spoil: dict[str, Any]) -> None:
    for symbology in ("QRCode", "PDF417"):
        decoded = decode_image(on_photo(code_image(VCARD, symbology), **spoil))
        assert [d.text for d in decoded] == [VCARD], symbology


def test_files_and_bytes_decode_and_other_files_say_why_not(tmp_path: Path) -> None:
    path = tmp_path / "badge.jpg"
    on_photo(code_image(MECARD, "QRCode")).convert("RGB").save(path, quality=85)
    assert [d.text for d in decode_image(path)] == [MECARD]
    assert [d.text for d in decode_image(path.read_bytes())] == [MECARD]
    assert decode_image(Image.new("L", (300, 300), 255)) == []
    clear = tmp_path / "screenshot.png"  # black modules on a transparent background
    code = code_image(BADGE_ID, "Code128")
    black = Image.new("L", code.size, 0)
    Image.merge("LA", (black, code.point(lambda v: 255 - v))).save(clear)
    assert [d.text for d in decode_image(clear)] == [BADGE_ID]
    (tmp_path / "notes.png").write_text("not a picture")
    with pytest.raises(ImageUnreadableError, match="notes.png"):
        decode_image(tmp_path / "notes.png")


def test_without_zxing_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "zxingcpp", None)
    with pytest.raises(CaptureUnavailableError, match=r"pip install 'leadline\[camera\]'"):
        decode_image(Image.new("L", (10, 10), 255))


def test_decoded_payloads_become_leads_as_scans_do(services: Services) -> None:
    event_id: uuid.UUID = services.events.add("Hannover Messe 2026", country="DE").id
    results = {}
    for name, image in (("vcard", on_photo(code_image(VCARD, "QRCode"), angle=20)),
                        ("mecard", on_photo(code_image(MECARD, "PDF417"), blur=1.0)),
                        ("id", on_photo(code_image(BADGE_ID, "Code128")))):
        (payload,) = decode_image(image)
        results[name] = services.booth.scan(event_id, payload.text)
    reading, capture = results["vcard"]
    assert reading.format == "vcard" and capture is not None and capture.created
    assert (capture.lead.last_name, capture.lead.email) == ("Müller", "anna.mueller@brightline.de")
    assert results["mecard"][1] is not None and results["mecard"][1].lead.first_name == "Camille"
    assert results["id"][1] is not None and results["id"][1].lead.badge_id == BADGE_ID
    # The same badge photographed again is the scanner's duplicate: matched, not a second lead.
    (again,) = decode_image(on_photo(code_image(VCARD, "QRCode"), angle=-5))
    reading, capture = services.booth.scan(event_id, again.text)
    assert reading.status == "existing" and capture is None
    outcomes = [entry.outcome for entry in services.booth.scan_log(event_id)]
    assert outcomes.count("created") == 3 and outcomes.count("matched") == 1


def _json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_scan_image_command(tmp_path: Path, db_path: Path, capsys: Any,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    db = ["--db", str(db_path)]
    assert main([*db, "events", "add", "Expo", "--country", "DE"]) == 0
    badge, blank = tmp_path / "badge.png", tmp_path / "blank.png"
    on_photo(code_image(VCARD, "QRCode"), angle=30).save(badge)
    Image.new("L", (200, 200), 255).save(blank)
    capsys.readouterr()
    assert main([*db, "scan-image", str(badge), "--event", "Expo", "--dry-run"]) == 0
    (dry,) = _json_lines(capsys.readouterr().out)
    assert dry["codes"][0]["status"] == "read"
    assert dry["codes"][0]["fields"]["last_name"] == "Müller"
    code = main([*db, "scan-image", str(badge), str(blank), str(badge), "--event", "Expo"])
    captured = capsys.readouterr()
    first, empty, second = _json_lines(captured.out)
    assert code == 2 and "blank.png: no badge code found" in captured.err
    assert first["codes"][0]["status"] == "created"
    assert first["codes"][0]["lead"]["last_name"] == "Müller"
    assert empty["codes"] == [] and second["codes"][0]["status"] == "matched"


def test_commands_without_their_extra_name_it(tmp_path: Path, db_path: Path, capsys: Any,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    db = ["--db", str(db_path)]
    assert main([*db, "events", "add", "Expo", "--country", "DE"]) == 0
    monkeypatch.setitem(sys.modules, "rapidocr", None)
    monkeypatch.setitem(sys.modules, "zxingcpp", None)
    capsys.readouterr()
    assert main([*db, "card", str(tmp_path / "card.png"), "--event", "Expo"]) == 1
    assert "pip install 'leadline[ocr]'" in capsys.readouterr().err
    assert main([*db, "scan-image", str(tmp_path / "badge.png"), "--event", "Expo"]) == 1
    assert "pip install 'leadline[camera]'" in capsys.readouterr().err


def test_a_badge_photo_with_two_codes_is_one_visitor_on_the_command_line(
        tmp_path: Path, db_path: Path, capsys: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    db = ["--db", str(db_path)]
    assert main([*db, "events", "add", "Expo", "--country", "DE"]) == 0
    page = Image.new("L", (1400, 700), 255)
    page.paste(code_image(VCARD, "QRCode"), (0, 0))
    page.paste(code_image(BADGE_ID, "Code128"), (760, 200))
    photo = tmp_path / "badge-front.png"
    page.save(photo)
    capsys.readouterr()
    assert main([*db, "scan-image", str(photo), "--event", "Expo"]) == 0
    (result,) = _json_lines(capsys.readouterr().out)
    statuses = sorted(code["status"] for code in result["codes"])
    assert statuses == ["created", "not used"], "the QR code's details, not a second visitor"
    (used,) = [code for code in result["codes"] if code["status"] == "created"]
    assert used["lead"]["last_name"] == "Müller"
