"""Lead scoring: fit and engagement turned into a number with an explanation (PRODUCT.md,
stage 2), and the MQL/SQL thresholds that number moves a lead across.

A score must be explainable to the rep who receives the lead ("+20 title contains Director;
+15 rated hot; -10 free-mail address"), so every rule renders its own reason, and the total is
exactly the sum of the reasons shown. Scoring runs over every lead whenever the rules change,
so a ``Scorer`` compiles the rules once into lookup tables (one dict or sorted list per rule
kind) instead of testing 200 rules one by one per lead.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

from app.domain.data_quality import SuppressionReason, examine_email
from app.domain.errors import ValidationError
from app.domain.leads import LeadRecord, LeadStatus, Rating
from app.domain.qualifiers import split_multiple


class ScoreRuleKind(StrEnum):
    """What a scoring rule looks at. The value's meaning depends on the kind (see ``label``)."""

    TITLE_CONTAINS = "title_contains"
    SENIORITY = "seniority"
    COMPANY_SIZE_AT_LEAST = "company_size_at_least"
    INDUSTRY_IS = "industry_is"
    COUNTRY_IN = "country_in"
    COUNTRY_SERVED = "country_served"
    PRODUCT_INTEREST_CONTAINS = "product_interest_contains"
    ANSWER_IS = "answer_is"
    RATING_IS = "rating_is"
    ACTIVITY_COUNT_AT_LEAST = "activity_count_at_least"
    TOUCHED_WITHIN_DAYS = "touched_within_days"
    FREE_MAIL = "free_mail"
    ROLE_ADDRESS = "role_address"
    STUDENT = "student"
    COMPETITOR = "competitor"
    SUPPRESSED = "suppressed"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]


_KIND_LABELS = {
    ScoreRuleKind.TITLE_CONTAINS: "Title contains",
    ScoreRuleKind.SENIORITY: "Seniority",
    ScoreRuleKind.COMPANY_SIZE_AT_LEAST: "Company size at least",
    ScoreRuleKind.INDUSTRY_IS: "Industry is",
    ScoreRuleKind.COUNTRY_IN: "Country in",
    ScoreRuleKind.COUNTRY_SERVED: "Country is served",
    ScoreRuleKind.PRODUCT_INTEREST_CONTAINS: "Product interest contains",
    ScoreRuleKind.ANSWER_IS: "Answer is",
    ScoreRuleKind.RATING_IS: "Rating is",
    ScoreRuleKind.ACTIVITY_COUNT_AT_LEAST: "Activities at least",
    ScoreRuleKind.TOUCHED_WITHIN_DAYS: "Touched within days",
    ScoreRuleKind.FREE_MAIL: "Free-mail address",
    ScoreRuleKind.ROLE_ADDRESS: "Role address",
    ScoreRuleKind.STUDENT: "Student or intern",
    ScoreRuleKind.COMPETITOR: "Competitor",
    ScoreRuleKind.SUPPRESSED: "On the suppression list",
}
# Kinds whose value is ignored: the fact itself is the condition.
_FLAG_KINDS = frozenset({ScoreRuleKind.COUNTRY_SERVED, ScoreRuleKind.FREE_MAIL,
                         ScoreRuleKind.ROLE_ADDRESS, ScoreRuleKind.STUDENT,
                         ScoreRuleKind.COMPETITOR, ScoreRuleKind.SUPPRESSED})
_INT_KINDS = frozenset({ScoreRuleKind.COMPANY_SIZE_AT_LEAST, ScoreRuleKind.ACTIVITY_COUNT_AT_LEAST,
                        ScoreRuleKind.TOUCHED_WITHIN_DAYS})


class Seniority(StrEnum):
    """How senior a title is, highest first; derived from the title with a keyword table."""

    C_LEVEL = "c_level"
    VP = "vp"
    DIRECTOR = "director"
    MANAGER = "manager"
    INDIVIDUAL = "individual"

    @property
    def label(self) -> str:
        return _SENIORITY_LABELS[self]


