"""Normalisation of contact data on the way in: email, phone, country, dates, money.

Each function either returns the normalised value or raises ``ValueError`` with a message
meant for a person ("'+49 30' is too short for a phone number"). Callers attach the field name.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

import phonenumbers
import pycountry
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
    if not phonenumbers.is_possible_number(number):
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
    """Accept an ISO alpha-2 or alpha-3 code or an English country name; return alpha-2."""
    text = text.strip()
    if not text:
        return ""
    try:
        country = pycountry.countries.lookup(text)
    except LookupError:
        raise ValueError(
            f"'{text}' is not a country: use a two-letter ISO code such as DE, US or FR"
        ) from None
    return str(country.alpha_2)


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_2=code.upper()) if code else None
    return str(country.name) if country else code


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


def parse_money(text: str) -> int:
    """'12,500.50', '12500.5', '12 500' → minor units (1250050). Never goes through float."""
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "")
    if cleaned.count(",") and "." in cleaned:
        cleaned = cleaned.replace(",", "")
    elif cleaned.count(",") == 1 and len(cleaned.split(",")[1]) <= 2:
        cleaned = cleaned.replace(",", ".")
    else:
        cleaned = cleaned.replace(",", "")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"'{text}' is not an amount: use digits, e.g. 12500.00") from None
    if amount < 0:
        raise ValueError(f"'{text}' is negative: amounts must be zero or more")
    return int((amount * 100).quantize(Decimal(1)))


def format_money(minor_units: int | None, currency: str = "") -> str:
    if minor_units is None:
        return ""
    text = f"{Decimal(minor_units) / 100:,.2f}"
    return f"{text} {currency}".strip()
