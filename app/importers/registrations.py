"""Read an event's registration export (badge id → person) from CSV or TSV, keeping ids as text.

Handles what organisers' exports look like (BADGE-FORMATS.md §3): a BOM, Windows-1252 text,
semicolon/tab/pipe delimiters, title rows above the header, header names in several languages.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.domain.contact_data import parse_date
from app.domain.errors import LeadlineError

_ALIASES: dict[str, tuple[str, ...]] = {
    "badge_id": ("badge id", "badgeid", "badge", "badge number", "badge #", "reference id",
                 "referenceid", "barcode", "barcode #", "scan id", "scan_id", "registration id",
                 "attendee id", "id"),
    "first_name": ("first name", "firstname", "first_name", "vorname", "prénom", "prenom",
                   "nombre", "given name"),
    "last_name": ("last name", "lastname", "last_name", "surname", "nachname", "nom",
                  "apellidos", "apellido", "family name"),
    "title": ("title", "job title", "jobtitle", "position", "fonction", "cargo"),
    "company": ("company", "company name", "organization", "organisation", "firma",
                "société", "societe", "empresa"),
    "email": ("email", "e-mail", "email address", "e-mail address", "adresse e-mail",
              "correo electrónico", "correo"),
    "phone": ("phone", "work phone", "workphone", "telefon", "téléphone", "telephone",
              "teléfono", "phone number"),
    "mobile": ("mobile", "cell phone", "mobilephone", "mobile phone", "mobil", "móvil", "handy"),
    "street": ("street", "address", "address 1", "address1", "address line 1", "street address",
               "straße", "strasse", "adresse", "rue", "dirección", "direccion", "calle"),
    "postal_code": ("postal code", "postcode", "post code", "zip", "zip code", "zipcode", "plz",
                    "postleitzahl", "code postal", "código postal", "codigo postal", "cp"),
    "city": ("city", "stadt", "ort", "ville", "ciudad", "town"),
    "region": ("state", "region", "province", "county", "state/province", "bundesland",
               "département", "departement", "provincia", "comunidad"),
    "birth_date": ("date of birth", "birth date", "birthdate", "birthday", "dob",
                   "geburtsdatum", "date de naissance", "fecha de nacimiento"),
    "country": ("country", "land", "pays", "país", "pais", "country code", "country/region"),
}
_LOOKUP = {alias: name for name, aliases in _ALIASES.items() for alias in aliases}


@dataclass(frozen=True)
class RegistrationRow:
    badge_id: str
    fields: dict[str, Any]  # text per lead field; birth_date a date


@dataclass
class RegistrationFile:
    rows: list[RegistrationRow] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "row 7: no badge id"
    columns: dict[str, str] = field(default_factory=dict)  # our field → header found


class RegistrationFileError(LeadlineError):
    """The file cannot be read as a registration list; the message says why."""


def read_registration_file(path: Path) -> RegistrationFile:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RegistrationFileError(f"Cannot read {path}: {exc.strerror}") from exc
    text = _decode(data)
    delimiter = _delimiter(text)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    header_index, mapping = _find_header(rows)
    result = RegistrationFile(columns={name: rows[header_index][i] for name, i in mapping.items()})
    for number, row in _data_rows(rows, header_index):
        values = {name: row[i].strip() for name, i in mapping.items() if i < len(row)}
        badge_id = values.pop("badge_id", "").strip().strip('"').lstrip("'")
        if not badge_id:
            if any(values.values()):
                result.skipped.append(f"row {number}: no badge id")
            continue
        person: dict[str, Any] = {k: v for k, v in values.items() if v}
        if "birth_date" in person:
            try:
                person["birth_date"] = parse_date(person["birth_date"])
            except ValueError as exc:
                result.skipped.append(f"row {number}: date of birth not read ({exc}); the rest "
                                      "was imported")
                del person["birth_date"]
        result.rows.append(RegistrationRow(badge_id, person))
    return result


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _delimiter(text: str) -> str:
    sample = text[:20_000]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in ",;\t|"}
        return max(counts, key=lambda d: counts[d])


def _find_header(rows: list[list[str]]) -> tuple[int, dict[str, int]]:
    """The first of the top rows that names a badge id column and at least one person field."""
    for index, row in enumerate(rows[:30]):
        mapping: dict[str, int] = {}
        for column, header in enumerate(row):
            name = _LOOKUP.get(header.strip().strip("\ufeff").lower())
            if name and name not in mapping:
                mapping[name] = column
        if "badge_id" in mapping and len(mapping) >= 2:
            return index, mapping
    raise RegistrationFileError(
        "No header row with a badge id column was found in the first 30 rows. Name the "
        "column 'Badge ID', 'Reference ID' or 'Barcode' and try again.")


def _data_rows(rows: list[list[str]], header_index: int) -> Iterator[tuple[int, list[str]]]:
    header = [h.strip().lower() for h in rows[header_index]]
    for offset, row in enumerate(rows[header_index + 1:], start=header_index + 2):
        if not any(cell.strip() for cell in row):
            continue
        if [c.strip().lower() for c in row] == header:
            continue  # header repeated after a page break
        yield offset, row
