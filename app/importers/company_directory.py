"""Read a company directory file (domain, company, industry, size, country) for enrichment."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from app.domain.contact_data import normalise_country
from app.domain.enrichment import DirectoryRow
from app.domain.errors import LeadlineError

_ALIASES = {
    "domain": ("domain", "email domain", "website", "url", "web", "homepage", "domäne"),
    "company": ("company", "company name", "name", "organisation", "organization", "firma",
                "société", "empresa"),
    "industry": ("industry", "branche", "sector", "secteur", "sector industrial"),
    "company_size": ("size", "company size", "employees", "mitarbeiter", "headcount",
                     "taille", "tamaño"),
    "country": ("country", "land", "pays", "país", "country code"),
}
_LOOKUP = {alias: field for field, aliases in _ALIASES.items() for alias in aliases}


def domain_of(text: str) -> str:
    """'https://www.Acme.de/about' or 'info@acme.de' or 'acme.de' → 'acme.de'."""
    value = text.strip().lower()
    value = value.rpartition("@")[2] if "@" in value else value
    value = value.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return value.removeprefix("www.")


def read_directory(path: Path) -> tuple[list[DirectoryRow], list[str]]:
    """Rows with a usable domain, and 'row N: why' for the others."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LeadlineError(f"Cannot read {path}: {exc.strerror}") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    sample = text[:10_000]
    delimiter = max(",;\t|", key=sample.count)
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if not rows:
        raise LeadlineError(f"{path.name} is empty")
    columns = {_LOOKUP[h.strip().lower()]: i for i, h in enumerate(rows[0])
               if h.strip().lower() in _LOOKUP}
    if "domain" not in columns:
        raise LeadlineError(f"{path.name}: no domain column (name one 'Domain' or 'Website')")
    found, problems = [], []
    for number, row in enumerate(rows[1:], start=2):
        cell = {f: row[i].strip() for f, i in columns.items() if i < len(row)}
        domain = domain_of(cell.get("domain", ""))
        if not domain or "." not in domain:
            if any(cell.values()):
                problems.append(f"row {number}: no domain")
            continue
        try:
            country = normalise_country(cell.get("country", ""))
        except ValueError as exc:
            problems.append(f"row {number}: {exc}")
            country = ""
        found.append(DirectoryRow(domain, cell.get("company", ""), cell.get("industry", ""),
                                  cell.get("company_size", ""), country))
    return found, problems
