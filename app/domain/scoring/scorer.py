"""The Scorer: a lead's score with its reasons, and the qualification stage a score implies."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from app.domain.data_quality import SuppressionReason
from app.domain.leads import LeadRecord, LeadStatus, Rating
from app.domain.qualifiers import split_multiple
from app.domain.scoring.rules import (
    DEFAULT_SCORING_CONFIG,
    K,
    ScoreRuleKind,
    ScoringConfig,
    _alternatives,
    check_rule,
)
from app.domain.scoring.signals import (
    Seniority,
    _words,
    email_flags,
    looks_like_student,
    parse_company_size,
    seniority_of,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class ScoringFacts:
    """Everything a score depends on, gathered by the service; nothing else is consulted."""

    created_at: dt.datetime
    title: str = ""
    company_size: str = ""
    industry: str = ""
    country: str = ""  # ISO2
    product_interest: str = ""
    email: str = ""
    rating: Rating | None = None
    answers: Mapping[str, str] = field(default_factory=dict)  # question text → answer
    activity_count: int = 0
    last_touch_at: dt.datetime | None = None
    is_free_mail: bool = False
    is_role_address: bool = False
    suppression_kinds: frozenset[str] = frozenset()  # SuppressionReason values that hit
    served_countries: frozenset[str] = frozenset()  # ISO2 codes some rep or team covers

    @classmethod
    def of_values(cls, lead: Mapping[str, Any], *, now: dt.datetime,
                  answers: Mapping[str, str] | None = None, activity_count: int = 0,
                  suppression_kinds: frozenset[str] = frozenset(),
                  served_countries: frozenset[str] = frozenset()) -> ScoringFacts:
        """Facts of a lead not yet stored, given as column values (an import's rows)."""
        email = str(lead.get("email") or "")
        free, role = email_flags(email)
        rating = lead.get("rating")
        return cls(created_at=lead.get("created_at") or now, title=str(lead.get("title") or ""),
                   company_size=str(lead.get("company_size") or ""),
                   industry=str(lead.get("industry") or ""), country=str(lead.get("country") or ""),
                   product_interest=str(lead.get("product_interest") or ""), email=email,
                   rating=Rating(rating) if rating else None, answers=answers or {},
                   activity_count=activity_count, last_touch_at=lead.get("last_touch_at"),
                   is_free_mail=free, is_role_address=role,
                   suppression_kinds=suppression_kinds, served_countries=served_countries)

    @classmethod
    def of_lead(cls, lead: LeadRecord, *, now: dt.datetime,
                answers: Mapping[str, str] | None = None, activity_count: int = 0,
                suppression_kinds: frozenset[str] = frozenset(),
                served_countries: frozenset[str] = frozenset()) -> ScoringFacts:
        """Facts of a stored lead; the email flags come from the data-quality lists."""
        free, role = email_flags(lead.email)
        return cls(created_at=lead.created_at or now, title=lead.title,
                   company_size=lead.company_size, industry=lead.industry, country=lead.country,
                   product_interest=lead.product_interest, email=lead.email, rating=lead.rating,
                   answers=answers or {}, activity_count=activity_count,
                   last_touch_at=lead.last_touch_at, is_free_mail=free, is_role_address=role,
                   suppression_kinds=suppression_kinds, served_countries=served_countries)


class ScoreReason(NamedTuple):
    # A NamedTuple, not a dataclass: the scorer builds one per rule at compile time and reuses
    # it, and tuples compare and print naturally in tests.
    points: int
    text: str


@dataclass(frozen=True, slots=True)
class ScoreResult:
    total: int
    reasons: tuple[ScoreReason, ...]  # in rule order, decay last; zero-point reasons left out

    def explain(self) -> str:
        """"+20 title contains Director; +15 rated hot; -6 decay: 3 weeks without a touch"."""
        return "; ".join(f"{r.points:+d} {r.text}" for r in self.reasons) or "no rule applies"


_COMPETITOR = SuppressionReason.COMPETITOR.value


class Scorer:
    """A scoring config compiled into lookup tables: per lead, each rule kind costs one dict
    lookup, set test or bisect, whatever the number of rules of that kind."""

    def __init__(self, config: ScoringConfig) -> None:
        self.config = config
        rules = [r for r in config.rules if r.enabled]
        for rule in rules:
            check_rule(rule)
        # Rules are numbered in config order; matches are collected as numbers and sorted, so
        # the explanation lists reasons in rule order whatever table found them.
        self._reasons = [ScoreReason(r.points, r.describe()) for r in rules]
        self._points = [r.points for r in rules]
        self._title_words: dict[str, list[int]] = {}
        self._title_phrases: list[tuple[str, int]] = []
        self._seniority: dict[Seniority, list[int]] = {}
        self._industry: dict[str, list[int]] = {}
        self._country: dict[str, list[int]] = {}
        self._rating: dict[Rating, list[int]] = {}
        self._answers: dict[tuple[str, str], list[int]] = {}
        self._interest: list[tuple[str, int]] = []
        # (threshold, rule) sorted by threshold: the rules a value satisfies are a prefix
        # (at-least kinds) or a suffix (within-days) found by one bisect.
        size: list[tuple[int, int]] = []
        activity: list[tuple[int, int]] = []
        touched: list[tuple[int, int]] = []
        self._flags: dict[ScoreRuleKind, list[int]] = {}
        for i, rule in enumerate(rules):
            kind, value = rule.kind, rule.value.strip()
            if kind is K.TITLE_CONTAINS:
                words = _words(value)
                if words.count(" ") == 2:  # one word: a set lookup per title word
                    self._title_words.setdefault(words.strip(), []).append(i)
                else:
                    self._title_phrases.append((words, i))
            elif kind is K.SENIORITY:
                self._seniority.setdefault(Seniority(value.casefold()), []).append(i)
            elif kind is K.INDUSTRY_IS:
                for alt in _alternatives(value):
                    self._industry.setdefault(alt.casefold(), []).append(i)
            elif kind is K.COUNTRY_IN:
                for alt in _alternatives(value):
                    self._country.setdefault(alt.upper(), []).append(i)
            elif kind is K.RATING_IS:
                self._rating.setdefault(Rating(value.casefold()), []).append(i)
            elif kind is K.ANSWER_IS:
                question, _, answer = value.partition("=")
                key = (_fold(question), _fold(answer))
                self._answers.setdefault(key, []).append(i)
            elif kind is K.PRODUCT_INTEREST_CONTAINS:
                self._interest.append((value.casefold(), i))
            elif kind is K.COMPANY_SIZE_AT_LEAST:
                size.append((int(value), i))
            elif kind is K.ACTIVITY_COUNT_AT_LEAST:
                activity.append((int(value), i))
            elif kind is K.TOUCHED_WITHIN_DAYS:
                touched.append((int(value), i))
            else:
                self._flags.setdefault(kind, []).append(i)
        size.sort()
        activity.sort()
        touched.sort()
        self._size_bounds = [t for t, _ in size]
        self._size_rules = [i for _, i in size]
        self._activity_bounds = [t for t, _ in activity]
        self._activity_rules = [i for _, i in activity]
        self._touched_days = [t for t, _ in touched]
        self._touched_rules = [i for _, i in touched]
        self._needs_seniority = bool(self._seniority)
        self._needs_title = bool(self._title_words or self._title_phrases)
        self._flag_served = self._flags.get(K.COUNTRY_SERVED, [])
        self._flag_free = self._flags.get(K.FREE_MAIL, [])
        self._flag_role = self._flags.get(K.ROLE_ADDRESS, [])
        self._flag_student = self._flags.get(K.STUDENT, [])
        self._flag_competitor = self._flags.get(K.COMPETITOR, [])
        self._flag_suppressed = self._flags.get(K.SUPPRESSED, [])
        # Titles and sizes repeat across thousands of leads (every "Sales Manager", every
        # "51-200"); remembering what each one matched keeps the regex work per distinct text.
        self._title_cache: dict[str, tuple[int, ...]] = {}
        self._size_cache: dict[str, tuple[int, ...]] = {}

    def _title_matches(self, title: str) -> tuple[int, ...]:
        found = self._title_cache.get(title)
        if found is not None:
            return found
        matched: list[int] = []
        if self._needs_title:
            words = _words(title)
            get = self._title_words.get
            for word in set(words.split()):
                hit = get(word)
                if hit:
                    matched.extend(hit)
            matched.extend(i for phrase, i in self._title_phrases if phrase in words)
        if self._needs_seniority:
            matched.extend(self._seniority.get(seniority_of(title), ()))
        found = tuple(matched)
        if len(self._title_cache) >= _CACHE_LIMIT:
            self._title_cache.clear()  # bounded memory on pathological input
        self._title_cache[title] = found
        return found

    def _size_matches(self, text: str) -> tuple[int, ...]:
        found = self._size_cache.get(text)
        if found is None:
            size = parse_company_size(text)
            found = () if size is None else tuple(
                self._size_rules[:bisect.bisect_right(self._size_bounds, size)])
            if len(self._size_cache) >= _CACHE_LIMIT:
                self._size_cache.clear()
            self._size_cache[text] = found
        return found

    def score(self, facts: ScoringFacts, now: dt.datetime) -> ScoreResult:
        matched: list[int] = []
        add = matched.extend
        if facts.title and (self._needs_title or self._needs_seniority):
            add(self._title_matches(facts.title))
        elif self._needs_seniority:
            add(self._seniority.get(Seniority.INDIVIDUAL, ()))
        if facts.company_size and self._size_rules:
            add(self._size_matches(facts.company_size))
        if self._industry and facts.industry:
            add(self._industry.get(facts.industry.strip().casefold(), ()))
        country = facts.country
        if country:
            if self._country:
                add(self._country.get(country.upper(), ()))
            if self._flag_served and country.upper() in facts.served_countries:
                add(self._flag_served)
        if self._interest and facts.product_interest:
            interest = facts.product_interest.casefold()
            add(i for needle, i in self._interest if needle in interest)
        if self._answers and facts.answers:
            for question, answer in facts.answers.items():
                q = _fold(question)
                for part in split_multiple(answer) or [answer]:
                    add(self._answers.get((q, _fold(part)), ()))
        if facts.rating is not None and self._rating:
            add(self._rating.get(facts.rating, ()))
        if self._activity_rules:
            add(self._activity_rules[:bisect.bisect_right(self._activity_bounds,
                                                          facts.activity_count)])
        last = facts.last_touch_at
        if last is not None and self._touched_rules:
            age = (now - last).total_seconds() / 86_400
            # within N days: every rule whose N is at least the age
            add(self._touched_rules[bisect.bisect_left(self._touched_days, age):])
        if facts.is_free_mail:
            add(self._flag_free)
        if facts.is_role_address:
            add(self._flag_role)
        if self._flag_student and looks_like_student(facts.title, facts.email):
            add(self._flag_student)
        kinds = facts.suppression_kinds
        if kinds:
            add(self._flag_suppressed)
            if _COMPETITOR in kinds:
                add(self._flag_competitor)
        reasons = self._reasons
        if len(matched) > 1:
            matched = sorted(set(matched))  # a rule is counted once, reasons in rule order
        chosen = [reasons[i] for i in matched if reasons[i].points]
        total = sum(r.points for r in chosen)
        decay = self._decay(facts, now)
        if decay is not None:
            chosen.append(decay)
            total += decay.points
        return ScoreResult(total, tuple(chosen))

    def _decay(self, facts: ScoringFacts, now: dt.datetime) -> ScoreReason | None:
        per_week = self.config.decay_points_per_week
        if per_week <= 0:
            return None
        since = facts.last_touch_at or facts.created_at
        weeks = (now - since).days // 7
        if weeks <= 0:
            return None
        points = min(weeks * per_week, max(self.config.decay_max, 0))
        if points <= 0:
            return None
        unit = "week" if weeks == 1 else "weeks"
        what = "without a touch" if facts.last_touch_at else "since capture, never touched"
        return ScoreReason(-points, f"decay: {weeks} {unit} {what}")


_CACHE_LIMIT = 100_000


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


# The early funnel: statuses a score may move forward. Nurture, SQL-and-later and the closed
# statuses are decisions a person made (hand back to nurture, accept, convert, disqualify);
# a number never undoes or skips them, and a falling score never demotes a lead, because the
# rep may already have called on the strength of the earlier status.
_BELOW_MQL = frozenset({LeadStatus.INQUIRY, LeadStatus.SUSPECT, LeadStatus.PROSPECT})
_BELOW_SQL = _BELOW_MQL | {LeadStatus.MQL}


def qualification_for(status: LeadStatus, score: int,
                      config: ScoringConfig = DEFAULT_SCORING_CONFIG) -> LeadStatus | None:
    """The status the score moves a lead to, or None to leave it as it is (promote only)."""
    if status in _BELOW_SQL and score >= config.sql_threshold:
        return LeadStatus.SQL
    if status in _BELOW_MQL and score >= config.mql_threshold:
        return LeadStatus.MQL
    return None


def promotion_note(reached: LeadStatus, score: int, config: ScoringConfig) -> str:
    """Why the score moved a lead forward, as its history says, however it was saved."""
    threshold = config.sql_threshold if reached is LeadStatus.SQL else config.mql_threshold
    return f"score {score} reached the {reached.label} threshold ({threshold})"
