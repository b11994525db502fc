"""Lead scoring: fit and engagement turned into a number with an explanation (PRODUCT.md,
stage 2), and the MQL/SQL thresholds that number moves a lead across.

A score must be explainable to the rep who receives the lead ("+20 title contains Director;
+15 rated hot; -10 free-mail address"), so every rule renders its own reason, and the total is
exactly the sum of the reasons shown. Scoring runs over every lead whenever the rules change,
so a ``Scorer`` compiles the rules once into lookup tables (one dict or sorted list per rule
kind) instead of testing 200 rules one by one per lead.
"""

from app.domain.scoring.rules import (
    DEFAULT_SCORING_CONFIG,
    ScoreRule,
    ScoreRuleKind,
    ScoringConfig,
    check_rule,
)
from app.domain.scoring.scorer import (
    Scorer,
    ScoreReason,
    ScoreResult,
    ScoringFacts,
    promotion_note,
    qualification_for,
)
from app.domain.scoring.signals import (
    Seniority,
    email_flags,
    looks_like_student,
    parse_company_size,
    seniority_of,
)

__all__ = [
    "DEFAULT_SCORING_CONFIG",
    "ScoreReason",
    "ScoreResult",
    "ScoreRule",
    "ScoreRuleKind",
    "Scorer",
    "ScoringConfig",
    "ScoringFacts",
    "Seniority",
    "check_rule",
    "email_flags",
    "looks_like_student",
    "parse_company_size",
    "promotion_note",
    "qualification_for",
    "seniority_of",
]
