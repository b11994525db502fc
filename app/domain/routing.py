"""Distribution (PRODUCT.md, stage 4): routing rules, round robin and least-open inside a team,
queues for the rest, and the plan of what moves when rules are re-applied to existing leads.

Guarantees the rest of the app builds on:
- every Assignment names an owner or a queue, never neither: a lead no rule routes lands in
  the catch-all queue, so orphans cannot arise from routing;
- the first enabled rule in position order that matches wins, whatever index finds it;
- re-applying rules is a plan (a list of Moves) that callers apply as is, so the preview is
  the change; applying a plan and planning again moves nothing.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from app.domain.data_quality import company_key
from app.domain.errors import ValidationError
from app.domain.leads import Channel, LeadRecord, LeadStatus, Rating
from app.domain.people import Availability, QueueRecord, RoutingMode, TeamRecord, UserRecord


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


class TargetKind(StrEnum):
    USER = "user"
    TEAM = "team"
    QUEUE = "queue"

    @property
    def label(self) -> str:
        return self.value.capitalize()


@dataclass(frozen=True, slots=True)
class RoutingRule:
    id: uuid.UUID
    name: str
    position: int  # lower first; the first enabled matching rule wins
    conditions: tuple[Condition, ...]  # all must match; none matches every lead
    target_kind: TargetKind
    target_id: uuid.UUID
    enabled: bool = True

    def describe(self) -> str:
        return " and ".join(c.describe() for c in self.conditions) or "every lead"


def rule_order(rule: RoutingRule) -> tuple[int, str, int]:
    """Position, then name, then id: rules sharing a position still have one fixed order."""
    return (rule.position, rule.name.casefold(), rule.id.int)


@dataclass(frozen=True, slots=True)
class Member:
    """A user as routing sees them, with their current count of open leads.

    Only ACTIVE users receive leads. ``away_until`` is informational: the user is brought back
    (availability set to ACTIVE) by whoever manages absences, not guessed here from the date,
    so a routing result never depends on the clock.
    """

    id: uuid.UUID
    name: str
    availability: Availability = Availability.ACTIVE
    away_until: dt.date | None = None
    capacity: int | None = None  # open leads they can hold; None = unlimited
    team_id: uuid.UUID | None = None
    open_leads: int = 0

    @classmethod
    def of(cls, user: UserRecord, open_leads: int = 0) -> Member:
        return cls(user.id, user.name, user.availability, user.away_until, user.capacity,
                   user.team_id, open_leads)


@dataclass(frozen=True, slots=True)
class Roster:
    members: tuple[Member, ...]
    teams: tuple[TeamRecord, ...]
    queues: tuple[QueueRecord, ...]

    @classmethod
    def of(cls, users: Iterable[UserRecord], teams: Iterable[TeamRecord],
           queues: Iterable[QueueRecord], open_leads: Mapping[uuid.UUID, int]) -> Roster:
        return cls(tuple(Member.of(u, open_leads.get(u.id, 0)) for u in users), tuple(teams),
                   tuple(queues))


# Assignment and Move are built once per lead in a re-assignment plan (half a million in the
# benchmark); frozen dataclasses cost three times as much to build. Treat them as read-only.
@dataclass(slots=True)
class Assignment:
    owner_id: uuid.UUID | None
    team_id: uuid.UUID | None
    queue_id: uuid.UUID | None
    rule_id: uuid.UUID | None
    rule_name: str
    reason: str  # in words, for the lead's history and the preview

    def __post_init__(self) -> None:
        if self.owner_id is None and self.queue_id is None:
            raise ValueError("an assignment needs an owner or a queue")


@dataclass(slots=True)
class Move:
    lead_id: uuid.UUID
    from_owner_id: uuid.UUID | None
    to_owner_id: uuid.UUID | None
    from_queue_id: uuid.UUID | None
    to_queue_id: uuid.UUID | None
    rule_id: uuid.UUID | None
    rule_name: str
    reason: str
    to_team_id: uuid.UUID | None = None


# Leads nobody is actively working yet: moving them to a new territory owner costs nothing.
# SQL and later are in a rep's hands (a call may be booked); the caller adds SQL explicitly
# for a full reorganisation. Orphans (open leads whose owner is away, inactive or gone, and
# open leads with neither owner nor queue) are re-planned whatever their status, since nobody
# works them at all. Closed leads (won, lost, disqualified) are never moved.
DEFAULT_AFFECTED_STATUSES = frozenset({LeadStatus.INQUIRY, LeadStatus.SUSPECT,
                                       LeadStatus.PROSPECT, LeadStatus.MQL, LeadStatus.NURTURE})

_MODE_WORDS = {RoutingMode.ROUND_ROBIN: "round robin", RoutingMode.LEAST_OPEN: "least open leads"}
# Index kinds: the lead attribute an equality condition looks at, and roughly how many
# distinct values that attribute has in practice. A rule is indexed by the condition whose
# values cover the smallest share of leads (values / distinct), e.g. one event before a
# 10-country list, a country before a rating.
_INDEXABLE = {ConditionKind.EVENT: 50, ConditionKind.KEY_ACCOUNT: 10_000,
              ConditionKind.COUNTRY: 60, ConditionKind.REGION: 100, ConditionKind.INDUSTRY: 30,
              ConditionKind.CHANNEL: 9, ConditionKind.RATING: 3,
              ConditionKind.PHONE_AREA_CODE: 300, ConditionKind.POSTAL_PREFIX: 100}


def _share(condition: Condition) -> float | None:
    """Rough share of leads a condition lets through, or None if it cannot be indexed."""
    kind = condition.kind
    if kind in _INDEXABLE:
        return len(condition.values) / _INDEXABLE[kind]
    if kind is ConditionKind.POSTAL_RANGE and all(v[0].isdigit() for v in condition.values):
        spans = (int(high) - int(low) + 1 for low, _, high in (v.partition("-")
                                                                for v in condition.values))
        # A range is a slice of one country's codes, and codes of several countries share
        # the number line, so a range passes fewer leads than its width alone suggests.
        return sum(spans) / 1_000_000
    return None


def _rule_keys(condition: Condition) -> dict[str, list[object]]:
    """The index keys under which a rule with this condition must be found."""
    kind, values = condition.kind, condition.values
    if kind is ConditionKind.EVENT:
        return {"event": [uuid.UUID(v) for v in values]}
    if kind is ConditionKind.KEY_ACCOUNT:
        keys: dict[str, list[object]] = {}
        for v in values:
            if v.startswith("@"):
                keys.setdefault("domain", []).append(v[1:])
            else:
                keys.setdefault("company", []).append(company_key(v))
        return keys
    if kind is ConditionKind.COUNTRY:
        return {"country": list(values)}
    if kind is ConditionKind.REGION:
        return {"region": [_fold(v) for v in values]}
    if kind is ConditionKind.INDUSTRY:
        return {"industry": [_fold(v) for v in values]}
    if kind is ConditionKind.CHANNEL:
        return {"channel": list(values)}
    if kind is ConditionKind.PHONE_AREA_CODE:
        return {"phone": list(values)}
    if kind is ConditionKind.POSTAL_PREFIX:
        return {"postal": list(values)}
    return {"rating": [Rating(v) for v in values]}


@dataclass(frozen=True, slots=True)
class _Compiled:
    rule: RoutingRule
    tests: tuple[Predicate, ...]
    prefix: str  # "rule 'DACH' → "


class Router:
    """Rules and roster compiled for routing many leads; keeps working state for a batch
    (open counts, round-robin pointers), so capacity holds across the leads it routes."""

    def __init__(self, rules: Iterable[RoutingRule], roster: Roster,
                 round_robin_state: Mapping[uuid.UUID, uuid.UUID] | None = None) -> None:
        catch_alls = sorted((q for q in roster.queues if q.is_catch_all),
                            key=lambda q: (q.name.casefold(), q.id.int))
        if not catch_alls:
            raise ValidationError.single("queues", "create a catch-all queue first: leads that "
                                                   "no rule routes must land somewhere")
        self._catch_all = catch_alls[0]
        self._users = {m.id: m for m in roster.members}
        self._teams = {t.id: t for t in roster.teams}
        self._queues = {q.id: q for q in roster.queues}
        self._team_queue: dict[uuid.UUID, QueueRecord] = {}
        for q in sorted(roster.queues, key=lambda q: (q.is_catch_all, q.name.casefold(), q.id.int)):
            if q.team_id is not None:
                self._team_queue.setdefault(q.team_id, q)
        members: dict[uuid.UUID, list[Member]] = {}
        for m in sorted(roster.members, key=lambda m: (m.name.casefold(), m.id.int)):
            if m.team_id is not None:
                members.setdefault(m.team_id, []).append(m)
        # Working state keyed by the ids' integers: uuid.UUID hashes in Python code, and a
        # preview over half a million leads does about twenty of these lookups per lead.
        self._order = {m.id.int: i for team in members.values() for i, m in enumerate(team)}
        self._open = {m.id.int: m.open_leads for m in roster.members}
        self._last = {team.int: last.int for team, last in (round_robin_state or {}).items()}
        self._members_by_team = {team.int: in_team for team, in_team in members.items()}
        # Teams where nobody could take a lead, with the reason: once every member is full or
        # away, the next leads skip the scan until a release frees room in that team.
        self._team_full: dict[int, str] = {}
        self._passed_over: int | None = None
        self._team_of = {m.id.int: m.team_id.int for m in roster.members if m.team_id}

        ordered = sorted((r for r in rules if r.enabled), key=rule_order)
        # Index: key → positions of the rules that can only match leads with that key.
        # A rule without an indexable condition is a candidate for every lead.
        self._rules: list[_Compiled] = []
        tables: dict[str, dict[object, list[int]]] = {}
        always: list[int] = []
        ranges: list[tuple[int, int, int]] = []  # (low, high, rule) of indexed numeric ranges
        # Rules whose only narrowing is the score: bucketed per score value on first use (scores
        # are small integers), instead of testing every such rule for every lead.
        by_score: list[tuple[int, list[Predicate]]] = []
        for i, rule in enumerate(ordered):
            shares = [(share, n) for n, c in enumerate(rule.conditions)
                      if (share := _share(c)) is not None]
            best = rule.conditions[min(shares)[1]] if shares else None
            # A rule is a candidate only through the bucket of its indexed condition, and the
            # bucket key is that condition's test with the same normalisation: it holds
            # already, so it is not tested again.
            tests = tuple(_predicate(c) for c in rule.conditions if c is not best)
            self._rules.append(_Compiled(rule, tests, f"rule '{rule.name}' → "))
            if best is None:
                score_tests = [_predicate(c) for c in rule.conditions if c.kind in _SCORE_KINDS]
                if score_tests:
                    by_score.append((i, score_tests))
                else:
                    always.append(i)
                continue
            if best.kind is ConditionKind.POSTAL_RANGE:
                for value in best.values:
                    low, _, high = value.partition("-")
                    ranges.append((int(low), int(high), i))
                continue
            for name, keys in _rule_keys(best).items():
                table = tables.setdefault(name, {})
                for key in keys:
                    bucket = table.setdefault(key, [])
                    if not bucket or bucket[-1] != i:
                        bucket.append(i)
        self._always = always
        self._score_rules = by_score
        self._by_score_value: dict[int, list[int]] = {}
        # One attribute per index; None when no rule uses it, so _match skips the lookup.
        self._by_event = tables.get("event")
        self._by_company = tables.get("company")
        self._by_domain = tables.get("domain")
        self._by_country = tables.get("country")
        self._by_region = tables.get("region")
        self._by_industry = tables.get("industry")
        self._by_channel = tables.get("channel")
        self._by_rating = tables.get("rating")
        self._by_phone = tables.get("phone")
        self._by_postal = tables.get("postal")
        # Prefix indexes: a lead is looked up once per prefix length in use (+1415 and +49 →
        # lengths 5 and 3), not once per rule.
        self._phone_lengths = sorted({len(str(k)) for k in self._by_phone or ()})
        self._postal_lengths = sorted({len(str(k)) for k in self._by_postal or ()})
        # Numeric postal ranges: the number line cut at every range end into segments, each
        # with the rules covering it, found by one bisect.
        cuts = sorted({p for low, high, _ in ranges for p in (low, high + 1)})
        self._range_cuts = cuts
        self._range_rules = [sorted({i for low, high, i in ranges if low <= start <= high})
                             for start in cuts]

    # ---- matching ---------------------------------------------------------------------------

    def fields_used(self) -> frozenset[str]:
        """The RoutingFacts fields these rules look at (plus what placement always needs), so
        a reader of a million leads can skip the rest."""
        used = {"lead_id", "status", "owner_id", "queue_id"}
        for compiled in self._rules:
            for condition in compiled.rule.conditions:
                used |= _FIELDS_OF[condition.kind]
        return frozenset(used)

    def match(self, facts: RoutingFacts) -> RoutingRule | None:
        """The first enabled rule in position order whose conditions all hold, or None."""
        compiled = self._match(facts)
        return compiled.rule if compiled else None

    def _match(self, facts: RoutingFacts) -> _Compiled | None:
        hits: list[list[int]] = []
        table = self._by_country
        if table is not None and facts.country:
            hit = table.get(facts.country.upper())
            if hit:
                hits.append(hit)
        table = self._by_industry
        if table is not None and facts.industry:
            hit = table.get(_fold(facts.industry))
            if hit:
                hits.append(hit)
        table = self._by_region
        if table is not None and facts.region:
            hit = table.get(_fold(facts.region))
            if hit:
                hits.append(hit)
        table = self._by_channel
        if table is not None:
            hit = table.get(facts.channel)  # a Channel hashes and compares as its value
            if hit:
                hits.append(hit)
        table = self._by_rating
        if table is not None and facts.rating is not None:
            hit = table.get(facts.rating)
            if hit:
                hits.append(hit)
        table = self._by_phone
        if table is not None:
            for number in (facts.phone_e164, facts.mobile_e164):
                if number:
                    for length in self._phone_lengths:
                        hit = table.get(number[:length])
                        if hit:
                            hits.append(hit)
        table = self._by_postal
        if (table is not None or self._range_cuts) and facts.postal_code:
            code = facts.postal_code
            if " " in code:
                code = code.replace(" ", "")
            if table is not None:
                code = code.upper()
                for length in self._postal_lengths:
                    hit = table.get(code[:length])
                    if hit:
                        hits.append(hit)
            if self._range_cuts and code.isdigit():
                segment = bisect.bisect_right(self._range_cuts, int(code)) - 1
                if segment >= 0:
                    hit = self._range_rules[segment]
                    if hit:
                        hits.append(hit)
        table = self._by_event
        if table is not None and facts.event_id is not None:
            hit = table.get(facts.event_id)
            if hit:
                hits.append(hit)
        table = self._by_company
        if table is not None and facts.company:
            hit = table.get(_company_key(facts.company))
            if hit:
                hits.append(hit)
        table = self._by_domain
        if table is not None and facts.email:
            hit = table.get(_email_domain(facts.email))
            if hit:
                hits.append(hit)
        # Every candidate sits in one of the hit buckets (or in _always), each in rule order,
        # so the first match overall is the earliest of each bucket's first match. Scanning a
        # bucket stops at the best match found so far: no merging or sorting per lead.
        if self._score_rules:
            bucket = self._by_score_value.get(facts.score)
            if bucket is None:
                bucket = self._by_score_value[facts.score] = [
                    i for i, tests in self._score_rules if all(t(facts) for t in tests)]
            if bucket:
                hits.append(bucket)
        hits.append(self._always)
        rules = self._rules
        best: _Compiled | None = None
        best_at = len(rules)
        for bucket in hits:
            for i in bucket:
                if i >= best_at:
                    break
                compiled = rules[i]
                for test in compiled.tests:
                    if not test(facts):
                        break
                else:
                    best, best_at = compiled, i
                    break
        return best

    # ---- routing ------------------------------------------------------------------------------

    def route(self, facts: RoutingFacts, keep_current: bool = False,
              pass_over: uuid.UUID | None = None) -> Assignment:
        """Where the lead goes. With ``keep_current`` a lead already with an acceptable owner
        (or in the rule's queue) stays, without counting it again or moving round robin on.
        ``pass_over`` is a rep who must not get it (the owner who missed its first touch)."""
        compiled = self._match(facts)
        if keep_current:
            kept = self._kept(facts, compiled)
            if kept is not None:
                return kept
            self._release(facts)
        if pass_over is None:
            return self._place(facts, compiled)
        full_before = dict(self._team_full)
        self._passed_over = pass_over.int
        try:
            return self._place(facts, compiled)
        finally:
            self._passed_over = None
            self._team_full = full_before  # "team full" held only while they were passed over

    def state(self) -> dict[uuid.UUID, uuid.UUID]:
        """Round-robin pointers (team → last user given a lead), to persist after a batch."""
        return {uuid.UUID(int=team): uuid.UUID(int=last) for team, last in self._last.items()}

    def open_counts(self) -> dict[uuid.UUID, int]:
        return {uuid.UUID(int=user): count for user, count in self._open.items()}

    def is_orphan(self, facts: RoutingFacts) -> bool:
        """An open lead whose owner cannot work it (away, inactive, unknown), or that has
        neither owner nor queue."""
        if not facts.status.is_open:
            return False
        if facts.owner_id is None:
            return facts.queue_id is None
        owner = self._users.get(facts.owner_id)
        return owner is None or owner.availability is not Availability.ACTIVE

    def _release(self, facts: RoutingFacts) -> None:
        """The lead leaves its owner: one open lead fewer for them in this batch."""
        owner = facts.owner_id
        if owner is not None and facts.status.is_open:
            key = owner.int
            if key in self._open:
                self._open[key] -= 1
                if self._team_full:
                    self._team_full.pop(self._team_of.get(key, 0), None)

    def _fits(self, member: Member, already_theirs: bool) -> bool:
        if member.availability is not Availability.ACTIVE or member.id.int == self._passed_over:
            return False
        if member.capacity is None:
            return True
        count = self._open[member.id.int]
        return count <= member.capacity if already_theirs else count < member.capacity

    def _keeps(self, facts: RoutingFacts, compiled: _Compiled | None) -> bool:
        """Whether the matched rule could have produced the lead's current placement: the
        named user, an active teammate with room (counting this lead as already theirs), or
        the rule's queue. No state changes: keeping moves no counter and no pointer."""
        owner_id = facts.owner_id
        if compiled is None:
            # No rule claims the lead: where a person put it stands, as long as someone can
            # work it there (an active owner with room, or any existing queue).
            if owner_id is None:
                return facts.queue_id in self._queues
            owner = self._users.get(owner_id)
            return owner is not None and self._fits(owner, already_theirs=True)
        rule = compiled.rule
        kind = rule.target_kind
        if kind is TargetKind.QUEUE:
            return (owner_id is None and facts.queue_id == rule.target_id
                    and rule.target_id in self._queues)
        if owner_id is None:
            return False
        owner = self._users.get(owner_id)
        if owner is None or not self._fits(owner, already_theirs=True):
            return False
        if kind is TargetKind.USER:
            if owner_id == rule.target_id:
                return True
            named = self._users.get(rule.target_id)
            team_id = named.team_id if named is not None else None
        else:
            team_id = rule.target_id
        # A teammate is acceptable too: the rule's fallback (or its team) could have chosen
        # them, and taking the lead from them to give it to a colleague helps nobody.
        return team_id is not None and owner.team_id == team_id and team_id in self._teams

    def _kept(self, facts: RoutingFacts, compiled: _Compiled | None) -> Assignment | None:
        """The current placement as an Assignment, if ``_keeps`` accepts it."""
        if not self._keeps(facts, compiled):
            return None
        if compiled is None:
            if facts.owner_id is not None:
                owner = self._users[facts.owner_id]
                return Assignment(owner.id, owner.team_id, None, None, "",
                                  f"no rule matched → kept with {owner.name}")
            assert facts.queue_id is not None
            queue = self._queues[facts.queue_id]
            return Assignment(None, queue.team_id, queue.id, None, "",
                              f"no rule matched → kept in queue {queue.name}")
        rule = compiled.rule
        if facts.owner_id is None:
            queue = self._queues[rule.target_id]
            return Assignment(None, queue.team_id, queue.id, rule.id, rule.name,
                              f"{compiled.prefix}queue {queue.name} (kept)")
        owner = self._users[facts.owner_id]
        if facts.owner_id == rule.target_id:
            return Assignment(owner.id, owner.team_id, None, rule.id, rule.name,
                              f"{compiled.prefix}{owner.name} (kept)")
        team = self._teams[owner.team_id] if owner.team_id is not None else None
        team_name = team.name if team is not None else ""
        return Assignment(owner.id, owner.team_id, None, rule.id, rule.name,
                          f"{compiled.prefix}team {team_name}: kept with {owner.name}")

    def _place(self, facts: RoutingFacts, compiled: _Compiled | None) -> Assignment:
        if compiled is None:
            return self._to_catch_all(None, "no rule matched → ")
        rule = compiled.rule
        prefix = compiled.prefix
        if rule.target_kind is TargetKind.QUEUE:
            queue = self._queues.get(rule.target_id)
            if queue is None:
                return self._to_catch_all(rule, prefix + "a queue that no longer exists, so ")
            return Assignment(None, queue.team_id, queue.id, rule.id, rule.name,
                              f"{prefix}queue {queue.name}")
        if rule.target_kind is TargetKind.TEAM:
            team = self._teams.get(rule.target_id)
            if team is None:
                return self._to_catch_all(rule, prefix + "a team that no longer exists, so ")
            return self._to_team(rule, team, prefix)
        user = self._users.get(rule.target_id)
        if user is None:
            return self._to_catch_all(rule, prefix + "a user who no longer exists, so ")
        if self._fits(user, already_theirs=False):
            self._open[user.id.int] += 1
            return Assignment(user.id, user.team_id, None, rule.id, rule.name,
                              f"{prefix}{user.name}")
        if user.availability is not Availability.ACTIVE:
            why = f"{user.name} is {user.availability.value}"
        else:
            why = f"{user.name} is at capacity ({user.capacity} open leads)"
        team = self._teams.get(user.team_id) if user.team_id is not None else None
        if team is None:
            return self._to_catch_all(rule, f"{prefix}{user.name}; {why}, so ")
        return self._to_team(rule, team, f"{prefix}{user.name}; {why}, so ")

    def _to_catch_all(self, rule: RoutingRule | None, head: str) -> Assignment:
        queue = self._catch_all
        return Assignment(None, queue.team_id, queue.id, rule.id if rule else None,
                          rule.name if rule else "", f"{head}catch-all queue {queue.name}")

    def _to_team(self, rule: RoutingRule, team: TeamRecord, head: str) -> Assignment:
        team_key = team.id.int
        described = f"{head}team {team.name} ({_MODE_WORDS[team.routing_mode]})"
        why = self._team_full.get(team_key)
        chosen = None if why is not None else self._choose_member(team, team_key)
        if chosen is not None:
            self._open[chosen.id.int] += 1
            return Assignment(chosen.id, team.id, None, rule.id, rule.name,
                              f"{described}: {chosen.name}")
        if why is None:
            members = self._members_by_team.get(team_key, ())
            away = sum(1 for m in members if m.availability is not Availability.ACTIVE)
            full = len(members) - away
            why = self._team_full[team_key] = (
                f"nobody can take it ({away} away or inactive, {full} at capacity)" if members
                else "the team has no members")
        queue = self._team_queue.get(team.id)
        if queue is None:
            return self._to_catch_all(rule, f"{described}: {why}, so ")
        return Assignment(None, team.id, queue.id, rule.id, rule.name,
                          f"{described}: {why}, so queue {queue.name}")

    def _choose_member(self, team: TeamRecord, team_key: int) -> Member | None:
        """Round robin from the member after the last one given a lead, or least open leads;
        only active members with room."""
        members = self._members_by_team.get(team_key, ())
        counts = self._open
        chosen: Member | None = None
        if team.routing_mode is RoutingMode.LEAST_OPEN:
            best = -1
            for m in members:  # members are in stable order, so ties go to the first
                if self._fits(m, already_theirs=False) and (chosen is None
                                                            or counts[m.id.int] < best):
                    chosen, best = m, counts[m.id.int]
            return chosen
        size = len(members)
        last = self._last.get(team_key)
        start = self._order.get(last, -1) + 1 if last is not None else 0
        for step in range(size):
            m = members[(start + step) % size]
            if self._fits(m, already_theirs=False):
                self._last[team_key] = m.id.int
                return m
        return None

def plan_reassignment(leads: Iterable[RoutingFacts], router: Router,
                      affected_statuses: frozenset[LeadStatus] = DEFAULT_AFFECTED_STATUSES
                      ) -> list[Move]:
    """What re-applying the rules would change, lead by lead: the preview and the change.

    Two passes make the plan a fixed point. First every affected lead either stays (its
    owner is still an acceptable result of the rule that now matches it, within capacity) or
    is released, which frees capacity for its old owner. Then the released leads are routed
    against the counts after all releases. Because the second pass only adds leads to members
    who have room, applying the plan and planning again finds every lead acceptable where it is.
    The router's working state (counts, round-robin pointers) is advanced; persist
    ``router.state()`` only when the plan is applied.
    """
    pending: list[tuple[RoutingFacts, _Compiled | None, bool]] = []
    is_orphan, match, keeps = router.is_orphan, router._match, router._keeps
    for facts in leads:
        if facts.status not in affected_statuses and not is_orphan(facts):
            continue
        compiled = match(facts)
        if keeps(facts, compiled):
            if facts.owner_id is not None and facts.queue_id is not None:
                pending.append((facts, compiled, True))  # kept owner; a stale queue to clear
        else:
            router._release(facts)
            pending.append((facts, compiled, False))
    moves: list[Move] = []
    for facts, compiled, kept in pending:
        result = (router._kept(facts, compiled) if kept else None) or router._place(facts, compiled)
        if result.owner_id != facts.owner_id or result.queue_id != facts.queue_id:
            moves.append(Move(facts.lead_id, facts.owner_id, result.owner_id, facts.queue_id,
                              result.queue_id, result.rule_id, result.rule_name, result.reason,
                              result.team_id))
    return moves
