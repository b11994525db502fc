"""Routing conditions: the lead facts a rule looks at, and how each condition kind is checked and matched."""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from app.domain.data_quality import company_key
from app.domain.errors import ValidationError
from app.domain.leads import Channel, LeadRecord, LeadStatus, Rating


class ConditionKind(StrEnum):
    COUNTRY = "country"
    REGION = "region"
    POSTAL_PREFIX = "postal_prefix"
    POSTAL_RANGE = "postal_range"
    PHONE_AREA_CODE = "phone_area_code"
    INDUSTRY = "industry"
    PRODUCT_INTEREST = "product_interest"
    KEY_ACCOUNT = "key_account"
    EVENT = "event"
    CHANNEL = "channel"
    SCORE_AT_LEAST = "score_at_least"
    SCORE_BELOW = "score_below"
    RATING = "rating"

    @property
    def label(self) -> str:
        return _CONDITION_LABELS[self]


_CONDITION_LABELS = {
    ConditionKind.COUNTRY: "Country",
    ConditionKind.REGION: "State / region",
    ConditionKind.POSTAL_PREFIX: "Postal code starts with",
    ConditionKind.POSTAL_RANGE: "Postal code range",
    ConditionKind.PHONE_AREA_CODE: "Phone area code",
    ConditionKind.INDUSTRY: "Industry",
    ConditionKind.PRODUCT_INTEREST: "Product interest",
    ConditionKind.KEY_ACCOUNT: "Key account",
    ConditionKind.EVENT: "Event",
    ConditionKind.CHANNEL: "Channel",
    ConditionKind.SCORE_AT_LEAST: "Score at least",
    ConditionKind.SCORE_BELOW: "Score below",
    ConditionKind.RATING: "Rating",
}
_DESCRIBE = {
    ConditionKind.COUNTRY: "country in {}",
    ConditionKind.REGION: "region in {}",
    ConditionKind.POSTAL_PREFIX: "postal code starts with {}",
    ConditionKind.POSTAL_RANGE: "postal code in {}",
    ConditionKind.PHONE_AREA_CODE: "phone starts with {}",
    ConditionKind.INDUSTRY: "industry in {}",
    ConditionKind.PRODUCT_INTEREST: "interested in {}",
    ConditionKind.KEY_ACCOUNT: "key account {}",
    ConditionKind.EVENT: "captured at event {}",
    ConditionKind.CHANNEL: "channel in {}",
    ConditionKind.SCORE_AT_LEAST: "score ≥ {}",
    ConditionKind.SCORE_BELOW: "score < {}",
    ConditionKind.RATING: "rated {}",
}
_SPLIT = re.compile(r"[,;\n]+")
_AREA_CODE = re.compile(r"^\+[1-9]\d{0,9}$")
_DOMAIN = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}$")
_SCORE_KINDS = frozenset({ConditionKind.SCORE_AT_LEAST, ConditionKind.SCORE_BELOW})
_FIELDS_OF: dict[ConditionKind, frozenset[str]] = {
    ConditionKind.COUNTRY: frozenset({"country"}),
    ConditionKind.REGION: frozenset({"region"}),
    ConditionKind.POSTAL_PREFIX: frozenset({"postal_code"}),
    ConditionKind.POSTAL_RANGE: frozenset({"postal_code"}),
    ConditionKind.PHONE_AREA_CODE: frozenset({"phone_e164", "mobile_e164"}),
    ConditionKind.INDUSTRY: frozenset({"industry"}),
    ConditionKind.PRODUCT_INTEREST: frozenset({"product_interest"}),
    ConditionKind.KEY_ACCOUNT: frozenset({"company", "email"}),
    ConditionKind.EVENT: frozenset({"event_id"}),
    ConditionKind.CHANNEL: frozenset({"channel"}),
    ConditionKind.SCORE_AT_LEAST: frozenset({"score"}),
    ConditionKind.SCORE_BELOW: frozenset({"score"}),
    ConditionKind.RATING: frozenset({"rating"}),
}


