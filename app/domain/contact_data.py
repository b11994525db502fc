"""Normalisation of contact data on the way in: email, phone, country, dates, money.

Each function either returns the normalised value or raises ``ValueError`` with a message
meant for a person ("'+49 30' is too short for a phone number"). Callers attach the field name.
"""

from __future__ import annotations

import datetime as dt
import gettext
import re
import unicodedata
from decimal import Decimal
from functools import cache

import phonenumbers
import pycountry
from babel import Locale
from email_validator import EmailNotValidError, validate_email


def normalise_email(text: str) -> str:
    """Syntax-check an address offline and return it in canonical lower case."""
    text = text.strip()
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"'{text}' is not a valid email address: {exc}") from None
    return result.normalized.lower()


def normalise_phone(text: str, default_region: str | None) -> str:
    """Parse a phone number as typed; return E.164. ``default_region`` is an ISO country."""
    text = text.strip()
    region = (default_region or "").upper() or None
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        hint = "" if region or text.startswith("+") else " (start it with +country code)"
        raise ValueError(f"'{text}' is not a phone number{hint}") from None
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason != phonenumbers.ValidationResult.IS_POSSIBLE:
        where = f" in {region}" if region and not text.startswith("+") else ""
        raise ValueError(f"'{text}' is not a possible phone number{where}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone_for_display(e164: str) -> str:
    """International format with spaces, for lists and reports."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def normalise_country(text: str) -> str:
    """ISO alpha-2 or alpha-3 codes, or a country name as people write it; returns alpha-2.

    The single place country text is read (lead fields, badge addresses, registration lists,
    events): codes with or without dots ("U.S.A.", "U.K."), upper case, and names in English,
    German, French, Spanish and other European languages ("Deutschland", "Allemagne",
    "Vereinigte Staaten", "España"), so phone numbers get the right country code.
    """
    text = text.strip().strip(",;")
    if not text:
        return ""
    code = _country_code(text)
    if code is None:
        raise ValueError(
            f"'{text}' is not a country: use a two-letter ISO code such as DE, US or FR")
    return code


def _country_code(text: str) -> str | None:
    dotless = re.sub(r"[.\s]", "", text) if "." in text else text
    for candidate in dict.fromkeys((text, dotless)):
        if len(candidate) in (2, 3) and candidate.isascii() and candidate.isalpha():
            country = pycountry.countries.get(alpha_2=candidate.upper()) if len(candidate) == 2 \
                else pycountry.countries.get(alpha_3=candidate.upper())
            if country is not None:
                return str(country.alpha_2)
    names = _country_names()
    for candidate in (text, text.replace(".", ". "), dotless):
        code = names.get(_fold(candidate))
        if code is not None:
            return code
    return None


_NAME_LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pt", "pl", "sv", "da", "fi", "cs")
# Everyday names that neither ISO 3166 nor CLDR list (they name a part, or an old form, of the
# country) but exports and badges write all the time.
_COLLOQUIAL_NAMES = {
    "GB": ("uk", "great britain", "britain", "england", "scotland", "wales", "großbritannien",
           "grande-bretagne", "angleterre", "gran bretaña", "inglaterra"),
    "US": ("usa", "united states of america", "america", "amerika", "etats-unis d'amerique",
           "eeuu", "ee uu"),
    "NL": ("holland",), "CZ": ("czech republic", "tschechei"), "TR": ("turkey", "turkei"),
}


def _fold(text: str) -> str:
    """Case- and accent-insensitive key: 'ESPAÑA', 'España', 'espana' are the same country."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


@cache
def _country_names() -> dict[str, str]:
    """Country names as exports write them (Deutschland, Allemagne, Alemania…) → alpha-2.

    Built once from the ISO 3166 names and translations pycountry ships and the CLDR territory
    names babel ships (the short forms people use: "Vereinigte Staaten", "Royaume-Uni"), so no
    list of names is kept here beyond the colloquial few above.
    """
    names: dict[str, str] = {}
    for code, colloquial in _COLLOQUIAL_NAMES.items():
        names.update((_fold(name), code) for name in colloquial)
    iso_codes = {str(country.alpha_2) for country in pycountry.countries}
    for language in _NAME_LANGUAGES:
        for code, name in Locale.parse(language).territories.items():
            if code in iso_codes:
                names.setdefault(_fold(name), code)
        try:
            translation = gettext.translation("iso3166-1", pycountry.LOCALES_DIR,
                                              languages=[language])
        except OSError:
            translation = gettext.NullTranslations()
        for country in pycountry.countries:
            for attribute in ("name", "common_name", "official_name"):
                name = getattr(country, attribute, "")
                if name:
                    names.setdefault(_fold(translation.gettext(name)), country.alpha_2)
    return names


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code.upper()) if code else None
    return str(country.name) if country else code


