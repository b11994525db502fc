"""One pair compared field by field into agreement levels (names both ways round)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from rapidfuzz.distance import JaroWinkler

from app.domain.record_linkage.normalise import Person, are_nicknames
from app.domain.record_linkage.weights import (
    BIRTH,
    CALIBRATED,
    FIRST,
    HOUSE,
    LAST,
    MISSING,
    POSTCODE,
    STREET,
    Detail,
    Pattern,
    Weights,
)

_OCR_NAME = (("rn", "m"), ("0", "o"), ("1", "l"), ("5", "s"), ("8", "b"))


@lru_cache(maxsize=200_000)
def _as_read(name: str) -> str:
    """A folded name with the usual OCR confusions of paper forms undone (Jasrnin → Jasmin)."""
    read = name
    for wrong, right in _OCR_NAME:
        read = read.replace(wrong, right)
    return name if read == name else read  # the same object when nothing changed


def _name_similarity(a: str, b: str) -> float:
    similarity = JaroWinkler.normalized_similarity(a, b)
    if similarity >= 0.93:
        return similarity
    read_a, read_b = _as_read(a), _as_read(b)
    if read_a is a and read_b is b:
        return similarity
    return max(similarity, JaroWinkler.normalized_similarity(read_a, read_b))


@lru_cache(maxsize=1 << 18)
def _first_level(a: str, b: str) -> int:
    if not a or not b:
        return MISSING
    if a == b:
        return 1
    if are_nicknames(a, b):
        return 2
    similarity = _name_similarity(a, b)
    return 3 if similarity >= 0.93 else 4 if similarity >= 0.85 else 5


@lru_cache(maxsize=1 << 18)
def _last_level(a: str, b: str) -> int:
    if not a or not b:
        return MISSING
    if a == b:
        return 1
    similarity = _name_similarity(a, b)
    return 2 if similarity >= 0.93 else 3 if similarity >= 0.85 else 4


def _birth_level(a: dt.date | None, b: dt.date | None) -> int:
    if a is None or b is None:
        return MISSING
    if a == b:
        return 1
    if a.year == b.year and a.day == b.month and a.month == b.day:
        return 2
    if a.month == b.month and a.day == b.day:
        return 3
    if a.day == b.month and a.month == b.day:
        return 4
    if a.year == b.year and (a.month == b.month or a.day == b.day):
        return 5
    return 6


def address_level(detail: Detail) -> int:
    """The address parts' levels read as one: how much of the address the two share."""
    street, house, postcode, city, region = detail[STREET:BIRTH]
    if not (street or house or postcode or city or region):
        return MISSING
    street_ok, house_ok = street in (1, 2), house in (1, 2)
    area_ok = postcode in (1, 2) or city in (1, 2)
    if street_ok and house_ok:
        return 1 if postcode != 3 else 2
    if street_ok and area_ok:
        return 3
    if area_ok:
        return 4
    return 5 if region == 1 else 6


def pattern_of(detail: Detail) -> Pattern:
    """The weighted fields' levels of a pair from its field-by-field comparison."""
    return detail[FIRST], detail[LAST], address_level(detail), detail[BIRTH]


@lru_cache(maxsize=1 << 16)
def _city_level(a: str, b: str) -> int:
    """2 (similar) or 3 (different) for two folded city names that are not equal."""
    return 2 if JaroWinkler.normalized_similarity(a, b) >= 0.9 else 3


def compare(a: Person, b: Person, weights: Weights = CALIBRATED) -> tuple[Detail, bool]:
    """The pair's field-by-field levels, and whether first and last name had to be swapped.

    Names are compared both ways round when the direct reading is poor; the swapped reading is
    taken only when its evidence is clearly better, so 'Thomas Martin' and 'Martin Thomas'
    match, and 'Anna Berg' never becomes 'Berg Anna' by accident. Written out in one function
    because a scan calls it about five times per record.
    """
    first, last = _first_level(a.first, b.first), _last_level(a.last, b.last)
    swapped = False
    if ((first >= 4 or last >= 3 or first == MISSING or last == MISSING)
            and ((a.first and b.last and a.first[0] == b.last[0])
                 or (a.last and b.first and a.last[0] == b.first[0]))):
        # Also when one side gives only one name: 'Blondel' alone may be the last name.
        swapped_first, swapped_last = _first_level(a.first, b.last), _last_level(a.last, b.first)
        first_weights, last_weights = weights.table[FIRST], weights.table[LAST]
        if ((1 <= swapped_first <= 3 or 1 <= swapped_last <= 2)
                and first_weights[swapped_first] + last_weights[swapped_last]
                > first_weights[first] + last_weights[last] + 1):
            first, last, swapped = swapped_first, swapped_last, True
    x, y = a.street, b.street
    street = MISSING if not (x and y) else 1 if x == y else \
        2 if JaroWinkler.normalized_similarity(x, y) >= 0.9 else 3
    x, y = a.house, b.house
    house = MISSING if not (x and y) else 1 if x == y else \
        2 if a.house_digits == b.house_digits else 3
    x, y = a.postcode, b.postcode
    postcode = MISSING if not (x and y) else 1 if x == y else \
        2 if len(x) >= 4 and x[:3] == y[:3] else 3
    x, y = a.city, b.city
    city = MISSING if not (x and y) else 1 if x == y else _city_level(x, y)
    x, y = a.region, b.region
    region = MISSING if not (x and y) else 1 if x == y else 2
    return (first, last, street, house, postcode, city, region,
            _birth_level(a.birth, b.birth)), swapped


def comparable(detail: Detail) -> bool:
    """A name on both sides and at least one of street, postcode or birth date to back it up."""
    names = detail[FIRST] != MISSING or detail[LAST] != MISSING
    return names and any(detail[f] != MISSING for f in (STREET, HOUSE, POSTCODE, BIRTH))
