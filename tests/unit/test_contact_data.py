"""Normalisation of contact data: email, phone, country, dates, money (examples and properties)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import phonenumbers
import pycountry
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.contact_data import (
    country_name,
    format_money,
    format_phone_for_display,
    normalise_country,
    normalise_email,
    normalise_phone,
    parse_date,
    parse_money,
)

FAST = settings(max_examples=150, deadline=None)
REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS)
EXAMPLE_REGIONS = [r for r in REGIONS if phonenumbers.example_number(r) is not None]


# -- email ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("typed", "stored"), [
    ("max@example.com", "max@example.com"),
    ("  Max.Muster@Example.COM ", "max.muster@example.com"),
    ("a+tag@sub.example.co.uk", "a+tag@sub.example.co.uk"),
    ("Jürgen@Bücher.example", "jürgen@bücher.example"),
])
def test_normalise_email(typed: str, stored: str) -> None:
    assert normalise_email(typed) == stored


@pytest.mark.parametrize("typed", ["", "max", "max@", "@example.com", "max@exa mple.com",
                                   "max@@example.com", "max@example", "max@example..com"])
def test_normalise_email_refuses(typed: str) -> None:
    with pytest.raises(ValueError, match="is not a valid email address"):
        normalise_email(typed)


@FAST
@given(st.emails())
def test_normalise_email_is_idempotent(address: str) -> None:
    try:
        once = normalise_email(address)
    except ValueError:
        return  # hypothesis' addresses may use special-use domains that are refused
    assert normalise_email(once) == once
    assert once == once.lower()


# -- phone ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("typed", "region", "e164"), [
    ("030 1234567", "DE", "+49301234567"),
    ("+49 (0)30 123 45 67", None, "+49301234567"),
    ("+49-30-1234567", "US", "+49301234567"),
    ("0049 30 1234567", "DE", "+49301234567"),
    ("(212) 555-0100", "us", "+12125550100"),
    ("01 23 45 67 89", "FR", "+33123456789"),
    ("06 1234 5678", "IT", "+390612345678"),  # Italian numbers keep their leading zero
])
def test_normalise_phone(typed: str, region: str | None, e164: str) -> None:
    assert normalise_phone(typed, region) == e164


def test_normalise_phone_needs_a_region_or_plus() -> None:
    with pytest.raises(ValueError, match=r"start it with \+country code"):
        normalise_phone("030 1234567", None)


@pytest.mark.parametrize(("typed", "region", "words"), [
    ("123", "US", "is not a possible phone number in US"),
    ("+1 212", None, "is not a possible phone number$"),
    ("+49 3", None, "is not a phone number$"),
    ("call me", "DE", "is not a phone number$"),
])
def test_normalise_phone_refuses(typed: str, region: str | None, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        normalise_phone(typed, region)


@pytest.mark.parametrize(("typed", "region"), [("+49 30", None), ("12", "DE"), ("030", "DE")])
def test_normalise_phone_refuses_local_only_fragments(typed: str, region: str | None) -> None:
    with pytest.raises(ValueError, match="is not a possible phone number"):
        normalise_phone(typed, region)


@st.composite
def typed_phones(draw: st.DrawFn) -> str:
    """Mostly plausible numbers (a region's example with other digits), typed in varied ways;
    sometimes arbitrary phone-ish text."""
    if draw(st.integers(0, 4)) == 0:
        return draw(st.text(alphabet="0123456789 -()+.", min_size=1, max_size=20))
    example = phonenumbers.example_number(draw(st.sampled_from(EXAMPLE_REGIONS)))
    assert example is not None
    national = str(example.national_number)
    keep = draw(st.integers(1, len(national)))
    digits = national[:keep] + draw(st.text(alphabet="0123456789", min_size=len(national) - keep,
                                            max_size=len(national) - keep))
    separator = draw(st.sampled_from(["", " ", "-", " / "]))
    groups = [digits[i:i + 3] for i in range(0, len(digits), 3)]
    return f"+{example.country_code}{separator or ' '}{separator.join(groups)}"


TYPED_PHONES = typed_phones()


@FAST
@given(st.sampled_from(REGIONS), TYPED_PHONES)
def test_normalise_phone_output_reparses_to_itself(region: str, typed: str) -> None:
    """Whatever is accepted comes out as E.164 that normalises to itself from any region."""
    try:
        e164 = normalise_phone(typed, region)
    except ValueError:
        return
    assert e164.startswith("+") and e164[1:].isdigit()
    assert normalise_phone(e164, None) == e164
    assert normalise_phone(e164, "US") == e164
    assert normalise_phone(format_phone_for_display(e164), None) == e164


@FAST
@given(st.sampled_from(EXAMPLE_REGIONS), st.data())
def test_example_numbers_round_trip_through_national_format(region: str, data: st.DataObject
                                                            ) -> None:
    example = phonenumbers.example_number(region)
    assert example is not None
    national = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
    e164 = phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)
    assert normalise_phone(national, region) == e164
    other = data.draw(st.sampled_from(REGIONS))
    assert normalise_phone(e164, other) == e164


def test_format_phone_for_display() -> None:
    assert format_phone_for_display("+49301234567") == "+49 30 1234567"
    assert format_phone_for_display("not a number") == "not a number"


# -- country ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("typed", "code"), [
    ("DE", "DE"), ("de", "DE"), (" deu ", "DE"), ("Germany", "DE"), ("germany", "DE"),
    ("United Kingdom", "GB"), ("USA", "US"), ("", ""), ("  ", ""),
])
def test_normalise_country(typed: str, code: str) -> None:
    assert normalise_country(typed) == code


@pytest.mark.parametrize("typed", ["Atlantis", "XX", "D"])
def test_normalise_country_refuses(typed: str) -> None:
    with pytest.raises(ValueError, match="is not a country: use a two-letter ISO code"):
        normalise_country(typed)


COUNTRY_SPELLINGS = st.sampled_from(list(pycountry.countries)).flatmap(
    lambda c: st.sampled_from([c.alpha_2, c.alpha_3, c.name, c.alpha_2.lower(),
                               c.name.upper()]))


@FAST
@given(COUNTRY_SPELLINGS)
def test_normalise_country_is_idempotent(typed: str) -> None:
    code = normalise_country(typed)
    assert len(code) == 2 and code.isupper()
    assert normalise_country(code) == code
    assert normalise_country(country_name(code)) == code


def test_country_name() -> None:
    assert country_name("de") == "Germany"
    assert country_name("") == ""
    assert country_name("ZZ") == "ZZ"


# -- dates ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("typed", "date"), [
    ("2026-11-22", dt.date(2026, 11, 22)),
    (" 22.11.2026 ", dt.date(2026, 11, 22)),
    ("1.2.2026", dt.date(2026, 2, 1)),
])
def test_parse_date(typed: str, date: dt.date) -> None:
    assert parse_date(typed) == date


@pytest.mark.parametrize("typed", ["03/04/2026", "2026-02-30", "31.02.2026", "tomorrow", "",
                                   "22.11.26"])
def test_parse_date_refuses(typed: str) -> None:
    with pytest.raises(ValueError, match="is not a date: use YYYY-MM-DD"):
        parse_date(typed)


@FAST
@given(st.dates(min_value=dt.date(1000, 1, 1)))
def test_parse_date_round_trips_iso_and_german(date: dt.date) -> None:
    assert parse_date(date.isoformat()) == date
    assert parse_date(f"{date.day}.{date.month}.{date.year:04d}") == date
    assert parse_date(f"{date.day:02d}.{date.month:02d}.{date.year:04d}") == date


# -- money ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("typed", "minor"), [
    ("12500", 1250000), ("12500.5", 1250050), ("12,500.50", 1250050), ("12 500", 1250000),
    ("12\u00a0500,50", 1250050), ("12,5", 1250), ("0", 0), ("0.01", 1), (" 7.10 ", 710),
    ("1,234,567.89", 123456789),
])
def test_parse_money(typed: str, minor: int) -> None:
    assert parse_money(typed) == minor


@pytest.mark.parametrize(("typed", "words"), [
    ("a lot", "is not an amount"), ("", "is not an amount"), ("-5", "is negative"),
    ("12.50 EUR", "is not an amount"),
])
def test_parse_money_refuses(typed: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_money(typed)


@pytest.mark.parametrize("typed", ["NaN", "Infinity", "1e999999"])
def test_parse_money_refuses_non_numbers_with_value_error(typed: str) -> None:
    with pytest.raises(ValueError):
        parse_money(typed)


def test_parse_money_german_thousands_and_decimal_comma() -> None:
    assert parse_money("1.234,56") == 123456


@pytest.mark.parametrize("typed", ["0.005", "12.345"])
def test_parse_money_refuses_fractions_of_a_cent(typed: str) -> None:
    with pytest.raises(ValueError):
        parse_money(typed)


AMOUNTS = st.decimals(min_value=0, max_value=Decimal("9" * 15 + ".99"), places=2,
                      allow_nan=False, allow_infinity=False)


@FAST
@given(AMOUNTS)
def test_parse_money_is_exact_for_two_decimal_amounts(amount: Decimal) -> None:
    """Amounts beyond float precision (15+ digits) survive: no float on the way."""
    minor = int(amount * 100)
    assert parse_money(f"{amount:.2f}") == minor
    assert parse_money(f"{amount:,.2f}") == minor
    assert parse_money(format_money(minor)) == minor
    assert format_money(minor) == f"{amount:,.2f}"


def test_parse_money_beyond_float_precision() -> None:
    assert parse_money("90071992547409.93") == 9007199254740993  # 2**53 + 1 cents
    assert float("90071992547409.93") * 100 != 9007199254740993


def test_format_money() -> None:
    assert format_money(None) == ""
    assert format_money(0) == "0.00"
    assert format_money(1250050, "EUR") == "12,500.50 EUR"