# Not frozen: a re-assignment preview builds one per open lead (665,000 in the benchmark) and a
# frozen dataclass's __init__ costs three times as much. Treat instances as read-only.
@dataclass(slots=True, kw_only=True)
class RoutingFacts:
    """What routing looks at for one lead, including where it is now (for re-application)."""

    lead_id: uuid.UUID
    country: str = ""  # ISO2
    region: str = ""
    postal_code: str = ""
    phone_e164: str = ""
    mobile_e164: str = ""
    industry: str = ""
    product_interest: str = ""
    company: str = ""
    email: str = ""
    event_id: uuid.UUID | None = None
    channel: str = Channel.OTHER
    score: int = 0
    rating: Rating | None = None
    status: LeadStatus = LeadStatus.INQUIRY
    owner_id: uuid.UUID | None = None
    team_id: uuid.UUID | None = None
    queue_id: uuid.UUID | None = None

    @classmethod
    def of_lead(cls, lead: LeadRecord) -> RoutingFacts:
        return cls(lead_id=lead.id, country=lead.country, region=lead.region,
                   postal_code=lead.postal_code, phone_e164=lead.phone_e164,
                   mobile_e164=lead.mobile_e164, industry=lead.industry,
                   product_interest=lead.product_interest, company=lead.company,
                   email=lead.email, event_id=lead.event_id, channel=lead.channel,
                   score=lead.score, rating=lead.rating, status=lead.status,
                   owner_id=lead.owner_id, team_id=lead.team_id, queue_id=lead.queue_id)

    @classmethod
    def of_values(cls, lead: Mapping[str, Any], *, score: int, status: LeadStatus,
                  default_channel: Channel = Channel.IMPORT) -> RoutingFacts:
        """Facts of a lead not yet stored, given as column values (an import's rows); it has no
        place yet, routing gives it one."""
        rating = lead.get("rating")
        return cls(lead_id=lead["id"], country=str(lead.get("country") or ""),
                   region=str(lead.get("region") or ""),
                   postal_code=str(lead.get("postal_code") or ""),
                   phone_e164=str(lead.get("phone_e164") or ""),
                   mobile_e164=str(lead.get("mobile_e164") or ""),
                   industry=str(lead.get("industry") or ""),
                   product_interest=str(lead.get("product_interest") or ""),
                   company=str(lead.get("company") or ""), email=str(lead.get("email") or ""),
                   event_id=lead.get("event_id"),
                   channel=Channel(lead.get("channel") or default_channel), score=score,
                   rating=Rating(rating) if rating else None, status=status)


# company_key runs a regex loop; companies repeat across leads, so remember the answers.
_company_key = functools.lru_cache(maxsize=65_536)(company_key)


@functools.lru_cache(maxsize=4_096)
def _fold(text: str) -> str:
    """Case- and spacing-insensitive form of a region or industry (few distinct values)."""
    return " ".join(text.casefold().split())


def _email_domain(email: str) -> str:
    # Emails are stored normalised (contact_data.normalise_email), so lower() is enough.
    return email.rpartition("@")[2].lower()


@dataclass(frozen=True, slots=True)
class Condition:
    """One test on a lead; ``values`` are alternatives (any one matching is enough).

    Values are validated and normalised on construction (country codes upper-case, postal
    codes without spaces, channels and ratings as their stored values), so two conditions
    that mean the same compare equal and a bad value is refused when the rule is saved.
    """

    kind: ConditionKind
    values: tuple[str, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "values", _normalise(self.kind, self.values))

    @classmethod
    def parse(cls, kind: ConditionKind, text: str) -> Condition:
        """From what a person types: alternatives separated by commas, semicolons or lines."""
        return cls(kind, tuple(_SPLIT.split(text)))

    def describe(self) -> str:
        return _DESCRIBE[self.kind].format(", ".join(self.values))

    def matches(self, facts: RoutingFacts) -> bool:
        return _predicate(self)(facts)


def _normalise(kind: ConditionKind, raw: Iterable[str]) -> tuple[str, ...]:
    values = [" ".join(str(v).split()) for v in raw]
    values = [v for v in values if v]
    name = kind.label

    def bad(message: str) -> ValidationError:
        return ValidationError.single(name, message)

    if not values:
        raise bad("needs at least one value")
    if kind in _SCORE_KINDS:
        if len(values) != 1 or not re.fullmatch(r"-?\d+", values[0]):
            raise bad(f"'{', '.join(values)}' is not one whole number")
        return (str(int(values[0])),)
    out: list[str] = []
    for value in values:
        if kind is ConditionKind.COUNTRY:
            code = value.upper()
            if len(code) != 2 or not code.isalpha():
                raise bad(f"'{value}' is not a two-letter country code such as DE")
            out.append(code)
        elif kind is ConditionKind.POSTAL_PREFIX:
            out.append(value.replace(" ", "").upper())
        elif kind is ConditionKind.POSTAL_RANGE:
            out.append(_check_range(value, bad))
        elif kind is ConditionKind.PHONE_AREA_CODE:
            code = re.sub(r"[\s\-()]", "", value)
            if code.startswith("00"):
                code = "+" + code[2:]
            if not _AREA_CODE.match(code):
                raise bad(f"'{value}' is not an international prefix such as +1415 or +4989")
            out.append(code)
        elif kind is ConditionKind.EVENT:
            try:
                out.append(str(uuid.UUID(value)))
            except ValueError:
                raise bad(f"'{value}' is not an event id") from None
        elif kind is ConditionKind.CHANNEL:
            try:
                out.append(Channel(value.lower().replace(" ", "_")).value)
            except ValueError:
                raise bad(f"'{value}' is not a channel: use one of "
                          + ", ".join(c.value for c in Channel)) from None
        elif kind is ConditionKind.RATING:
            try:
                out.append(Rating(value.lower()).value)
            except ValueError:
                raise bad(f"'{value}' is not hot, warm or cold") from None
        elif kind is ConditionKind.KEY_ACCOUNT and _is_domain(value):
            out.append("@" + value.lower().lstrip("@").removeprefix("www."))
        else:
            out.append(value)
    return tuple(dict.fromkeys(out))  # duplicates removed, order kept


