"""Duplicates among people known by name, postal address and date of birth (record linkage).

Registration lists, paper forms and old CRM exports often carry no email and no phone, so the
contact-based matcher in :mod:`app.domain.dedupe` has nothing to hold on to. This module is the
textbook alternative (Fellegi and Sunter 1969; Christen, *Data Matching*, 2012):

* **Per-field comparison into agreement levels.** Each field has its own comparator: Jaro-Winkler
  for names (nicknames from the maintained ``nicknames`` list, first and last name tried both
  ways round), street names compared as normalised tokens (Str./Straße, St./Street, Ave/Avenue)
  with the house number parsed out and compared on its own, postcode exact or same area, city,
  state, and the date of birth exact, with day and month swapped, or with a typo in one part.
  The result of a pair is a small vector of levels, level 0 meaning "missing on one side".
* **Fellegi-Sunter weights.** For every field and level, ``m`` is the chance of seeing that level
  when the two records are the same person and ``u`` when they are not; the pair's evidence is
  the sum of ``log(m/u)`` over the fields present (a missing value adds nothing). With the prior
  share of true pairs among the compared ones this gives the probability that the two are the
  same person, which is the score (0-100) shown and compared with the usual minimum.
* **u by EM.** The calibrated table below (measured on the labelled generator in
  ``tests/dedupe_generator.py``, whose corruptions follow record-linkage corruption generators)
  is the starting point and a prior; a bulk scan re-estimates ``u`` and the share of true pairs
  by expectation-maximisation on its own candidate pairs, so a database where everyone lives at
  a few addresses does not count "same address" as strong evidence. A single pair (booth,
  import) is scored with the calibrated table.
* **Blocking.** Candidate pairs are the union of several blocks: phonetic name codes (NYSIIS
  from jellyfish, names in either order, nicknames by their formal name), postcode with house
  number, the main street token with house number and city, date of birth (day and month in
  either order) with the initials, plus a sorted-neighbourhood pass over a name and postcode
  key. (A Metaphone-of-first-name-and-postcode block was tried: it doubled the same-first-name
  pairs among the candidates and found almost nothing the others miss.)
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

import jellyfish
from nicknames import NickNamer
from rapidfuzz.distance import JaroWinkler

# -- fields and their agreement levels ---------------------------------------------------------

COMPARED = ("first_name", "last_name", "street", "house_number", "postal_code", "city", "region",
            "birth_date")
"""What is compared field by field (and explained in the reasons)."""
FIRST, LAST, STREET, HOUSE, POSTCODE, CITY, REGION, BIRTH = range(len(COMPARED))
MISSING = 0

FIELDS = ("first_name", "last_name", "address", "birth_date")
"""What is weighted. The address parts are one field: people at one address (a household, a
block of flats) agree on street, number, postcode and city together, so counting each as
independent evidence, as the model assumes, would make every household a duplicate."""
ADDRESS = 2
W_BIRTH = 3
LEVELS: tuple[tuple[str, ...], ...] = (
    ("missing", "same", "nickname", "very similar", "similar", "different"),
    ("missing", "same", "very similar", "similar", "different"),
    ("missing", "same address", "same street and number, other postcode",
     "same street, other number", "same postcode or city", "same state", "different"),
    ("missing", "same", "day and month swapped", "year differs",
     "day and month swapped, year differs", "day or month differs", "different"),
)
"""Agreement levels per weighted field, most alike first; level 0 is "missing on one side"."""

Pattern = tuple[int, ...]
"""Levels of the weighted fields (FIELDS) of a pair."""
Detail = tuple[int, ...]
"""Levels of each compared field (COMPARED) of a pair: street, house number, postcode, city and
state separately (0 missing, 1 same, then less alike, the last level "different")."""

# Measured on the generator's candidate pairs (tests/dedupe_generator.py, seed 1, 50,000 records,
# a different seed from the benchmark's; `python -m tests.benchmarks.bench_dedupe --calibrate`
# prints it): m = P(level | same person), u = P(level | different
# people) among the pairs blocking proposes, level 0 (missing) excluded, each at least 0.001.
CALIBRATED_M: tuple[tuple[float, ...], ...] = (
    (0.0, 0.8643, 0.0612, 0.0652, 0.0063, 0.003),
    (0.0, 0.8971, 0.0903, 0.0098, 0.0028),
    (0.0, 0.9356, 0.016, 0.0117, 0.0347, 0.001, 0.001),
    (0.0, 0.6206, 0.0632, 0.3042, 0.01, 0.001, 0.001),
)
CALIBRATED_U: tuple[tuple[float, ...], ...] = (
    (0.0, 0.1287, 0.0154, 0.0336, 0.0271, 0.7952),
    (0.0, 0.8494, 0.0271, 0.0194, 0.1041),
    (0.0, 0.0311, 0.001, 0.001, 0.0343, 0.0279, 0.9047),
    (0.0, 0.0096, 0.0038, 0.0026, 0.001, 0.0019, 0.9812),
)
CALIBRATED_PRIOR = 0.077
"""Share of true pairs among the pairs blocking proposes, on the generator."""

_PRIOR_STRENGTH = 200.0
"""How many pairs' worth of weight the calibrated table keeps against the data in EM."""