_SENIORITY_LABELS = {
    Seniority.C_LEVEL: "C-level", Seniority.VP: "VP", Seniority.DIRECTOR: "Director",
    Seniority.MANAGER: "Manager", Seniority.INDIVIDUAL: "Individual contributor",
}
# Phrases are matched on whole words. Longer phrases come first in the alternation so that
# "Vice President" is read as VP before "President" could claim it, and "Managing Director"
# (the German Geschäftsführer: runs the company) as C-level before "Director".
_SENIORITY_WORDS: list[tuple[str, Seniority]] = [
    ("vice president", Seniority.VP), ("managing director", Seniority.C_LEVEL),
    ("general manager", Seniority.DIRECTOR), ("head of", Seniority.VP),
    ("team lead", Seniority.MANAGER), ("team leader", Seniority.MANAGER),
    *((w, Seniority.C_LEVEL) for w in (
        "ceo", "cto", "cfo", "coo", "cio", "cmo", "cso", "cpo", "chief", "founder", "co-founder",
        "cofounder", "owner", "president", "geschäftsführer", "geschäftsführerin", "inhaber",
        "inhaberin", "vorstand", "partner", "principal")),
    *((w, Seniority.VP) for w in ("vp", "svp", "evp", "avp", "head", "bereichsleiter")),
    *((w, Seniority.DIRECTOR) for w in ("director", "direktor", "directeur", "directora",
                                        "director's", "prokurist")),
    *((w, Seniority.MANAGER) for w in ("manager", "lead", "leader", "supervisor", "leiter",
                                       "leiterin", "teamleiter", "abteilungsleiter", "foreman",
                                       "responsable", "gerente", "coordinator")),
]
_SENIORITY_OF = {phrase: level for phrase, level in _SENIORITY_WORDS}
_SENIORITY_RANK = {level: rank for rank, level in enumerate(Seniority)}
_SENIORITY_RE = re.compile(
    r"(?<!\w)(" + "|".join(re.escape(p).replace(r"\ ", r"[\s-]+")
                           for p, _ in sorted(_SENIORITY_WORDS, key=lambda x: -len(x[0])))
    + r")(?!\w)", re.IGNORECASE)


def seniority_of(title: str) -> Seniority:
    """The most senior level any keyword of the title names ("Sales Manager & Co-Founder" is
    C-level); a title without any keyword is an individual contributor."""
    best = Seniority.INDIVIDUAL
    for found in _SENIORITY_RE.findall(title):
        level = _SENIORITY_OF.get(" ".join(found.casefold().replace("-", " ").split()))
        if level is None:  # "co-founder" is listed with its hyphen
            level = _SENIORITY_OF.get(found.casefold(), Seniority.INDIVIDUAL)
        if _SENIORITY_RANK[level] < _SENIORITY_RANK[best]:
            best = level
    return best


_SIZE_NUMBER = re.compile(r"(\d+(?:[.,]\d+)*)\s*([km])?(?![a-z])", re.IGNORECASE)
_SIZE_BELOW = re.compile(r"^\s*(<|≤|under|less than|fewer than|up to|bis|unter)\b", re.IGNORECASE)


def parse_company_size(text: str) -> int | None:
    """The lower bound of a free-text company size, or None when there is no number.

    "51-200" → 51, "1000+" → 1000, "1,000-4,999" → 1000, "10k" → 10000, "2.5k" → 2500,
    "<10" → 1 (a size below a bound says only that the company exists).
    """
    if _SIZE_BELOW.match(text):
        return 1 if _SIZE_NUMBER.search(text) else None
    found = _SIZE_NUMBER.search(text)
    if found is None:
        return None
    digits, unit = found.group(1), (found.group(2) or "").lower()
    groups = re.split(r"[.,]", digits)
    if len(groups) > 1 and all(len(g) == 3 for g in groups[1:]) and not unit:
        number = float("".join(groups))  # thousands separators: 1,000 or 1.000
    else:
        number = float(groups[0] + ("." + "".join(groups[1:]) if len(groups) > 1 else ""))
    number *= {"k": 1_000, "m": 1_000_000}.get(unit, 1)
    return int(number)


