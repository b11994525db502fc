"""Score rules: their kinds, validation, and the default scoring configuration."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from app.domain.errors import ValidationError
from app.domain.leads import Rating
from app.domain.scoring.signals import _WORD, Seniority


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
