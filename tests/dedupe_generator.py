"""Labelled people known only by name, postal address and date of birth, with corrupted copies.

Shaped like the record-linkage corruption generators (FEBRL's generator, GeCo): original
records are drawn from Faker pools in our markets (de_DE, en_US, fr_FR, es_ES), then a share of
them gets one or two duplicates, each with one to three corruptions: keyboard typos (insert,
delete, transpose, substitute), OCR confusions (rn/m, 0/O, 1/l), first and last name swapped,
missing values, street-type abbreviations written out or shortened (Straße/Str., Street/St.,
Avenue/Ave), a nickname for the first name (from the ``nicknames`` list), day and month of birth
swapped, a typo in the year, the house number moved to the other side of the street name or
given a suffix (12 → 12a), upper case and dropped accents. Hard negatives are built in: people
sharing a household (same last name and address, other first name and birth date), neighbours
in the same street, and common names repeating across cities.

Deterministic for a seed; Faker is slow, so its pools are built once per seed and recombined.
No email, phone, company or badge: this is the case the contact-based matcher cannot see.
"""

from __future__ import annotations

import datetime as dt
import random
import unicodedata
import uuid
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import combinations

from nicknames import NickNamer

from app.domain.dedupe.keys import MatchKeys

SEED = 20261207
LOCALES = ("de_DE", "en_US", "fr_FR", "es_ES")
_NUMBER_FIRST = {"en_US": True, "fr_FR": True, "de_DE": False, "es_ES": False}
_ABBREVIATIONS = (
    ("straße", "str."), ("Straße", "Str."), ("strasse", "str."), (" Street", " St."),
    (" Avenue", " Ave"), (" Road", " Rd."), (" Drive", " Dr."), (" Lane", " Ln"),
    ("avenue ", "av. "), ("boulevard ", "bd "), ("Calle ", "C/ "), ("Avenida ", "Avda. "),
    ("Camino ", "Cmno. "), ("platz", "pl."), ("Platz", "Pl."),
)
_OCR = (("m", "rn"), ("rn", "m"), ("l", "1"), ("o", "0"), ("O", "0"), ("0", "O"), ("1", "l"),
        ("5", "S"), ("8", "B"), ("cl", "d"))
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True)
class Pools:
    first_names: dict[str, list[str]]
    last_names: dict[str, list[str]]
    streets: dict[str, list[str]]
    places: dict[str, list[tuple[str, str, str]]]  # postcode, city, state


@dataclass
class LinkageSet:
    records: list[MatchKeys]
    truth: set[tuple[int, int]]  # pairs of record keys that are the same person
    people: int  # distinct people among the records


@lru_cache(maxsize=4)
def pools(seed: int = SEED, size: int = 700) -> Pools:
    """Names, streets and places per locale from Faker, built once per seed."""
    from faker import Faker

    rng = random.Random(seed)
    firsts, lasts, streets, places = {}, {}, {}, {}
    for locale in LOCALES:
        fake = Faker(locale)
        fake.seed_instance(rng.randrange(1 << 30))
        firsts[locale] = sorted({fake.first_name() for _ in range(size)})
        lasts[locale] = sorted({fake.last_name() for _ in range(size)})
        streets[locale] = sorted({fake.street_name() for _ in range(size * 2)})
        state = fake.administrative_unit
        places[locale] = [(fake.postcode(), fake.city(), state()) for _ in range(size)]
    return Pools(firsts, lasts, streets, places)


def _skewed(rng: random.Random, items: list[str]) -> str:
    """Common names are common: the front of the pool is drawn far more often."""
    return items[int(len(items) * rng.random() ** 2)]


def _street_line(locale: str, street: str, number: str) -> str:
    return f"{number} {street}" if _NUMBER_FIRST[locale] else f"{street} {number}"


def _birth(rng: random.Random) -> dt.date:
    return dt.date(1945, 1, 1) + dt.timedelta(days=rng.randrange(22_000))


# -- corruptions ------------------------------------------------------------------------------

def typo(rng: random.Random, text: str, first_letter_share: float = 0.0) -> str:
    """One keyboard slip: a letter inserted, dropped, swapped with the next, or replaced. The
    first letter is rarely wrong: only in ``first_letter_share`` of the slips."""
    if len(text) < 3:
        return text
    i = 0 if first_letter_share and rng.random() < first_letter_share \
        else rng.randrange(1, len(text))
    kind = rng.randrange(4)
    letter = rng.choice(_LETTERS)
    if kind == 0:
        return text[:i] + letter + text[i + 1:]
    if kind == 1:
        return text[:i] + text[i + 1:]
    if kind == 2:
        return text[:i] + letter + text[i:]
    if i < len(text) - 1:
        return text[:i] + text[i + 1] + text[i] + text[i + 2:]
    return text[:i]


def ocr(rng: random.Random, text: str) -> str:
    """One OCR confusion of a paper form, where the text has a character it applies to."""
    options = [(a, b) for a, b in _OCR if a in text]
    if not options:
        return text
    wrong, right = rng.choice(options)
    at = rng.choice([i for i in range(len(text)) if text.startswith(wrong, i)])
    return text[:at] + right + text[at + len(wrong):]


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_NICKNAMER = NickNamer()


def _nickname(rng: random.Random, first: str) -> str | None:
    shorts = sorted(_NICKNAMER.nicknames_of(_plain(first).lower()))
    return rng.choice(shorts).capitalize() if shorts else None


