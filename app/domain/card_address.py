"""The postal address on a business card: street, postal code and city, country.

Postal lines as Germany, France, Spain, Austria, Switzerland, the Netherlands, the UK and the
US write them, with the spaces OCR drops ("28014Madrid", "CalledeAlcalá45") put back.
"""

from __future__ import annotations

import re

import phonenumbers

from app.domain.card_fields import FieldGuess, OcrLine, guess_from
from app.domain.card_text import restore_sharp_s, restore_spaces, split_camel_case
from app.domain.card_vocabulary import STREET_WORDS, is_street_line, is_title_line
from app.domain.contact_data import normalise_country

#: "10117 Berlin", "D-80331 München", "75002 Paris", "28014 Madrid", "1010 Wien", "1012 AB Amsterdam"
_POSTAL_CITY = re.compile(r"^(?:[A-Z]{1,2}-\s?)?(\d{4,5}(?:\s?[A-Z]{2}(?=\s))?)\s*"
                          r"([^\W\d_][^\d,]*?)\s*$")
#: "London SW1A 1AA", "Austin, TX 78701"
_UK_POSTAL = re.compile(r"^([^\W\d_][^\d,]*?[a-z]),?\s*([A-Z]{1,2}[\dlIO][A-Z\d]?\s*\d[A-Z]{2})$")
_US_POSTAL = re.compile(r"^([^\W\d_][^\d,]*?),\s*([A-Z]{2})\s+(\d{5}(?:-\d{4})?)$")


def take_address(lines: list[OcrLine], guesses: dict[str, FieldGuess]) -> list[OcrLine]:
    """Street, postal code, city, region and country into ``guesses``; returns the other lines.

    The street is a line that reads as one, the part before the postal code on the same line,
    or the line just above the postal code when it holds a house number.
    """
    rest: list[OcrLine] = []
    for index, line in enumerate(lines):
        whole = [line.text] if _UK_POSTAL.match(line.text) or _US_POSTAL.match(line.text) else []
        parts = whole or [p.strip() for p in line.text.split(",")]
        if _take_country(line, parts, guesses):
            continue
        for at, part in enumerate(parts):
            if "city" not in guesses and _take_postal_city(part, line, guesses, parts[at + 1:]):
                street = ", ".join(parts[:at])
                if street and "street" not in guesses:
                    guesses["street"] = guess_from(_street(street), 0.85, line)
                elif "street" not in guesses and index and any(
                        c.isdigit() for c in lines[index - 1].text) and rest \
                        and rest[-1] is lines[index - 1]:
                    above = rest.pop()
                    guesses["street"] = guess_from(_street(above.text), 0.7, above)
                break
        else:
            if "street" not in guesses and is_street_line(_street(line.text)):
                guesses["street"] = guess_from(_street(line.text), 0.85, line)
            else:
                rest.append(line)
    return rest


def _street(text: str) -> str:
    """Spaces OCR dropped in a street line: around the house number ("Friedrichstraße123",
    "12,rue"), between capitalised words ("BakerStreet") and after street words
    ("CalledeAlcalá")."""
    text = re.sub(r"(?<=[^\W\d_]{2})(?=\d)|(?<=\d)(?=[^\W\d_]{3})|(?<=,)(?=\S)", " ",
                  restore_sharp_s(text))
    return restore_spaces(split_camel_case(" ".join(text.split())), STREET_WORDS)


def _take_postal_city(part: str, line: OcrLine, guesses: dict[str, FieldGuess],
                      after: list[str]) -> bool:
    found = _POSTAL_CITY.match(part)
    postal, city = (found.group(1), found.group(2)) if found else ("", "")
    if found is None and (uk := _UK_POSTAL.match(part)):
        city, postal = uk.group(1), uk.group(2).replace(" ", "")
        outward = re.sub(r"(?<=[A-Z])[lI]", "1", postal[:-3]).replace("O", "0")
        postal = f"{outward} {postal[-3:]}"  # OCR reads the district's 1 as l or I
    elif found is None and (us := _US_POSTAL.match(part)):
        city, postal = us.group(1), us.group(3)
        guesses["region"] = guess_from(us.group(2), 0.8, line)
    if not postal or not city or is_title_line(city):
        return False
    guesses["postal_code"] = guess_from(postal, 0.9, line)
    guesses["city"] = guess_from(city, 0.85, line)
    for rest in after:
        _take_country(line, [rest], guesses)
    return True


def _take_country(line: OcrLine, parts: list[str], guesses: dict[str, FieldGuess]) -> bool:
    text = parts[-1]
    if "country" in guesses or len(text) < 4 or any(c.isdigit() for c in text):
        return False
    try:
        code = normalise_country(text)
    except ValueError:
        return False
    guesses["country"] = guess_from(code, 0.9, line)
    return len(parts) == 1


def infer_country(guesses: dict[str, FieldGuess]) -> None:
    """A card without a country line: the country its phone number dials, when it has an
    address (a postal code means little without one)."""
    if "country" in guesses or "postal_code" not in guesses:
        return
    for kind in ("phone", "mobile"):
        if kind in guesses:
            try:
                number = phonenumbers.parse(guesses[kind].value, None)
            except phonenumbers.NumberParseException:
                continue
            code = phonenumbers.region_code_for_number(number)
            if code and code != "ZZ":
                guesses["country"] = FieldGuess(code, 0.5, guesses[kind].line)
                return
