"""parse_scan: decide what a scanned payload is and read it (BADGE-FORMATS.md §4 order)."""

from __future__ import annotations

import re

from .delimited import COMMON_SEPARATORS, RegisteredId, parse_by_shape, parse_delimited, run_together
from .framing import preview, strip_framing
from .keyboard import layout_mismatch
from .mecard import parse_mecard
from .model import BadgeData, DelimitedLayout, ScanRejected
from .structured import parse_json, parse_url
from .text import looks_like_id
from .vcard import parse_vcard

_NOT_BADGES: tuple[tuple[str, str], ...] = (
    ("WIFI:", "a Wi-Fi network login"),
    ("BEGIN:VEVENT", "a calendar event"),
    ("BEGIN:VCALENDAR", "a calendar event"),
    ("SMSTO:", "a text message"),
    ("SMS:", "a text message"),
    ("MATMSG:", "an email message"),
    ("GEO:", "a map location"),
    ("BITCOIN:", "a payment request"),
)
#: Longer than any QR code (2,953 bytes) or PDF417 symbol can hold: a paste, not a scan.
MAX_PAYLOAD = 8192
_URL_START = re.compile(r"^(https?://|urlto:|mailto:|www\.)", re.IGNORECASE)


def _ean13_valid(digits: str) -> bool:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits[:12]))
    return (10 - total % 10) % 10 == int(digits[12])


def _product_code(text: str) -> str | None:
    """What kind of product code this is, when it clearly is not a badge."""
    if len(text) == 13 and text.isascii() and text.isdigit() and _ean13_valid(text):
        if text.startswith(("978", "979")):
            return "a book's ISBN barcode"
        if text.startswith("977"):
            return "a magazine's ISSN barcode"
    return None


def _single_copy(text: str) -> str:
    """'ABC123⏎ABC123' (trigger held) → 'ABC123'; anything else unchanged."""
    tokens = text.split()
    if len(tokens) >= 2 and all(token == tokens[0] for token in tokens):
        return tokens[0]
    return text


def _parse(raw: str, layout: DelimitedLayout | None,
           registered: RegisteredId | None = None) -> BadgeData | ScanRejected:
    text = strip_framing(raw)
    if not text.strip():
        return ScanRejected("empty", "The scan was empty: scan the badge again or type the badge id.")
    if len(text) > MAX_PAYLOAD:
        return ScanRejected(
            "unreadable",
            f"This input ({preview(text)}) is {len(text)} characters long, more than a badge code "
            "can hold: scan the badge or type the badge id.",
        )
    mismatch = layout_mismatch(text)
    if mismatch:
        return ScanRejected("keyboard_layout", mismatch)
    upper = text.upper()
    vcard_at = upper.find("BEGIN:VCARD")
    if vcard_at != -1 and not upper[:vcard_at].strip():
        return parse_vcard(text[vcard_at:].lstrip())
    if upper.startswith("MECARD:"):
        return parse_mecard(text)
    for prefix, what in _NOT_BADGES:
        if upper.startswith(prefix):
            return ScanRejected(
                "not_a_badge",
                f"This code is {what}, not a badge: scan the attendee's badge or type the badge id.",
            )
    if text.startswith("{"):
        return parse_json(text)
    if _URL_START.match(text):
        return parse_url(text, parse_scan)
    product = _product_code(text)
    if product:
        return ScanRejected(
            "not_a_badge", f"This is {product} ({text}), not a badge: scan the attendee's badge instead."
        )
    if layout is not None:
        data = parse_delimited(text, layout, registered)
        if data is not None:
            return data
    single = _single_copy(text)
    if looks_like_id(single):
        if registered is not None and not registered(single):
            inside = run_together(single, registered, registered_only=True)
            if inside is not None:
                return inside
        return BadgeData(format="id", badge_id=single)
    shown = preview(text)
    if not any(sep in text for sep in COMMON_SEPARATORS):
        inside = run_together(text, registered, registered_only=True) if registered else None
        if inside is not None:
            return inside
    by_shape = parse_by_shape(text, registered)
    if by_shape is not None:
        return _with_layout_note(by_shape, layout)
    if layout is None and any(sep in text for sep in COMMON_SEPARATORS[:4]):
        return ScanRejected(
            "unreadable",
            f"This scan ({shown}) has fields separated by a symbol but none is a badge id, email "
            "or phone number and no badge layout is set for the event: set the layout, or type "
            "the badge id.",
        )
    if layout is not None and layout.separator in text:
        count = len(text.split(layout.separator))
        return ScanRejected(
            "unreadable",
            f"This scan ({shown}) has {count} fields but the event's badge layout expects "
            f"{len(layout.fields)}: check the layout setting, or type the badge id.",
        )
    if len(single) < 3 and looks_like_id(single + "xx"):
        return ScanRejected(
            "unreadable", f"This scan ({shown}) is too short for a badge id: scan again or type the id."
        )
    return ScanRejected(
        "unreadable",
        f"This scan ({shown}) is not a badge format Leadline knows: type the badge id, or check the "
        "scanner settings.",
    )


def _with_layout_note(data: BadgeData, layout: DelimitedLayout | None) -> BadgeData:
    if layout is None:
        return data
    note = (f"this scan does not fit the event's badge layout ({layout.describe()}): it was "
            "read field by field, check the layout setting")
    return BadgeData(data.format, data.badge_id, data.fields, (*data.warnings, note))


def parse_scan(raw: str, *, layout: DelimitedLayout | None = None,
               registered: RegisteredId | None = None) -> BadgeData | ScanRejected:
    """Read exactly what the scanner typed. Never raises: every string gets a result.

    ``registered`` looks a token up in the event's registration list (the registered id or
    None); with it, delimited payloads without a layout and run-together fields find their id.
    """
    try:
        return _parse(raw, layout, registered)
    except Exception as exc:  # noqa: BLE001 - a scan must never crash the capture screen
        return ScanRejected(
            "unreadable",
            f"This scan could not be read ({type(exc).__name__}): type the badge id instead.",
        )