_WORD = re.compile(r"\w+")
_STUDENT_WORDS = frozenset({"student", "students", "intern", "internship", "trainee",
                            "werkstudent", "werkstudentin", "praktikant", "praktikantin",
                            "azubi", "auszubildender", "apprentice", "stagiaire", "becario",
                            "phd", "doktorand", "doktorandin", "undergraduate"})
_ACADEMIC_LABELS = frozenset({"ac", "edu"})


def _words(text: str) -> str:
    """Text as lower-case words separated by single spaces, padded with a space each side, so
    ``" director " in _words(title)`` is a whole-word test without a regex per keyword."""
    return " " + " ".join(_WORD.findall(text.casefold())) + " "


def looks_like_student(title: str, email: str) -> bool:
    """Student, intern or trainee by title, or an academic address (.edu, ac.uk, edu.au,
    student.uni-x.de): such leads do not buy, PRODUCT.md lists them among the disqualified."""
    if title and not _STUDENT_WORDS.isdisjoint(_WORD.findall(title.casefold())):
        return True
    domain = email.rpartition("@")[2].casefold()
    if not domain:
        return False
    labels = domain.split(".")
    return (labels[-1] == "edu" or (len(labels) >= 3 and labels[-2] in _ACADEMIC_LABELS)
            or labels[0] in ("student", "students", "stud"))


def email_flags(email: str) -> tuple[bool, bool]:
    """(is_free_mail, is_role_address) of an email, by the app's data-quality lists."""
    findings = examine_email(email)
    return (False, False) if findings is None else (findings.free_mail, findings.role)


@dataclass(frozen=True, slots=True)
class ScoreRule:
    id: uuid.UUID
    kind: ScoreRuleKind
    value: str
    points: int  # negative for rules that speak against a lead (free-mail, competitor)
    enabled: bool = True

    def describe(self) -> str:
        """The reason text shown in a score's explanation."""
        kind, value = self.kind, self.value.strip()
        if kind is ScoreRuleKind.TITLE_CONTAINS:
            return f"title contains {value}"
        if kind is ScoreRuleKind.SENIORITY:
            try:
                return f"{Seniority(value.casefold()).label} title"
            except ValueError:
                return f"seniority {value}"
        if kind is ScoreRuleKind.COMPANY_SIZE_AT_LEAST:
            return f"company size ≥ {value}"
        if kind is ScoreRuleKind.INDUSTRY_IS:
            return "industry is " + " or ".join(_alternatives(value))
        if kind is ScoreRuleKind.COUNTRY_IN:
            return "country in " + ", ".join(a.upper() for a in _alternatives(value))
        if kind is ScoreRuleKind.PRODUCT_INTEREST_CONTAINS:
            return f"interested in {value}"
        if kind is ScoreRuleKind.ANSWER_IS:
            question, _, answer = value.partition("=")
            return f"answered '{answer.strip()}' to '{question.strip()}'"
        if kind is ScoreRuleKind.RATING_IS:
            return f"rated {value.casefold()}"
        if kind is ScoreRuleKind.ACTIVITY_COUNT_AT_LEAST:
            return f"{value}+ activities"
        if kind is ScoreRuleKind.TOUCHED_WITHIN_DAYS:
            return f"touched within {value} days"
        return _FLAG_REASONS[kind]


_FLAG_REASONS = {
    ScoreRuleKind.COUNTRY_SERVED: "country in served territory",
    ScoreRuleKind.FREE_MAIL: "free-mail address",
    ScoreRuleKind.ROLE_ADDRESS: "role address",
    ScoreRuleKind.STUDENT: "student or intern",
    ScoreRuleKind.COMPETITOR: "competitor",
    ScoreRuleKind.SUPPRESSED: "on the suppression list",
}


