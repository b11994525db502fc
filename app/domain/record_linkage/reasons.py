"""Plain words for how two people's names, birth dates and addresses compare."""

from __future__ import annotations

import datetime as dt
from typing import Protocol

from app.domain.record_linkage.normalise import Person, fold_name, nickname_group
from app.domain.record_linkage.weights import (
    BIRTH,
    CITY,
    FIRST,
    HOUSE,
    LAST,
    MISSING,
    POSTCODE,
    REGION,
    STREET,
    Detail,
)


class Shown(Protocol):
    """The values as typed (a lead's match keys), for reasons people can check on the leads."""

    @property
    def first_name(self) -> str: ...
    @property
    def last_name(self) -> str: ...
    @property
    def street(self) -> str: ...
    @property
    def postal_code(self) -> str: ...
    @property
    def city(self) -> str: ...
    @property
    def region(self) -> str: ...
    @property
    def birth_date(self) -> dt.date | None: ...


def reasons(detail: Detail, swapped: bool, a: Shown, b: Shown, pa: Person, pb: Person
            ) -> tuple[str, ...]:
    """Plain words for each field that was compared: names, birth date, then the address."""
    said: list[str] = []
    b_first, b_last = (b.last_name, b.first_name) if swapped else (b.first_name, b.last_name)
    first, last = detail[FIRST], detail[LAST]
    if first == 1 and last == 1:
        said.append("same name" + (", first and last name swapped" if swapped else ""))
    else:
        if swapped:
            said.append("first and last name swapped")
        said.append(_first_reason(first, a.first_name.strip(), b_first.strip()))
        said.append(_last_reason(last, a.last_name.strip(), b_last.strip()))
    said.append(_birth_reason(detail[BIRTH], a.birth_date, b.birth_date))
    said.append(_street_reason(detail[STREET], detail[HOUSE], a.street.strip(),
                               b.street.strip(), pa, pb))
    said.append(_simple_reason(detail[POSTCODE], "postcode", a.postal_code.strip(),
                               b.postal_code.strip(), middle="same area"))
    said.append(_simple_reason(detail[CITY], "city", a.city.strip(), b.city.strip(),
                               middle="similar"))
    said.append(_simple_reason(detail[REGION], "state", a.region.strip(), b.region.strip()))
    return tuple(r for r in said if r)


def _first_reason(level: int, a: str, b: str) -> str:
    if level == MISSING:
        return "first name missing on one of them"
    if level == 1:
        return "same first name"
    if level == 2:
        a_is_short = fold_name(b) in nickname_group(fold_name(a))
        b_is_short = fold_name(a) in nickname_group(fold_name(b))
        if a_is_short and b_is_short:  # the list has both ways for some names: the shorter
            a_is_short = len(a) <= len(b)
            b_is_short = not a_is_short
        if a_is_short or b_is_short:
            short, formal = (a, b) if a_is_short else (b, a)
            return f"{short} is a nickname of {formal}"
        return f"{a} and {b} are forms of one name"  # both nicknames of one formal name
    if level in (3, 4):
        return f"first names similar ({a} vs {b})"
    return f"different first names ({a} vs {b})"


def _last_reason(level: int, a: str, b: str) -> str:
    if level == MISSING:
        return "last name missing on one of them"
    if level == 1:
        return "same last name"
    if level in (2, 3):
        return f"last names similar ({a} vs {b})"
    return f"different last names ({a} vs {b})"


def _birth_reason(level: int, a: dt.date | None, b: dt.date | None) -> str:
    if level == MISSING or a is None or b is None:
        return ""
    if level == 1:
        return "same date of birth"
    if level == 2:
        return "same date of birth (day and month swapped)"
    if level == 3:
        return f"same birthday, year {a.year} vs {b.year}"
    if level == 4:
        return f"same date of birth with day and month swapped, year {a.year} vs {b.year}"
    return f"dates of birth differ ({a.isoformat()} vs {b.isoformat()})"


def _street_reason(street: int, house: int, a: str, b: str, pa: Person, pb: Person) -> str:
    if street == MISSING and house == MISSING:
        return ""
    if street == MISSING:
        return ("same house number" if house == 1 else
                f"house number {pa.house} vs {pb.house}")
    named = "street matches" if street == 1 else f"streets similar ({a} vs {b})"
    if street == 3:
        named = f"different streets ({a} vs {b})"
    if house == 1:
        return "same street and house number" if street == 1 else named + ", same house number"
    if house == MISSING:
        return named + ", house number missing on one of them"
    return f"{named}, house number {pa.house} vs {pb.house}"


def _simple_reason(level: int, label: str, a: str, b: str, middle: str = "") -> str:
    if level == MISSING:
        return ""
    if level == 1:
        return f"same {label}"
    if middle and level == 2:
        return f"{label} {a} vs {b} ({middle})"
    return f"different {label} ({a} vs {b})"


