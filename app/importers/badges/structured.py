"""JSON objects and URLs on badges: key aliases to lead fields, badge id from id-like keys."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import unquote, urlsplit

from .model import BadgeData, ScanRejected
from .text import ID_KEYS, KEY_ALIASES, build, canonical_key, looks_like_id, split_full_name

_WRAPPERS = ("attendee", "data", "contact", "person", "lead", "profile", "registrant", "badge")
_ADDRESS_KEYS = ("workaddress", "address", "businessaddress", "homeaddress")
# Keys that also name other things (a ticket type "VIP", a visitor category): their value is a
# badge id only when it looks like one.
_WEAK_ID_KEYS = frozenset({"attendee", "participant", "visitor", "ticket", "confirmation", "qr",
                           "code", "ref", "b"})


def _id_shaped(text: str) -> bool:
    return looks_like_id(text) and (any(c.isdigit() for c in text) or len(text) >= 8)


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
        if text and (key not in _WEAK_ID_KEYS or _id_shaped(text)):
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


# Hosts whose links are never an attendee: app stores and link shorteners of app stores.
_APP_STORES = ("apps.apple.com", "itunes.apple.com", "play.google.com", "appgallery.huawei.com",
               "apps.microsoft.com", "microsoft.com/store", "galaxystore.samsung.com")
# Path words before an id that say the id is a person (…/attendee/A12B34, …/b/SBpax001).
_PERSON_WORDS = frozenset({
    "a", "b", "p", "u", "s", "r", "attendee", "attendees", "badge", "badges", "person", "people",
    "profile", "profiles", "user", "users", "lead", "leads", "scan", "scans", "reg",
    "registration", "registrations", "registrant", "registrants", "visitor", "visitors",
    "participant", "participants", "delegate", "delegates", "contact", "contacts", "vcard",
    "card", "ticket", "tickets", "t", "checkin", "check-in", "member", "members", "id", "qr"})
# Path words that say the link is about something other than a person.
_NOT_PERSON_WORDS = {
    "booth": "a booth page", "booths": "a booth page", "stand": "a booth page",
    "stands": "a booth page", "exhibitor": "an exhibitor page", "exhibitors": "an exhibitor page",
    "aussteller": "an exhibitor page", "exposant": "an exhibitor page",
    "company": "a company page", "companies": "a company page", "product": "a product page",
    "products": "a product page", "session": "a programme page", "sessions": "a programme page",
    "agenda": "a programme page", "programme": "a programme page", "program": "a programme page",
    "event": "an event page", "events": "an event page", "news": "a news page",
    "blog": "a blog page", "download": "a download page", "downloads": "a download page",
    "app": "an app link", "apps": "an app link", "store": "an app link", "hall": "a floor plan",
    "floorplan": "a floor plan", "map": "a floor plan", "jobs": "a job page",
    "careers": "a job page", "promo": "a marketing page", "offer": "a marketing page",
    "landing": "a marketing page", "campaign": "a marketing page",
}
_EMBEDDED_CARDS = ("BEGIN:VCARD", "MECARD:")
_YEAR = re.compile(r"^(19|20)\d\d$")


def _query_pairs(query: str) -> dict[str, str]:
    """Key/value pairs, percent-decoded; a raw '+' before digits stays a '+' (+49…), not a space."""
    pairs: dict[str, str] = {}
    for part in query.split("&"):
        key, eq, value = part.partition("=")
        if not eq or not value:
            continue
        keep_plus = value.startswith("+") and value[1:2].isdigit()
        decoded = unquote(value.replace("+", " ") if not keep_plus else value)
        pairs.setdefault(unquote(key.replace("+", " ")), decoded)
    return pairs


def _path_id(segments: list[str]) -> tuple[str, str]:
    """(badge id, '') from the path, or ('', what the path is when it names no person)."""
    for index in range(len(segments) - 1, -1, -1):
        segment = segments[index]
        word = segment.lower()
        if word in _NOT_PERSON_WORDS:
            return "", _NOT_PERSON_WORDS[word]
        if not (looks_like_id(segment) and (any(c.isdigit() for c in segment) or len(segment) >= 12)):
            continue
        before = segments[index - 1].lower() if index else ""
        if before in _NOT_PERSON_WORDS:
            return "", _NOT_PERSON_WORDS[before]
        # /SBpax001 alone, or after a language folder (/de/000451), is a short badge link;
        # a bare year (/2026) is the show's own page.
        short_link = index == 0 or (index == 1 and len(before) == 2)
        if before in _PERSON_WORDS or (short_link and not _YEAR.match(segment)):
            return segment, ""
    return "", ""


def _embedded_card(values: dict[str, str]) -> str:
    for value in values.values():
        if value.lstrip().upper().startswith(_EMBEDDED_CARDS):
            return value.strip()
    return ""


def parse_url(text: str, read_card: Callable[[str], BadgeData | ScanRejected]) -> BadgeData | ScanRejected:
    """Read an http(s)/URLTO:/mailto: payload: an attendee in the query, the path or an embedded
    vCard/MECARD; a link without an attendee (booth, marketing, app store) is refused.

    ``read_card`` reads the embedded card: the caller's scan reader, so it is read like a scanned
    card without this module importing the reader that imports it.
    """
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
    host = parts.netloc.lower()
    where = f"{host}{parts.path}".lower()
    if any(where.startswith(store) or host.endswith("." + store) for store in _APP_STORES):
        return _no_attendee(host, "an app-store link")
    query = _query_pairs(parts.query)
    query.update(_query_pairs(parts.fragment.partition("?")[2]))
    card = _embedded_card(query)
    if card:
        return read_card(card)
    badge_id, fields = _collect(query)
    what = ""
    if not badge_id:
        segments = [unquote(s) for s in (parts.path + "/" + parts.fragment.partition("?")[0])
                    .split("/") if s and s != "#"]
        badge_id, what = _path_id(segments)
    data = build("url", badge_id, fields)
    if not (data.badge_id or data.fields):
        return _no_attendee(host, what or "a web page link")
    return data


def _no_attendee(host: str, what: str) -> ScanRejected:
    return ScanRejected(
        "not_a_badge",
        f"This scan is {what} ({host}) with no attendee in it, not a badge: scan the "
        "attendee's badge or type the badge id.",
    )
