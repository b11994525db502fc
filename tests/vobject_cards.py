"""vobject writing a lead's vCard: what app/exporters/vcard_writer.py must match, byte for byte."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import vobject

from app.domain.contact_data import country_name
from app.exporters.vcard_writer import PRODID


def vobject_card(lead: Mapping[str, Any]) -> str:
    """The card as the export wrote it with vobject before: the reference for the test and
    the floor for the benchmark."""
    card = vobject.vCard()
    card.add("n").value = vobject.vcard.Name(family=lead.get("last_name") or "",
                                              given=lead.get("first_name") or "")
    name = f"{lead.get('first_name') or ''} {lead.get('last_name') or ''}".strip()
    card.add("fn").value = (name or lead.get("company") or lead.get("email")
                            or lead.get("badge_id") or "(no name)")
    if lead.get("company"):
        card.add("org").value = [lead["company"]]
    if lead.get("title"):
        card.add("title").value = lead["title"]
    if lead.get("email"):
        email = card.add("email")
        email.value, email.type_param = lead["email"], "INTERNET"
    for key, kind in (("phone", "WORK"), ("mobile", "CELL")):
        number = lead.get(f"{key}_e164") or lead.get(key)
        if number:
            tel = card.add("tel")
            tel.value, tel.type_param = number, kind
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
    return card.serialize()