YES_WORDS = frozenset({"yes", "y", "true", "1", "on", "ja", "oui", "si", "sí"})
NO_WORDS = frozenset({"no", "n", "false", "0", "off", "nein", "non"})


def parse_yes_no(text: str) -> bool | None:
    """Yes/no as people type it, in a few languages; None when nothing was typed."""
    word = text.strip().casefold()
    if not word:
        return None
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    raise ValueError(f"'{text.strip()}' is not yes or no")


_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


def parse_date(text: str) -> dt.date:
    """ISO dates (2026-11-22) and the unambiguous German style (22.11.2026).

    Slash dates like 03/04/2026 are refused: they mean different days in the US and Europe.
    """
    text = text.strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    match = _DMY.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        try:
            return dt.date(year, month, day)
        except ValueError:
            pass
    raise ValueError(f"'{text}' is not a date: use YYYY-MM-DD, e.g. 2026-11-22")


_AMOUNT = re.compile(r"^\d+(\.\d{1,2})?$")


def parse_money(text: str) -> int:
    """'12,500.50', '1.234,56', '12500.5', '12 500' → minor units. Never goes through float.

    The last of ',' and '.' is the decimal mark when both appear. A lone separator followed by
    exactly three digits (12,500) means thousands in one country and decimals in another, so it
    is refused with a hint rather than guessed. More than two decimals are refused, not rounded.
    """
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "").replace("'", "")
    if cleaned.startswith("-"):
        raise ValueError(f"'{text}' is negative: amounts must be zero or more")
    normalised = _decimal_point(cleaned)
    if normalised is None or not _AMOUNT.match(normalised):
        raise ValueError(f"'{text}' is not an amount: write digits with up to two "
                         "decimals, e.g. 12500.00")
    return int(Decimal(normalised) * 100)


def _decimal_point(cleaned: str) -> str | None:
    """Rewrite an amount with '.' as the only separator (or None if it is ambiguous)."""
    if "," in cleaned and "." in cleaned:
        decimal_mark = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        whole, _, fraction = cleaned.rpartition(decimal_mark)
        groups = whole.split(thousands)
        if any(len(g) != 3 for g in groups[1:]):
            return None
        return "".join(groups) + "." + fraction
    for mark in (",", "."):
        if mark not in cleaned:
            continue
        parts = cleaned.split(mark)
        if len(parts) == 2:
            # 12,5 and 12.50 are decimals; 12,500 or 12.500 could be either, so refuse them.
            return None if len(parts[1]) == 3 else parts[0] + "." + parts[1]
        if parts[0] in ("", "0") or any(len(p) != 3 for p in parts[1:]):
            return None
        return "".join(parts)  # several thousands groups: 1,234,567 / 1.234.567
    return cleaned


def format_money(minor_units: int | None, currency: str = "") -> str:
    if minor_units is None:
        return ""
    text = f"{Decimal(minor_units) / 100:,.2f}"
    return f"{text} {currency}".strip()
