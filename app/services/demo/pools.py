"""Pools built once per seed with Faker: names, companies, streets, postcodes and phone numbers.

Faker is far too slow to call per lead (about 4k rows/s), so it only fills small pools per
country; leads are recombined from them. Phone numbers come from validated per-country stems.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from random import Random

import phonenumbers
from faker import Faker

from app.domain.contact_data import normalise_phone
from app.services.demo.reference import COUNTRIES, slug
from app.services.demo.seeded import Weighted

_INDUSTRIES = ("Automotive", "Food & beverage", "Chemicals", "Packaging", "Pharmaceuticals",
               "Machinery", "Plastics", "Metalworking", "Energy", "Logistics", "Electronics",
               "Aerospace", "Printing", "Textiles", "Building materials")
_SIZES = Weighted(zip(("1-10", "11-50", "51-200", "201-500", "501-1000", "1001-5000", "5000+"),
                      (4, 14, 28, 22, 14, 12, 6), strict=True))
_TITLES = ("Head of Procurement", "Purchasing Manager", "Plant Manager", "Production Manager",
           "Maintenance Manager", "Engineering Manager", "Automation Engineer",
           "Process Engineer", "Technical Director", "CEO", "Managing Director", "COO",
           "Operations Manager", "Project Engineer", "Design Engineer", "Buyer",
           "Quality Manager", "R&D Engineer", "Electrical Engineer", "Student")
_LOCAL_TITLES = {
    "DE": ("Einkaufsleiter", "Leiterin Instandhaltung", "Geschäftsführer", "Betriebsleiter",
           "Konstrukteur"),
    "AT": ("Einkaufsleiterin", "Geschäftsführer", "Technischer Leiter"),
    "CH": ("Leiter Beschaffung", "Geschäftsführerin", "Projektleiter"),
    "FR": ("Directeur technique", "Responsable achats", "Ingénieur méthodes",
           "Directrice d'usine"),
    "ES": ("Jefe de compras", "Director de planta", "Ingeniera de procesos"),
    "IT": ("Responsabile acquisti", "Direttore di stabilimento", "Ingegnere di processo"),
}
# Legal forms and filler words left out of a company's web domain (compared after slug).
_LEGAL_FORMS = frozenset({
    "gmbh", "ag", "kg", "co", "ohg", "ug", "e", "v", "ev", "mbh", "gbr", "gesbr", "cie", "sa",
    "sas", "sarl", "sl", "slne", "slu", "sll", "sau", "spa", "srl", "snc", "bv", "nv", "vof",
    "ltd", "llc", "inc", "plc", "group", "and", "und", "et", "y", "as", "aps", "ab", "hb", "kb",
    "i", "s", "c", "k", "sp", "z", "o", "oo", "zoo", "son", "sn", "sons", "cv", "the", "de",
    "del", "di", "la", "le", "les", "van", "der", "den", "holding", "spk", "sc",
})


@dataclass(frozen=True)
class Company:
    name: str
    domain: str
    industry: str
    size: str


@dataclass(frozen=True)
class PhoneStem:
    """A validated number minus its last four digits, with typed-form templates."""

    e164_head: str
    typed: tuple[str, ...]  # str.format templates taking the four last digits


@dataclass(frozen=True)
class Pools:
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    companies: tuple[Company, ...]
    streets: tuple[str, ...]
    postcodes: tuple[tuple[str, ...], ...]  # per city of the country
    fixed: tuple[PhoneStem, ...]
    mobile: tuple[PhoneStem, ...]
    titles: tuple[str, ...]


def _unique(values: Sequence[str], limit: int) -> tuple[str, ...]:
    """First ``limit`` distinct values, in order (a set would depend on PYTHONHASHSEED)."""
    return tuple(dict.fromkeys(v for v in values if v.strip()))[:limit]


def _company_domain(name: str, tld: str, index: int) -> str:
    words = [slug(w) for w in name.replace("-", " ").replace("&", " ").split()]
    words = [w for w in words if w and w not in _LEGAL_FORMS]
    label = "-".join(words[:2])[:40].strip("-") or f"company{index}"
    return f"{label}.{tld}"


def _postcode(pattern: str, rng: Random) -> str:
    return "".join(str(rng.randrange(10)) if c == "#" else
                   chr(65 + rng.randrange(26)) if c == "@" else c for c in pattern)


def _last_four_template(formatted: str) -> str | None:
    """Turn '030 1234 0000' into '030 1234 {0}{1}{2}{3}' (the last four digits)."""
    chars = list(formatted)
    slots = [i for i, c in enumerate(chars) if c.isdigit()][-4:]
    if len(slots) < 4:
        return None
    for n, i in enumerate(slots):
        chars[i] = "{" + str(n) + "}"
    return "".join(chars)


def _phone_stems(region: str, kind: int, rng: Random, want: int = 24) -> tuple[PhoneStem, ...]:
    """Random valid numbers of one type, checked with phonenumbers, as reusable stems.

    Each stem is accepted only if four different endings are valid numbers of the type and
    every typed form parses back to the same E.164 through the app's own ``normalise_phone``.
    """
    example = phonenumbers.example_number_for_type(region, kind)
    if example is None:
        return ()
    nsn = phonenumbers.national_significant_number(example)
    cc = str(example.country_code)
    keep = 2 if len(nsn) >= 9 else 1
    accepted = {kind, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
    stems: dict[str, PhoneStem] = {}
    for attempt in range(400):
        if len(stems) >= want:
            break
        middle = "".join(str(rng.randrange(10)) for _ in range(len(nsn) - keep - 4))
        head_nsn = nsn[:keep] + middle if attempt else nsn[:-4]
        head = f"+{cc}{head_nsn}"
        if head in stems:
            continue
        numbers = [phonenumbers.parse(head + s, None) for s in ("0000", "5555", "9999", "1234")]
        # US and Danish numbers do not tell fixed from mobile: FIXED_LINE_OR_MOBILE is fine.
        if not all(phonenumbers.is_valid_number(n) and phonenumbers.number_type(n) in accepted
                   for n in numbers):
            continue
        templates = []
        for fmt in (phonenumbers.PhoneNumberFormat.NATIONAL,
                    phonenumbers.PhoneNumberFormat.INTERNATIONAL):
            template = _last_four_template(phonenumbers.format_number(numbers[0], fmt))
            if template:
                templates.append(template)
        if templates:
            templates.append(templates[0].replace(" ", ""))  # typed without spaces
        if templates and all(normalise_phone(t.format(*"1234"), region) == head + "1234"
                             for t in templates):
            stems[head] = PhoneStem(head, tuple(templates))
    return tuple(stems.values())


@functools.lru_cache(maxsize=4)
def pools_for(seed: int) -> dict[str, Pools]:
    """Names, companies, streets and phone stems per country; Faker is seeded, so stable."""
    result: dict[str, Pools] = {}
    for index, country in enumerate(COUNTRIES):
        fake = Faker(country.locale)
        fake.seed_instance(seed * 1000 + index)
        rng = Random(f"leadline-demo-pools:{seed}:{country.code}")
        firsts = _unique([*country.extra_first, *(fake.first_name() for _ in range(500))], 300)
        lasts = _unique([*country.extra_last, *(fake.last_name() for _ in range(500))], 300)
        names = _unique([fake.company() for _ in range(300)], 250)
        companies = tuple(
            Company(name, _company_domain(name, country.tld, i), rng.choice(_INDUSTRIES),
                    _SIZES.pick(rng))
            for i, name in enumerate(names))
        streets = _unique([fake.street_name() for _ in range(300)], 200)
        postcodes = tuple(tuple(_postcode(pattern, rng) for _ in range(30))
                          for _city, _region, pattern in country.cities)
        result[country.code] = Pools(
            first_names=firsts, last_names=lasts, companies=companies, streets=streets,
            postcodes=postcodes,
            fixed=_phone_stems(country.code, phonenumbers.PhoneNumberType.FIXED_LINE, rng),
            mobile=_phone_stems(country.code, phonenumbers.PhoneNumberType.MOBILE, rng),
            titles=_TITLES + _LOCAL_TITLES.get(country.code, ()),
        )
    return result
