"""DoCoMo MECARD ("MECARD:N:Doe,Jane;EMAIL:jane@example.org;;") as printed on badges."""

from __future__ import annotations

from .model import INCOMPLETE, BadgeData, ScanRejected
from .text import build, is_usable, split_full_name, split_unescaped, unescape


def _field_pairs(body: str) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for chunk in split_unescaped(body, ";"):
        chunk = chunk.strip("\n\t ")
        if not chunk:
            continue
        head = split_unescaped(chunk, ":")
        if len(head) < 2:
            continue
        key = head[0].strip().upper()
        value = chunk[len(head[0]) + 1:]
        pairs.append((key, value))
    return pairs


def _address(value: str, fields: dict[str, str]) -> None:
    """ADR: PO box, room, house number, city, prefecture, zip, country (comma-separated)."""
    parts = [unescape(p).strip() for p in split_unescaped(value, ",")]
    if len(parts) < 7:
        fields["street"] = ", ".join(p for p in parts if p)
        return
    fields["street"] = ", ".join(p for p in parts[:3] if p)
    fields["city"], fields["region"], fields["postal_code"] = parts[3], parts[4], parts[5]
    fields["country"] = ", ".join(p for p in parts[6:] if p)


def parse_mecard(text: str) -> BadgeData | ScanRejected:
    """Read a payload that starts with ``MECARD:``."""
    body = text[len("MECARD:"):].replace("\n", "")
    if not body.rstrip().endswith(";;"):
        # Cut mid-field: saving the half that arrived would keep a wrong email or phone.
        return ScanRejected("truncated", INCOMPLETE.format(what="MECARD", end="closing ';;'"))
    fields: dict[str, str] = {}
    badge_id = ""
    extra_phones: list[str] = []
    notes: list[str] = []
    for key, value in _field_pairs(body):
        if key == "N":
            name = split_unescaped(value, ",")
            if len(name) >= 2:
                fields["last_name"] = unescape(name[0]).strip()
                fields["first_name"] = unescape(",".join(name[1:])).strip()
            else:
                fields["first_name"], fields["last_name"] = split_full_name(unescape(value))
        elif key == "TEL":
            if "phone" in fields:
                extra_phones.append(unescape(value))
            else:
                fields["phone"] = unescape(value)
        elif key == "EMAIL":
            fields.setdefault("email", unescape(value))
        elif key == "ORG":
            fields.setdefault("company", unescape(value))
        elif key == "TITLE":
            fields.setdefault("title", unescape(value))
        elif key == "URL":
            fields.setdefault("website", unescape(value))
        elif key == "ADR":
            _address(value, fields)
        elif key == "NOTE":
            notes.append(unescape(value))
        elif key in ("UID", "ID", "BADGE", "BADGEID"):
            badge_id = badge_id or unescape(value).strip()
    notes += [f"Other phone: {phone}" for phone in extra_phones]
    fields["notes"] = "\n".join(n for n in notes if n.strip())
    data = build("mecard", badge_id, fields)
    if not is_usable(data):
        return ScanRejected(
            "truncated",
            "This MECARD scan has no name, email, phone, company or badge id: scan the badge "
            "again or type the badge id.",
        )
    return data
