"""Names, streets, house numbers and postcodes folded once for comparison and blocking."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from nicknames import NickNamer

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


# -- people --------------------------------------------------------------------------------------

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
