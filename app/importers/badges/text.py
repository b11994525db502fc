"""Shared text helpers: escapes, name splitting, key aliases, mojibake repair, final assembly."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import ftfy

from .model import BADGE_FIELDS, BadgeData

_ID_TEXT = re.compile(r"^[A-Za-z0-9._/\-]{3,64}$")
_QUESTION_IN_WORD = re.compile(r"\w\?\w")


def looks_like_id(text: str) -> bool:
    """Letters, digits and - _ . / only, 3 to 64 characters (badge ids, never numbers)."""
    return bool(_ID_TEXT.match(text))


def split_unescaped(text: str, sep: str) -> list[str]:
    """Split on ``sep`` where it is not preceded by a backslash escape (escapes stay in)."""
    parts: list[str] = []
    current: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            current.append(text[index:index + 2])
            index += 2
            continue
        if char == sep:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    parts.append("".join(current))
    return parts


def unescape(text: str) -> str:
    r"""Undo vCard/MECARD backslash escapes: \\ \; \, \: and \n (a line break)."""
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            nxt = text[index + 1]
            out.append("\n" if nxt in "nN" else nxt)
            index += 2
            continue
        out.append(char)
        index += 1
    return "".join(out)


def split_full_name(name: str) -> tuple[str, str]:
    """'Jane Q. Doe' → ('Jane Q.', 'Doe'); 'Doe, Jane' → ('Jane', 'Doe'); one word is a last name."""
    name = " ".join(name.split())
    if "," in name:
        last, _, first = name.partition(",")
        return first.strip(), last.strip()
    first, _, last = name.rpartition(" ")
    return first, last


# Keys seen in JSON badges and URL query strings, compared lower-case without punctuation.
KEY_ALIASES: dict[str, str] = {}
for _field, _keys in {
    "first_name": "firstname first givenname given fname vorname prenom nombre",
    "last_name": "lastname last surname familyname lname nachname nom apellidos",
    "full_name": "name fullname displayname attendeename",
    "email": "email emailaddress mail workemail businessemail",
    "company": "company companyname organization organisation org firma employer societe empresa",
    "title": "title jobtitle position role function jobrole",
    "phone": "phone workphone telephone tel phonenumber businessphone officephone telefon",
    "mobile": "mobile mobilephone cell cellphone mobilenumber handy",
    "website": "website web homepage url",
    "street": "street address address1 addressline1 street1 streetaddress",
    "street2": "address2 addressline2 street2",
    "city": "city town locality ort",
    "region": "state region province county stateprovince",
    "postal_code": "zip zipcode postalcode postcode plz",
    "country": "country countrycode countryname nation",
    "notes": "notes note comment comments",
    "home_phone": "homephone",
}.items():
    for _key in _keys.split():
        KEY_ALIASES[_key] = _field

#: Keys that carry a badge id (compared by canonical_key), best first. Registration and
#: lead-retrieval systems name it after the badge, the attendee, the registration, the ticket
#: or the code itself; single letters are what short links use ("?b=000451").
ID_KEYS: tuple[str, ...] = (
    "badgeid", "badge", "badgenumber", "badgeno", "badgecode", "referenceid", "scanid",
    "barcode", "registrationid", "registrationnumber", "registrationno", "regid", "regno",
    "registrantid", "attendeeid", "attendee", "attendeenumber", "attendeeno", "participantid",
    "participant", "visitorid", "visitor", "personid", "delegateid", "ticketid", "ticket",
    "confirmationnumber", "confirmation", "qr", "qrcode", "uid", "id", "ref", "code", "b",
)


def canonical_key(key: str) -> str:
    """'First_Name', 'first-name', 'firstName' → 'firstname'."""
    return re.sub(r"[^a-z0-9]", "", key.lower())


def _repair(value: str, warnings: list[str]) -> str:
    """Fix UTF-8 read as cp1252 (MÃ¼ller → Müller) with ftfy, noting what changed."""
    fixed = ftfy.fix_encoding(value)
    if fixed != value:
        warnings.append(f"repaired garbled accents ({value} → {fixed})")
    return fixed


def build(
    fmt: str, badge_id: str, fields: Mapping[str, str], warnings: Iterable[str] = ()
) -> BadgeData:
    """Assemble a BadgeData: known fields only, trimmed, non-empty, mojibake repaired."""
    notes = list(warnings)
    clean: dict[str, str] = {}
    for name in BADGE_FIELDS:
        value = fields.get(name, "")
        value = " ".join(value.replace("\x1d", " ").replace("\x1e", " ").split()) \
            if name != "notes" else value.strip()
        if not value:
            continue
        value = _repair(value, notes)
        if "\ufffd" in value or (name not in ("website", "notes") and _QUESTION_IN_WORD.search(value)):
            notes.append(f"some characters were lost in '{value}': check the spelling")
        clean[name] = value
    return BadgeData(format=fmt, badge_id=badge_id.strip(), fields=clean, warnings=tuple(notes))


def is_usable(data: BadgeData) -> bool:
    """A badge worth keeping names someone, or carries an email, phone, company or id."""
    keys = {"first_name", "last_name", "email", "phone", "mobile", "company"}
    return bool(data.badge_id) or any(key in data.fields for key in keys)
