"""The hand-written vCard text is byte for byte what vobject writes for the same cards."""

from __future__ import annotations

from typing import Any

import pytest
import vobject

from app.exporters.vcard_writer import fold, lead_to_vcard
from tests.vobject_cards import vobject_card

LEADS: list[dict[str, Any]] = [
    {"id": "0190a1b2-0000-7000-8000-000000000001", "first_name": "José", "last_name": "Müller",
     "company": "ACME; Inc, \\ Ltd", "title": "Head, Sales; EMEA", "email": "jose@acme.example",
     "phone": "+49 30 1234567", "phone_e164": "+49301234567", "mobile": "0171 1234567",
     "mobile_e164": "", "street": "Main St 1\nBack house", "city": "Łódź", "region": "Łódzkie",
     "postal_code": "01234", "country": "PL", "website": "https://acme.example/a,b;c",
     "notes": "line one\nline two, ; \\ end\r\nthree\rfour " + "x" * 150 + "ü" * 60 + "王" * 40},
    {"id": "0190a1b2-0000-7000-8000-000000000002", "first_name": "", "last_name": "",
     "company": "", "email": "", "badge_id": "B-17"},
    {"first_name": "", "last_name": "", "company": "", "email": ""},
    {"id": "0190a1b2-0000-7000-8000-000000000003", "first_name": "王", "last_name": "小明",
     "company": "王 GmbH", "country": "CN", "notes": "ş" * 74},
    {"id": "0190a1b2-0000-7000-8000-000000000004", "first_name": None, "last_name": "Ng",
     "email": "ng@mail.example", "street": "", "city": "", "region": "", "postal_code": "",
     "country": "", "title": "T" * 71, "notes": "é" * 37 + "x" * 38},
]


@pytest.mark.parametrize("lead", LEADS, ids=range(len(LEADS)))
def test_card_is_what_vobject_writes(lead: dict[str, Any]) -> None:
    assert lead_to_vcard(lead) == vobject_card(lead)


def test_vobject_reads_the_values_back() -> None:
    card = vobject.readOne(lead_to_vcard(LEADS[0]))
    assert (card.n.value.given, card.n.value.family) == ("José", "Müller")
    assert card.org.value == ["ACME; Inc, \\ Ltd"] and card.title.value == "Head, Sales; EMEA"
    assert card.adr.value.street == "Main St 1\nBack house" and card.adr.value.country == "Poland"
    assert card.url.value == "https://acme.example/a,b;c"
    assert card.note.value == LEADS[0]["notes"].replace("\r\n", "\n").replace("\r", "\n")


def test_fold_keeps_lines_to_75_octets_and_characters_whole() -> None:
    line = "NOTE:" + "ü" * 100 + "王" * 50
    folded = fold(line).encode("utf-8")
    assert folded.endswith(b"\r\n")
    parts = folded[:-2].split(b"\r\n")
    assert all(len(part) <= 75 for part in parts)
    assert b"".join([parts[0], *(p[1:] for p in parts[1:])]).decode("utf-8") == line