def _is_domain(value: str) -> bool:
    """'@acme.com' and 'acme.com' are email domains; 'Acme Inc.' is a company name."""
    return value.startswith("@") or bool(_DOMAIN.match(value.lower()))


def _check_range(value: str, bad: Callable[[str], ValidationError]) -> str:
    text = value.replace(" ", "").upper()
    low, dash, high = text.partition("-")
    if not dash or not low or not high or not low.isalnum() or not high.isalnum():
        raise bad(f"'{value}' is not a range such as 10000-19999")
    if low.isdigit() != high.isdigit():
        raise bad(f"'{value}' mixes a number and letters: write both ends alike, "
                  "such as 10000-19999")
    if low.isdigit():
        if int(low) > int(high):
            raise bad(f"'{value}' starts above where it ends")
    else:
        if len(low) != len(high):
            raise bad(f"'{value}': both ends need the same length, such as SW1A-SW9Z")
        if low > high:
            raise bad(f"'{value}' starts above where it ends")
    return f"{low}-{high}"


Predicate = Callable[[RoutingFacts], bool]


def _predicate(condition: Condition) -> Predicate:
    """A condition compiled into a function of the facts (normalisation done once here)."""
    kind, values = condition.kind, condition.values
    if kind is ConditionKind.COUNTRY:
        countries = frozenset(values)
        return lambda f: f.country.upper() in countries
    if kind in (ConditionKind.REGION, ConditionKind.INDUSTRY):
        wanted = frozenset(v.casefold() for v in values)
        attr = "region" if kind is ConditionKind.REGION else "industry"
        return lambda f: _fold(getattr(f, attr)) in wanted
    if kind is ConditionKind.POSTAL_PREFIX:
        prefixes = tuple(values)
        return lambda f: f.postal_code.replace(" ", "").upper().startswith(prefixes)
    if kind is ConditionKind.POSTAL_RANGE:
        return _range_predicate(values)
    if kind is ConditionKind.PHONE_AREA_CODE:
        codes = tuple(values)
        return lambda f: f.phone_e164.startswith(codes) or f.mobile_e164.startswith(codes)
    if kind is ConditionKind.PRODUCT_INTEREST:
        needles = tuple(v.casefold() for v in values)
        return lambda f: bool(f.product_interest) and any(
            n in f.product_interest.casefold() for n in needles)
    if kind is ConditionKind.KEY_ACCOUNT:
        domains = frozenset(v[1:] for v in values if v.startswith("@"))
        companies = frozenset(company_key(v) for v in values if not v.startswith("@"))
        return lambda f: ((bool(f.company) and _company_key(f.company) in companies)
                          or (bool(f.email) and _email_domain(f.email) in domains))
    if kind is ConditionKind.EVENT:
        events = frozenset(uuid.UUID(v) for v in values)
        return lambda f: f.event_id in events
    if kind is ConditionKind.CHANNEL:
        channels = frozenset(values)
        return lambda f: f.channel in channels
    if kind is ConditionKind.RATING:
        ratings = frozenset(Rating(v) for v in values)
        return lambda f: f.rating in ratings
    bound = int(values[0])
    if kind is ConditionKind.SCORE_AT_LEAST:
        return lambda f: f.score >= bound
    return lambda f: f.score < bound


def _range_predicate(values: tuple[str, ...]) -> Predicate:
    numeric: list[tuple[int, int]] = []
    lexical: list[tuple[int, str, str]] = []
    for value in values:
        low, _, high = value.partition("-")
        if low.isdigit():
            numeric.append((int(low), int(high)))
        else:
            lexical.append((len(low), low, high))

    if len(numeric) == 1 and not lexical:  # the common case, kept lean: one numeric range
        (only_low, only_high), = numeric

        def test_one(facts: RoutingFacts) -> bool:
            code = facts.postal_code
            if " " in code:
                code = code.replace(" ", "")
            return code.isdigit() and only_low <= int(code) <= only_high

        return test_one

    def test(facts: RoutingFacts) -> bool:
        code = facts.postal_code.replace(" ", "").upper()
        if not code:
            return False
        if numeric and code.isdigit():
            number = int(code)
            if any(low <= number <= high for low, high in numeric):
                return True
        # Letters (UK, NL, CA codes): compare the code's first characters, as many as the
        # range ends have, so SW1A-SW9Z covers "SW1A 1AA".
        return any(len(code) >= n and low <= code[:n] <= high for n, low, high in lexical)

    return test
