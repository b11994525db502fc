"""JSON objects and URLs on badges: key aliases to lead fields, badge id from id-like keys."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from .model import BadgeData, ScanRejected
from .text import ID_KEYS, KEY_ALIASES, build, canonical_key, looks_like_id, split_full_name

_WRAPPERS = ("attendee", "data", "contact", "person", "lead", "profile", "registrant", "badge")
_ADDRESS_KEYS = ("workaddress", "address", "businessaddress", "homeaddress")


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float):
        return str(value)
    return ""


def _collect(pairs: Mapping[str, Any]) -> tuple[str, dict[str, str]]:
    """Badge id and lead fields from flat key/value pairs (JSON object or query string)."""
    by_key = {canonical_key(key): value for key, value in pairs.items()}
    badge_id = ""
    for key in ID_KEYS:
        text = _scalar(by_key.get(key)).strip()
        if text:
            badge_id = text
            break
    fields: dict[str, str] = {}
    for key, value in by_key.items():
        target = KEY_ALIASES.get(key)
        text = _scalar(value).strip()
        if target and text and target not in fields:
            fields[target] = text
    for key in _ADDRESS_KEYS:
        nested = by_key.get(key)
        if isinstance(nested, Mapping):
            _, address = _collect(nested)
            for name, text in address.items():
                if name != "street2":  # already joined into the nested street
                    fields.setdefault(name, text)
            break
    if "full_name" in fields and not (fields.get("first_name") or fields.get("last_name")):
        fields["first_name"], fields["last_name"] = split_full_name(fields["full_name"])
    if "street2" in fields:
        fields["street"] = ", ".join(p for p in (fields.get("street", ""), fields["street2"]) if p)
    if "home_phone" in fields:
        fields.setdefault("phone", fields["home_phone"])
    return badge_id, fields


def _unwrap(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    for _ in range(3):
        inner = [obj[k] for k in obj if canonical_key(k) in _WRAPPERS and isinstance(obj[k], Mapping)]
        if len(inner) != 1 or any(canonical_key(k) in KEY_ALIASES for k in obj):
            break
        obj = inner[0]
    return obj


def parse_json(text: str) -> BadgeData | ScanRejected:
    """Read a JSON object payload (numbers are kept as their digits, never converted)."""
    try:
        obj = json.loads(text, strict=False, parse_int=str, parse_float=str)
    except (ValueError, RecursionError):
        if text.count("{") > text.count("}"):
            return ScanRejected(
                "truncated", "This JSON badge scan is cut short: scan the badge again or type the badge id."
            )
        return ScanRejected(
            "unreadable", "This scan looks like JSON but cannot be read: type the badge id instead."
        )
    if not isinstance(obj, Mapping):
        return ScanRejected("not_a_badge", "This scan is JSON but not a badge record: type the badge id.")
    badge_id, fields = _collect(_unwrap(obj))
    data = build("json", badge_id, fields)
    if not (data.badge_id or data.fields):
        return ScanRejected(
            "not_a_badge", "This JSON scan has no contact fields or badge id: type the badge id."
        )
    return data


def parse_url(text: str) -> BadgeData | ScanRejected:
    """Read an http(s)/URLTO:/mailto: payload: id from the query or the last path segment."""
    url = text.strip()
    if url.upper().startswith("URLTO:"):
        url = url[6:].strip()
    if url.lower().startswith("mailto:"):
        address = unquote(url[7:].split("?", 1)[0])
        return build("url", "", {"email": address})
    if "://" not in url:
        url = "https://" + url
    try:
        parts = urlsplit(url)
    except ValueError:
        return ScanRejected("unreadable", "This web link on the badge cannot be read: type the badge id.")
    query = dict(parse_qsl(parts.query, keep_blank_values=False))
    query.update(dict(parse_qsl(parts.fragment.partition("?")[2])))
    badge_id, fields = _collect(query)
    if not badge_id:
        segments = [unquote(s) for s in parts.path.split("/") if s]
        last = segments[-1] if segments else ""
        if looks_like_id(last) and (any(c.isdigit() for c in last) or len(last) >= 12):
            badge_id = last
    data = build("url", badge_id, fields)
    if not (data.badge_id or data.fields):
        return ScanRejected(
            "not_a_badge",
            f"This scan is a web link ({parts.netloc}) without a badge id: type the badge id instead.",
        )
    return data