_EM_ROUNDS = 30
_SMALLEST = 1e-6


@dataclass(frozen=True, slots=True)
class Weights:
    """Fellegi-Sunter log-likelihood ratios per field and level, and the prior log-odds."""

    table: tuple[tuple[float, ...], ...]
    prior_log_odds: float

    @classmethod
    def from_probabilities(cls, m: Sequence[Sequence[float]], u: Sequence[Sequence[float]],
                           prior: float) -> Weights:
        table = tuple(
            tuple(0.0 if level == MISSING else
                  math.log(max(m[f][level], _SMALLEST) / max(u[f][level], _SMALLEST))
                  for level in range(len(LEVELS[f])))
            for f in range(len(FIELDS)))
        prior = min(max(prior, _SMALLEST), 1 - _SMALLEST)
        return cls(table, math.log(prior / (1 - prior)))

    def evidence(self, pattern: Pattern) -> float:
        """The pair's summed log-likelihood ratio (missing fields add nothing)."""
        return sum(row[level] for row, level in zip(self.table, pattern, strict=True))

    def probability(self, pattern: Pattern) -> float:
        """How likely (0..1) the two records are the same person."""
        log_odds = self.prior_log_odds + self.evidence(pattern)
        if log_odds > 30:
            return 1.0
        return 1.0 / (1.0 + math.exp(-log_odds))


CALIBRATED = Weights.from_probabilities(CALIBRATED_M, CALIBRATED_U, CALIBRATED_PRIOR)


def estimate_weights(patterns: Counter[Pattern], rounds: int = _EM_ROUNDS) -> Weights:
    """u and the share of true pairs re-estimated by EM from the compared pairs' patterns.

    ``m`` (how a true duplicate's fields differ) is a property of how data gets corrupted and is
    kept from the calibration; ``u`` (how often two different people agree by chance) depends on
    the database (one city, one common surname) and is what the scan learns. Letting EM move
    ``m`` too drifts towards "same postcode and city" as the definition of a match, the known
    failure of unconstrained EM when fields are correlated. The calibrated ``u`` acts as a
    Dirichlet prior worth :data:`_PRIOR_STRENGTH` pairs, so a handful of pairs cannot drag it
    anywhere strange; missing levels carry no information and are left out of the counts.
    """
    total = sum(patterns.values())
    if total == 0:
        return CALIBRATED
    u = [list(row) for row in CALIBRATED_U]
    prior = CALIBRATED_PRIOR
    items = list(patterns.items())
    for _ in range(rounds):
        u_counts = [[CALIBRATED_U[f][lv] * _PRIOR_STRENGTH for lv in range(len(LEVELS[f]))]
                    for f in range(len(FIELDS))]
        matched = 0.0
        for pattern, count in items:
            like_m, like_u = prior, 1 - prior
            for f, level in enumerate(pattern):
                if level != MISSING:
                    like_m *= CALIBRATED_M[f][level]
                    like_u *= u[f][level]
            share = like_m / (like_m + like_u) if like_m + like_u > 0 else 0.0
            matched += share * count
            for f, level in enumerate(pattern):
                if level != MISSING:
                    u_counts[f][level] += (1 - share) * count
        for f in range(len(FIELDS)):
            u_sum = sum(u_counts[f])
            u[f] = [c / u_sum for c in u_counts[f]]
        prior = (matched + CALIBRATED_PRIOR * _PRIOR_STRENGTH) / (total + _PRIOR_STRENGTH)
    return Weights.from_probabilities(CALIBRATED_M, u, prior)