def _alternatives(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def check_rule(rule: ScoreRule) -> None:
    """Raise ValidationError naming what is wrong with a rule's value."""
    kind, value = rule.kind, rule.value.strip()
    field_name = kind.label
    if kind in _FLAG_KINDS:
        return
    if not value:
        raise ValidationError.single(field_name, "needs a value")
    if kind in _INT_KINDS:
        if not value.isdigit():
            raise ValidationError.single(field_name, f"'{value}' is not a whole number")
    elif kind is ScoreRuleKind.SENIORITY:
        if value.casefold() not in Seniority._value2member_map_:
            raise ValidationError.single(field_name, f"'{value}' is not one of "
                                         + ", ".join(s.value for s in Seniority))
    elif kind is ScoreRuleKind.RATING_IS:
        if value.casefold() not in Rating._value2member_map_:
            raise ValidationError.single(field_name, f"'{value}' is not hot, warm or cold")
    elif kind is ScoreRuleKind.ANSWER_IS:
        question, eq, answer = value.partition("=")
        if not eq or not question.strip() or not answer.strip():
            raise ValidationError.single(field_name, f"'{value}' is not 'Question=Answer'")
    elif kind is ScoreRuleKind.COUNTRY_IN:
        bad = [a for a in _alternatives(value) if len(a) != 2 or not a.isalpha()]
        if bad:
            raise ValidationError.single(field_name, f"'{bad[0]}' is not a two-letter "
                                                     "country code such as DE")
    elif kind is ScoreRuleKind.TITLE_CONTAINS and not _WORD.search(value):
        raise ValidationError.single(field_name, f"'{value}' has no word to look for")


@dataclass(frozen=True, slots=True)
class ScoringConfig:
    rules: tuple[ScoreRule, ...]
    decay_points_per_week: int  # lost per full week since the last touch (or capture)
    decay_max: int  # decay never takes more than this: an old lead is still a lead
    mql_threshold: int
    sql_threshold: int


def _default_rule(name: str, kind: ScoreRuleKind, value: str, points: int) -> ScoreRule:
    # Stable ids so a default rule set written twice (or on two laptops) is the same rules.
    return ScoreRule(uuid.uuid5(_DEFAULT_NAMESPACE, name), kind, value, points)


_DEFAULT_NAMESPACE = uuid.UUID("5c0b3f7e-2f4a-4a55-9a38-6c1f2f6e1a01")
K = ScoreRuleKind
# Fit (who they are) is worth up to about 50, engagement (what they did) up to about 30.
# MQL at 40: a director (+20) at a company of 200+ (+10) in a served country (+10) is worth a
# BDR call on fit alone, while a manager with a free-mail address is not. SQL at 70 cannot be
# reached on fit alone: it takes fit plus engagement, e.g. director 20 + size 10 + served 10
# + rated hot 15 + 3 activities 10 + touched this fortnight 5 = 70, which is the "need and
# timeframe" half of BANT that a rep should confirm before taking the lead.
DEFAULT_SCORING_CONFIG = ScoringConfig(
    rules=(
        _default_rule("c_level", K.SENIORITY, "c_level", 30),
        _default_rule("vp", K.SENIORITY, "vp", 25),
        _default_rule("director", K.SENIORITY, "director", 20),
        _default_rule("manager", K.SENIORITY, "manager", 10),
        _default_rule("size200", K.COMPANY_SIZE_AT_LEAST, "200", 10),
        _default_rule("size1000", K.COMPANY_SIZE_AT_LEAST, "1000", 5),
        _default_rule("served", K.COUNTRY_SERVED, "", 10),
        _default_rule("hot", K.RATING_IS, "hot", 15),
        _default_rule("warm", K.RATING_IS, "warm", 5),
        _default_rule("cold", K.RATING_IS, "cold", -5),
        _default_rule("activities3", K.ACTIVITY_COUNT_AT_LEAST, "3", 10),
        _default_rule("touched14", K.TOUCHED_WITHIN_DAYS, "14", 5),
        _default_rule("free_mail", K.FREE_MAIL, "", -10),
        _default_rule("role", K.ROLE_ADDRESS, "", -5),
        _default_rule("student", K.STUDENT, "", -30),
        _default_rule("competitor", K.COMPETITOR, "", -50),
        _default_rule("suppressed", K.SUPPRESSED, "", -40),
    ),
    decay_points_per_week=2,
    decay_max=20,
    mql_threshold=40,
    sql_threshold=70,
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
