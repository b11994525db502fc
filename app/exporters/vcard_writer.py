"""Leads as vCard 3.0 (RFC 2426) contacts, one card per lead, for address books and phones.

The ``vobject`` library writes the cards: it escapes commas, semicolons and backslashes in
text and structured values (N, ORG, ADR), folds long lines and ends them with CRLF, which is
where hand-written vCards usually go wrong. UIDs are the lead ids (``urn:uuid:``), so importing
a newer export into an address book that honours UIDs updates cards instead of doubling them.
vCards are not opened by spreadsheets, so no formula guard applies.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

import vobject

from app.domain.contact_data import country_name
from app.exporters.csv_layouts import Row

PRODID = "-//Leadline//Leadline lead export//EN"


def _display_name(lead: Row) -> str:
    name = f"{lead.get('first_name') or ''} {lead.get('last_name') or ''}".strip()
    return name or lead.get("company") or lead.get("email") or lead.get("badge_id") or "(no name)"


def lead_to_vcard(lead: Row) -> Any:
    """One lead as a vobject vCard component."""
    card = vobject.vCard()
    card.add("n").value = vobject.vcard.Name(family=lead.get("last_name") or "",
                                              given=lead.get("first_name") or "")
    card.add("fn").value = _display_name(lead)
    if lead.get("company"):
        card.add("org").value = [lead["company"]]
    if lead.get("title"):
        card.add("title").value = lead["title"]
    if lead.get("email"):
        email = card.add("email")
        email.value = lead["email"]
        email.type_param = "INTERNET"
    for key, kind in (("phone", "WORK"), ("mobile", "CELL")):
        number = lead.get(f"{key}_e164") or lead.get(key)
        if number:
            tel = card.add("tel")
            tel.value = number
            tel.type_param = kind
    address = {k: lead.get(k) or "" for k in ("street", "city", "region", "postal_code")}
    country = country_name(lead["country"]) if lead.get("country") else ""
    if any(address.values()) or country:
        adr = card.add("adr")
        adr.value = vobject.vcard.Address(street=address["street"], city=address["city"],
                                          region=address["region"], code=address["postal_code"],
                                          country=country)
        adr.type_param = "WORK"
    if lead.get("website"):
        card.add("url").value = lead["website"]
    if lead.get("notes"):
        card.add("note").value = lead["notes"]
    if lead.get("id"):
        card.add("uid").value = f"urn:uuid:{lead['id']}"
    card.add("prodid").value = PRODID
    return card


def write_vcards(handle: IO[str], leads: Iterable[Row]) -> int:
    """One VCARD per lead into ``handle`` (open it with ``newline=''`` to keep CRLF)."""
    written = 0
    for lead in leads:
        handle.write(lead_to_vcard(lead).serialize())
        written += 1
    return written