# -- normalising the fields -------------------------------------------------------------------

_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_NICKNAMER = NickNamer()


@lru_cache(maxsize=300_000)
def _plain(text: str) -> str:
    """Lower case without accents, other characters kept: 'Müller-Lüdenscheidt' → 'muller-ludenscheidt'."""
    if text.isascii():
        return text.lower().strip()
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("ß", "ss"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


@lru_cache(maxsize=300_000)
def fold_name(text: str) -> str:
    """A name reduced to lower-case letters and digits: 'Jean-Luc' → 'jeanluc'."""
    return _NON_ALNUM.sub("", _plain(text))


@lru_cache(maxsize=100_000)
def nickname_group(first: str) -> frozenset[str]:
    """The folded first name with the formal names it is a nickname of ('bob' → robert, …)."""
    return frozenset({first, *(fold_name(c) for c in _NICKNAMER.canonicals_of(first))})


@lru_cache(maxsize=10_000)
def name_variants(first: str) -> frozenset[str]:
    """A folded first name's nicknames and formal names ('robert' → bob, rob, bobby, …)."""
    return frozenset({*nickname_group(first), *(fold_name(n) for n in _NICKNAMER.nicknames_of(first))})


@lru_cache(maxsize=200_000)
def are_nicknames(a: str, b: str) -> bool:
    """Whether two folded first names are the same name by the ``nicknames`` list (Bob ~ Robert)."""
    if a == b or not a or not b:
        return a == b
    return bool(nickname_group(a) & nickname_group(b))


# Street words that mean the same thing written out or abbreviated, in our markets' languages.
_STREET_WORDS = {
    "strasse": "str", "str": "str", "st": "st", "street": "st", "avenue": "ave", "ave": "ave",
    "av": "ave", "avda": "ave", "avenida": "ave", "road": "rd", "rd": "rd", "boulevard": "bd",
    "blvd": "bd", "bd": "bd", "bld": "bd", "drive": "dr", "dr": "dr", "lane": "ln", "ln": "ln",
    "place": "pl", "pl": "pl", "platz": "pl", "plaza": "pl", "pza": "pl", "plz": "pl",
    "court": "ct", "ct": "ct", "square": "sq", "sq": "sq", "calle": "c", "c": "c", "cl": "c",
    "paseo": "ps", "po": "ps", "camino": "cm", "cmno": "cm", "carretera": "ctra", "ctra": "ctra",
    "chemin": "ch", "ch": "ch", "allee": "all", "all": "all", "impasse": "imp", "imp": "imp",
    "route": "rte", "rte": "rte", "gasse": "g", "weg": "w", "ring": "rg", "damm": "dm",
    "highway": "hwy", "hwy": "hwy", "parkway": "pkwy", "pkwy": "pkwy", "terrace": "ter",
    "ter": "ter", "suite": "", "apt": "", "no": "", "nr": "", "de": "", "del": "", "la": "",
    "du": "", "des": "", "le": "", "the": "", "und": "",
}
_COMPOUND_ENDINGS = (("strasse", "str"), ("str", "str"), ("platz", "pl"), ("weg", "w"),
                     ("gasse", "g"), ("allee", "all"), ("ring", "rg"), ("damm", "dm"))
_HOUSE_NUMBER = re.compile(r"^(\d+)\s*([a-z]?)$")
# Characters OCR confuses with digits in a house number or postcode ('l2' is 12). In a house
# number only when it does not read as one already, since 12b is a number with a suffix.
_OCR_DIGITS = str.maketrans({"o": "0", "i": "1", "l": "1", "s": "5", "b": "8", "z": "2"})


def _street_word(word: str) -> str:
    if word in _STREET_WORDS:
        return _STREET_WORDS[word]
    for ending, short in _COMPOUND_ENDINGS:
        # 'Hauptstraße' and 'Hauptstr.' are one street: the compound's ending is the type word.
        if word.endswith(ending) and len(word) > len(ending) + 2:
            return word[: -len(ending)] + short
    return word


_TOKEN = re.compile(r"[0-9a-z]+")


@lru_cache(maxsize=300_000)
def parse_street(text: str) -> tuple[str, str, str]:
    """(normalised street name, house number, its digits) from a street line.

    'Hauptstraße 12a' → ('hauptstr', '12a', '12'); '12 Main Street' → ('main st', '12', '12');
    '29, rue Alphonse Michel' → ('rue alphonse michel', '29', '29'). The first number is the
    house number wherever it stands; letters OCR reads for digits ('l2') are read back as digits
    only in a token that is otherwise a number.
    """
    house = digits = ""
    words: list[str] = []
    after_number = False
    for token in _TOKEN.findall(_plain(text)):
        if token.isalpha():
            if after_number and len(token) == 1 and house == digits:
                house += token  # 'Hauptstr. 12 a': the letter belongs to the number
            else:
                words.append(token)
            after_number = False
            continue
        after_number = True
        found = _HOUSE_NUMBER.match(token) or _HOUSE_NUMBER.match(token.translate(_OCR_DIGITS))
        if found is None:
            words.append(token)
        elif not house:
            digits = found.group(1).lstrip("0") or "0"
            house = digits + found.group(2)
    return _street_name(" ".join(words)), house, digits


@lru_cache(maxsize=100_000)
def _street_name(words: str) -> str:
    """The street's words with type words in one spelling; many people share a street."""
    return " ".join(w for w in map(_street_word, words.split()) if w)


@lru_cache(maxsize=300_000)
def normalise_postcode(text: str) -> str:
    """Upper case, no spaces or dashes, OCR letters in a digit postcode read as digits."""
    plain = _NON_ALNUM.sub("", _plain(text))
    if sum(c.isdigit() for c in plain) >= len(plain) - 1:
        plain = plain.translate(_OCR_DIGITS)
    return plain.upper()


# -- people and pairs -------------------------------------------------------------------------

@dataclass(slots=True)
class Person:
    """One record's fields normalised once for comparison and blocking."""

    first: str
    last: str
    street: str
    house: str
    house_digits: str
    postcode: str
    city: str
    region: str
    birth: dt.date | None


def prepare_person(first_name: str, last_name: str, street: str, postal_code: str, city: str,
                   region: str, birth_date: dt.date | None) -> Person:
    street_name, house, digits = parse_street(street) if street.strip() else ("", "", "")
    return Person(first=fold_name(first_name), last=fold_name(last_name), street=street_name,
                  house=house, house_digits=digits, postcode=normalise_postcode(postal_code),
                  city=fold_name(city), region=fold_name(region), birth=birth_date)


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


# -- blocking ---------------------------------------------------------------------------------

@lru_cache(maxsize=200_000)
def _nysiis(name: str) -> str:
    return jellyfish.nysiis(name) if name else ""


@lru_cache(maxsize=100_000)
def _formal(first: str) -> str:
    """One stable spelling per nickname group, so Bob and Robert share a block."""
    return min(nickname_group(first)) if first else ""


@lru_cache(maxsize=200_000)
def _name_keys(first: str, last: str) -> tuple[str, ...]:
    """Names in either order by their sound (NYSIIS), as written and with the nickname's formal
    name, so typos that keep the sound, nicknames and swaps share a block."""
    if not (first and last):
        return ()
    sound = _nysiis(last)
    return tuple({"n" + "|".join(sorted((_nysiis(_formal(first)), sound))),
                  "n" + "|".join(sorted((_nysiis(first), sound)))})


def blocking_keys(p: Person) -> list[str]:
    """The blocks a person falls into; each kind of corruption leaves at least one intact."""
    first, last = p.first, p.last
    keys = list(_name_keys(first, last))
    if p.postcode and p.house_digits:
        keys.append(f"p{p.postcode}|{p.house_digits}")  # names badly mangled, address intact
    if p.street and p.house_digits:
        main = max(p.street.split(), key=len)
        keys.append(f"s{main}|{p.house_digits}|{p.city[:2]}")  # postcode missing or wrong
    if p.birth is not None:
        day, month = sorted((p.birth.day, p.birth.month))
        initials = "".join(sorted(first[:1] + last[:1]))
        keys.append(f"d{p.birth.year}-{day}-{month}|{initials}")  # day/month swapped, names swapped
    return keys


def sort_key(p: Person) -> str:
    """The sorted-neighbourhood key: name then postcode."""
    return f"{p.last} {p.first} {p.postcode}"


# -- reasons ----------------------------------------------------------------------------------

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


# -- the pass over many people ----------------------------------------------------------------

MAX_BLOCK = 25
"""Blocks up to this size are compared all-against-all; bigger ones by sorted neighbourhood."""

WINDOW = 3
"""Sorted neighbourhood over everyone: each person meets the next two in name-and-postcode order
(a wider window adds many pairs and, on the generator, no true pair the blocks miss)."""

BLOCK_WINDOW = 6
"""In an oversized block each person meets the next five in name-and-postcode order."""


@dataclass
class LinkStats:
    """What a linkage pass did: blocks, comparisons, the pairs its block cap skipped."""

    people: int = 0
    blocks: int = 0
    oversized_blocks: int = 0
    compared: int = 0
    skipped_by_cap: int = 0
    weights: Weights = CALIBRATED


@dataclass(frozen=True, slots=True)
class Link:
    """Two people (by position) that are probably the same: score 0..100 and the reasons."""

    first: int
    second: int
    score: float
    reasons: tuple[str, ...]


def candidate_pairs(people: Sequence[Person], stats: LinkStats) -> set[int]:
    """The union of every block's pairs and the sorted-neighbourhood pairs, as ``i * n + j``."""
    blocks: dict[str, list[int]] = {}
    for index, person in enumerate(people):
        for key in blocking_keys(person):
            members = blocks.get(key)
            if members is None:
                blocks[key] = [index]
            else:
                members.append(index)
    count = len(people)
    pairs: set[int] = set()
    for members in blocks.values():
        size = len(members)
        if size < 2:
            continue
        stats.blocks += 1
        if size <= MAX_BLOCK:
            # members are in ascending order (appended as people were read), so i < j.
            pairs.update(members[x] * count + members[y]
                         for x in range(size - 1) for y in range(x + 1, size))
            continue
        stats.oversized_blocks += 1
        ordered = sorted(members, key=lambda m: sort_key(people[m]))
        _add_window(pairs, ordered, BLOCK_WINDOW, count)
        windowed = sum(min(BLOCK_WINDOW - 1, size - 1 - x) for x in range(size - 1))
        stats.skipped_by_cap += size * (size - 1) // 2 - windowed
    _add_window(pairs, sorted(range(count), key=lambda m: sort_key(people[m])), WINDOW, count)
    return pairs


def _add_window(pairs: set[int], ordered: Sequence[int], window: int, count: int) -> None:
    """Each member paired with the next ``window - 1`` in ``ordered`` (sorted neighbourhood)."""
    size = len(ordered)
    for x in range(size - 1):
        i = ordered[x]
        for y in range(x + 1, min(size, x + window)):
            j = ordered[y]
            pairs.add(i * count + j if i < j else j * count + i)


def link(people: Sequence[Person], shown: Sequence[Shown], *, min_score: float,
         stats: LinkStats | None = None, cancelled: Callable[[], bool] | None = None,
         progress: Callable[[int, int], None] | None = None,
         estimate: bool = True) -> list[Link]:
    """Pairs among ``people`` whose probability of being one person is at least ``min_score``%.

    Every candidate pair is compared once into its agreement pattern; with ``estimate`` the
    weights are then re-estimated by EM on those patterns, and each distinct pattern is scored
    once. Reasons are written only for the pairs reported.
    """
    stats = stats if stats is not None else LinkStats()
    stats.people = len(people)
    compared: list[tuple[int, int, Detail, bool]] = []
    count = len(people)
    pairs = candidate_pairs(people, stats)
    for done, pair in enumerate(pairs):
        if done % 20_000 == 0:
            if cancelled is not None and cancelled():
                break
            if progress is not None:
                progress(done, len(pairs))
        i, j = divmod(pair, count)
        detail, swapped = compare(people[i], people[j])
        # comparable(detail), written out: this loop runs for every candidate pair.
        if (detail[0] or detail[1]) and (detail[2] or detail[3] or detail[4] or detail[7]):
            compared.append((i, j, detail, swapped))
    stats.compared = len(compared)
    patterns = {detail: pattern_of(detail) for detail in {d for _i, _j, d, _s in compared}}
    counts = Counter(patterns[detail] for _i, _j, detail, _s in compared)
    weights = estimate_weights(counts) if estimate else CALIBRATED
    stats.weights = weights
    threshold = min_score / 100
    scores = {pattern: weights.probability(pattern) for pattern in counts}
    found = []
    for i, j, detail, swapped in compared:
        probability = scores[patterns[detail]]
        if probability >= threshold:
            found.append(Link(i, j, round(100 * probability, 1),
                              reasons(detail, swapped, shown[i], shown[j], people[i], people[j])))
    return found
