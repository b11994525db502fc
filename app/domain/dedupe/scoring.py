"""One scoring function for a pair of leads: name similarity plus supporting evidence."""

from __future__ import annotations

from rapidfuzz.fuzz import ratio

from app.domain.dedupe.keys import DEFAULT_MIN_SCORE, CandidatePair, MatchKeys
from app.domain.dedupe.normalise import Prepared, prepare
from app.domain.record_linkage.comparison import comparable, compare, pattern_of
from app.domain.record_linkage.normalise import Person, prepare_person
from app.domain.record_linkage.reasons import reasons as linkage_reasons
from app.domain.record_linkage.weights import CALIBRATED

# Weights of the score: how alike the names are, and how much other evidence supports them.
NAME_WEIGHT = 0.55
_SUPPORT_WEIGHT = 0.45
# A name score below this cannot reach DEFAULT_MIN_SCORE without a shared email, phone or badge
# (support is at most 100): name-only blocks reject such pairs before scoring the rest.
_NAME_FLOOR = (DEFAULT_MIN_SCORE - 100 * _SUPPORT_WEIGHT) / NAME_WEIGHT


def _name_score(a: Prepared, b: Prepared) -> tuple[float, bool]:
    """How alike the names are (0..100) and whether first and last were swapped.

    The score is the geometric mean of first-name and last-name similarity, so one wholly
    different part ('John' vs 'Jane' Smith) pulls it down hard, while a typo in either part
    costs little. Nicknames compare as their formal names. A missing part counts as neutral
    (70): 'Smith' alone is weak evidence, not none.
    """
    first = _part(a.first, b.first)
    if first < 100 and (a.first != a.first_raw or b.first != b.first_raw):
        first = max(first, _part(a.first_raw, b.first_raw))  # 'Curro' vs 'Curo'
    direct = _combine(first, _part(a.last, b.last))
    if direct >= 95 or not (a.first and b.first and a.last and b.last):
        return direct, False  # a swap could not score more than 5 points higher
    swapped = _combine(_part(a.first, b.last_canon), _part(a.last_canon, b.first))
    if swapped > direct + 5:
        return swapped, True
    return direct, False


def _part(x: str, y: str) -> float:
    if not x or not y:
        return 70.0
    return ratio(x, y)


def _combine(first: float, last: float) -> float:
    return (first * last) ** 0.5


def _score(a: Prepared, b: Prepared, name: float, swapped: bool) -> tuple[float, tuple[str, ...]]:
    """Combine name similarity with the supporting evidence into one score and its reasons."""
    reasons: list[str] = []
    support = 0.0
    if a.badge and a.badge == b.badge:
        support = 100.0
        reasons.append("same badge at the event")
    if a.email and a.email == b.email:
        support = 100.0
        reasons.append("same email")
    if a.phones & b.phones:
        # Colleagues share a switchboard number, so a phone is a little weaker than an email.
        support = max(support, 90.0)
        reasons.append("same phone")
    if a.company and b.company:
        company = 100.0 if a.company == b.company else ratio(a.company, b.company)
        if company >= 85:
            support = max(support, 0.8 * company)
            reasons.append("same company" if company == 100 else f"companies {company:.0f}% similar")
        elif company < 50:
            support -= 10.0  # different employers: evidence against
    strong = sum(r in _STRONG_REASONS for r in reasons)
    if strong >= 2:
        # Two independent identifiers agree (email and phone, badge and email): that outweighs
        # a badly mangled name.
        support += 15.0 * (strong - 1)
    score = NAME_WEIGHT * name + _SUPPORT_WEIGHT * max(support, 0.0)
    if name >= 99.5:
        reasons.insert(0, "names swapped" if swapped else "same name")
    else:
        reasons.insert(0, f"names {name:.0f}% similar" + (" (swapped)" if swapped else ""))
    return round(min(score, 100.0), 1), tuple(reasons)


_STRONG_REASONS = frozenset({"same badge at the event", "same email", "same phone"})


def strong_link(a: Prepared, b: Prepared) -> bool:
    return bool((a.email and a.email == b.email) or (a.phones & b.phones)
                or (a.badge and a.badge == b.badge))


def match_prepared(a: Prepared, b: Prepared, min_score: float) -> tuple[float, tuple[str, ...]] | None:
    name, swapped = _name_score(a, b)
    if name < _NAME_FLOOR and min_score >= DEFAULT_MIN_SCORE and not strong_link(a, b):
        return None  # cannot reach the threshold: skip the rest of the work
    score, reasons = _score(a, b, name, swapped)
    if score < min_score:
        return None
    return score, reasons


def match(a: MatchKeys, b: MatchKeys, *, min_score: float = DEFAULT_MIN_SCORE) -> CandidatePair | None:
    """The pair as a candidate duplicate if it scores at least ``min_score``, else None.

    Symmetric in ``a`` and ``b`` (the returned pair is ordered by id).
    """
    if a.id == b.id:
        return None
    found = match_prepared(prepare(a), prepare(b), min_score)
    if needs_linkage(a) and needs_linkage(b):
        person_a, person_b = linkage_person(a), linkage_person(b)
        detail, swapped = compare(person_a, person_b)
        if comparable(detail):
            probability = CALIBRATED.probability(pattern_of(detail))
            score = round(100 * probability, 1)
            if score >= min_score and (found is None or score > found[0]):
                found = score, linkage_reasons(detail, swapped, a, b, person_a, person_b)
    if found is None:
        return None
    first, second = sorted((a.id, b.id))
    return CandidatePair(first, second, found[0], found[1])


def needs_linkage(k: MatchKeys) -> bool:
    """Whether the name-and-address matcher should look at this lead.

    Leads reachable by email or phone are matched through those; the name-and-address pass is
    for people known only by name, address and date of birth, and for anyone with a date of
    birth (registration lists), where it is the stronger evidence.
    """
    if not (k.first_name.strip() or k.last_name.strip()):
        return False
    if not (k.street.strip() or k.postal_code.strip() or k.birth_date is not None):
        return False
    no_contact = not (k.email.strip() or k.phone_e164.strip() or k.mobile_e164.strip())
    return no_contact or k.birth_date is not None


def linkage_person(k: MatchKeys) -> Person:
    return prepare_person(
        k.first_name, k.last_name, k.street, k.postal_code, k.city, k.region, k.birth_date)