def _abbreviate(rng: random.Random, street: str) -> str | None:
    options = [(a, b) for a, b in _ABBREVIATIONS if a in street] + \
              [(b, a) for a, b in _ABBREVIATIONS if b in street]
    if not options:
        return None
    long, short = rng.choice(options)
    return street.replace(long, short, 1)


def _with_year(birth: dt.date, year: int) -> dt.date:
    """The same birthday in another year (29 February becomes the 28th where there is none)."""
    return birth.replace(year=year, day=min(birth.day, 28 if birth.month == 2 else birth.day))


_KINDS = ("typo", "ocr", "swap", "missing", "abbreviation", "nickname", "birth_swap",
          "birth_year", "house_number", "case")


def corrupt(rng: random.Random, record: MatchKeys, key: int, locale: str, street: str,
            number: str) -> MatchKeys:
    """A duplicate of ``record`` with one to three corruptions."""
    v = replace(record, key=key, id=uuid.UUID(int=key))
    for kind in rng.sample(_KINDS, k=rng.choice((1, 1, 2, 2, 3))):
        if kind == "typo":
            field = rng.choice(("first_name", "last_name", "last_name", "street", "city",
                                "postal_code"))
            v = replace(v, **{field: typo(rng, getattr(v, field))})
        elif kind == "ocr":
            field = rng.choice(("first_name", "last_name", "street", "postal_code"))
            v = replace(v, **{field: ocr(rng, getattr(v, field))})
        elif kind == "swap":
            v = replace(v, first_name=v.last_name, last_name=v.first_name)
        elif kind == "missing":
            field = rng.choice(("street", "postal_code", "city", "region", "region",
                                "birth_date", "first_name"))
            v = replace(v, **{field: None if field == "birth_date" else ""})
        elif kind == "abbreviation":
            v = replace(v, street=_abbreviate(rng, v.street) or v.street.upper())
        elif kind == "nickname":
            v = replace(v, first_name=_nickname(rng, v.first_name) or _plain(v.first_name))
        elif kind == "birth_swap" and v.birth_date is not None:
            b = v.birth_date
            if b.day <= 12 and b.day != b.month:
                v = replace(v, birth_date=b.replace(month=b.day, day=b.month))
            else:
                v = replace(v, birth_date=_with_year(b, b.year + rng.choice((-1, 1))))
        elif kind == "birth_year" and v.birth_date is not None:
            b = v.birth_date
            v = replace(v, birth_date=_with_year(b, b.year + rng.choice((-10, -1, 1, 10))))
        elif kind == "house_number":
            if rng.random() < 0.5:
                moved = (f"{street} {number}" if _NUMBER_FIRST[locale] else f"{number} {street}")
            else:
                moved = _street_line(locale, street, number + rng.choice("ab") if
                                     number.isdigit() else number.rstrip(_LETTERS))
            v = replace(v, street=moved)
        elif kind == "case":
            v = replace(v, last_name=_plain(v.last_name).upper(), city=_plain(v.city))
    return v


# -- the labelled set -------------------------------------------------------------------------

def generate_people(count: int, seed: int = SEED, dup_share: float = 0.15) -> LinkageSet:
    """About ``count`` records; ``dup_share`` of the people have one or two corrupted copies."""
    rng = random.Random(seed)
    pool = pools(seed)
    records: list[MatchKeys] = []
    truth: set[tuple[int, int]] = set()
    key = 0
    clusters = 0  # people with at least one copy

    def record(first: str, last: str, street: str, place: tuple[str, str, str],
               birth: dt.date) -> MatchKeys:
        nonlocal key
        postcode, city, state = place
        made = MatchKeys(key=key, id=uuid.UUID(int=key), first_name=first, last_name=last,
                         company="", email="", phone_e164="", mobile_e164="", badge_id="",
                         event_id=None, street=street, postal_code=postcode, city=city,
                         region=state, birth_date=birth)
        key += 1
        return made

    while len(records) < count:
        locale = rng.choice(LOCALES)
        first = _skewed(rng, pool.first_names[locale])
        last = _skewed(rng, pool.last_names[locale])
        street_name = rng.choice(pool.streets[locale])
        number = str(rng.randint(1, 150)) + ("" if rng.random() < 0.9 else rng.choice("abc"))
        place = rng.choice(pool.places[locale])
        original = record(first, last, _street_line(locale, street_name, number), place,
                          _birth(rng))
        cluster = [original]
        if rng.random() < dup_share:
            for _ in range(rng.choice((1, 1, 2))):
                cluster.append(corrupt(rng, original, key, locale, street_name, number))
                key += 1
        records.extend(cluster)
        clusters += len(cluster) > 1
        truth.update((min(a.key, b.key), max(a.key, b.key)) for a, b in combinations(cluster, 2))
        if rng.random() < 0.08:  # someone in the same household: a different person
            other = _skewed(rng, pool.first_names[locale])
            if other != first:
                records.append(record(other, last, original.street, place, _birth(rng)))
        if rng.random() < 0.05:  # a neighbour a few doors down
            records.append(record(_skewed(rng, pool.first_names[locale]),
                                  _skewed(rng, pool.last_names[locale]),
                                  _street_line(locale, street_name, str(rng.randint(1, 150))),
                                  place, _birth(rng)))
    rng.shuffle(records)
    copies = len({key for pair in truth for key in pair}) - clusters
    return LinkageSet(records, truth, len(records) - copies)


def quality(found: set[tuple[int, int]], truth: set[tuple[int, int]]) -> tuple[float, float, float]:
    """Precision, recall (against every true pair, blocked or not) and F1."""
    hits = len(found & truth)
    precision = hits / len(found) if found else 1.0
    recall = hits / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1
