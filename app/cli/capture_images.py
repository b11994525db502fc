"""``scan-image`` and ``card`` commands: badge codes and business cards read from image files.

Each prints one JSON object per file, as it goes. Badge payloads take exactly the path of a
keyboard-wedge scan (``BoothService.scan``: same formats, duplicates, registration lookup and
scan log); card fields are saved like a booth capture, flagged for review since OCR guessed them.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.domain.errors import LeadlineError, ValidationError
from app.domain.review import ReviewCode, ReviewReason, store_reasons
from app.domain.serialise import lead_to_dict
from app.importers.badges import DelimitedLayout, ScanRejected, parse_scan

if TYPE_CHECKING:
    from PIL import Image

    from app.cli.context import CliContext, CommandTree
    from app.domain.card_fields import CardFields
    from app.domain.events import EventRecord

EXIT_OK, EXIT_BAD_FILES = 0, 2
CARD_REVIEW = ReviewReason(ReviewCode.NOTE, "read from a business card by OCR: check the fields")


def register(tree: CommandTree) -> None:
    scan = tree.add("scan-image", help="capture leads from badge codes in image files",
                    description="Decodes QR, PDF417, Data Matrix, Aztec, Code 128 and Code 39 "
                                "badges in photos or screenshots and captures each like a "
                                "scanner scan: one visitor a file, from the code holding the "
                                "most (a badge's QR code rather than its id barcode; the others "
                                "are listed as not used). Prints one JSON object per file. Exit "
                                "code 0 when every file had a code, 2 otherwise.",
                    epilog='example:\n  %(prog)s badge1.png badge2.jpg --event "Hannover '
                           'Messe 2026"',
                    handler=scan_images)
    card = tree.add("card", help="capture leads from photos of business cards (offline OCR)",
                    description="Reads each card offline and guesses its fields (each with a "
                                "confidence); the leads are flagged for review. Prints one "
                                "JSON object per file.",
                    epilog='example:\n  %(prog)s card.jpg --event "Hannover Messe 2026" '
                           "--dry-run",
                    handler=read_cards)
    for parser in (scan, card):
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE", help="image file")
        parser.add_argument("--event", required=True, metavar="NAME",
                            help="the event the visitors came to")
        parser.add_argument("--dry-run", action="store_true",
                            help="print what was read without saving leads or scan-log lines")


def scan_images(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.services.image_decoding import ImageUnreadableError, decode_image, zxing

    zxing()  # CaptureUnavailableError before any file, naming the extra to install
    event = ctx.services.events.by_name(args.event)
    code = EXIT_OK
    for path in args.files:
        result: dict[str, Any] = {"file": str(path), "status": "read"}
        try:
            found = decode_image(_existing(path))
        except (ImageUnreadableError, FileNotFoundError) as error:
            found, result["error"] = [], str(error)
        if not found:
            result.update(status="error")
            result.setdefault("error", f"{path.name}: no badge code found in the image")
            ctx.out.notice(f"error: {result['error']}")
            code = EXIT_BAD_FILES
        # One photo is one visitor: a badge often carries a QR code with the details and a
        # barcode with only its id, so the code with the most in it is scanned, the rest listed.
        richest = max(found, key=lambda decoded: len(decoded.text), default=None)
        result["codes"] = [{"symbology": decoded.format, "payload": decoded.text,
                            **(_scanned(ctx, event, decoded.text, args.dry_run)
                               if decoded is richest else {"status": "not used"})}
                           for decoded in found]
        _emit(result)
    return code


def _existing(path: Path) -> Path:
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    return path


def _scanned(ctx: CliContext, event: EventRecord, payload: str, dry_run: bool
             ) -> dict[str, Any]:
    if dry_run:  # the scanner's parser alone: nothing looked up, nothing written
        try:
            layout = DelimitedLayout.parse(event.badge_layout) if event.badge_layout else None
        except ValueError:
            layout = None
        parsed = parse_scan(payload, layout=layout)
        if isinstance(parsed, ScanRejected):
            return {"status": "rejected", "reason": parsed.reason}
        return {"status": "read", "format": parsed.format, "badge_id": parsed.badge_id,
                "fields": dict(parsed.fields), "warnings": list(parsed.warnings)}
    try:
        reading, capture = ctx.services.booth.scan(event.id, payload)
    except ValidationError as error:
        return {"status": "rejected", "reason": str(error),
                "fields": {e.field: e.message for e in error.errors}}
    except LeadlineError as error:
        return {"status": "error", "reason": str(error)}
    result: dict[str, Any] = {"status": reading.status, "format": reading.format,
                              "badge_id": reading.badge_id, "reason": reading.reason,
                              "warnings": list(reading.warnings),
                              "registered": reading.registered}
    if capture is not None:
        result["status"] = "created" if capture.created else "updated"
    elif reading.status == "existing":
        result["status"] = "matched"
    lead = capture.lead if capture else reading.lead
    result["lead"] = lead_to_dict(lead) if lead else None
    return result


def read_cards(args: argparse.Namespace, ctx: CliContext) -> int:
    from app.services.card_reading import CardReader, rapidocr_engine
    from app.services.image_decoding import ImageUnreadableError, open_image

    rapidocr_engine()  # CaptureUnavailableError before any file, naming the extra to install
    reader = CardReader()
    event = ctx.services.events.by_name(args.event)
    region = event.country or ctx.services.context.default_country
    code = EXIT_OK
    for path in args.files:
        result: dict[str, Any] = {"file": str(path)}
        try:
            image = open_image(_existing(path))  # decoded once: read, then kept with the lead
            reading = reader.read_card(image, region)
        except (ImageUnreadableError, FileNotFoundError) as error:
            result.update(status="error", error=str(error))
            ctx.out.notice(f"error: {error}")
            code = EXIT_BAD_FILES
            _emit(result)
            continue
        guesses = reading.fields.guesses
        result.update(status="read", seconds=round(reading.seconds, 2),
                      fields={name: {"value": g.value, "confidence": g.confidence}
                              for name, g in guesses.items()},
                      unused_lines=list(reading.fields.unused))
        if not guesses:
            result.update(status="error", error=f"{path.name}: no text found on the card")
            ctx.out.notice(f"error: {result['error']}")
            code = EXIT_BAD_FILES
        elif not args.dry_run:
            code = max(code, _save_card(ctx, event, path, image, reading.fields, result))
        _emit(result)
    return code


def _save_card(ctx: CliContext, event: EventRecord, path: Path, image: Image.Image,
               fields: CardFields, result: dict[str, Any]) -> int:
    unused = "; ".join(fields.unused)
    values = {**fields.values(), "needs_review": True,
              "review_reason": store_reasons([CARD_REVIEW]),
              "notes": f"Business card {path.name}" + (f". Also on the card: {unused}"
                                                       if unused else "")}
    from app.services.card_pictures import card_pictures

    pictures = card_pictures(image)  # kept with the lead, like the booth's form does
    try:
        capture = ctx.services.booth.capture(event.id, values, pictures=pictures)
    except ValidationError as error:
        result.update(status="rejected", reason=str(error))
        ctx.out.notice(f"error: {path.name}: {error}")
        return EXIT_BAD_FILES
    result.update(status="created" if capture.created else "updated",
                  lead=lead_to_dict(capture.lead),
                  pictures=[{"side": p.side.value, "width": p.width, "height": p.height,
                             "bytes": len(p.jpeg)} for p in pictures])
    return EXIT_OK


def _emit(result: dict[str, Any]) -> None:
    print(json.dumps(result, ensure_ascii=False, default=str), flush=True)
