"""Lead scoring, pure: each rule kind, explanations, decay, MQL/SQL thresholds, validation."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from typing import Any

import pytest

from app.domain.errors import ValidationError
from app.domain.leads import LeadRecord, LeadStatus, Rating
from app.domain.scoring import (
    DEFAULT_SCORING_CONFIG,
    Scorer,
    ScoreReason,
    ScoreResult,
    ScoreRule,
    ScoreRuleKind,
    ScoringConfig,
    ScoringFacts,
    Seniority,
    email_flags,
    looks_like_student,
    parse_company_size,
    qualification_for,
    seniority_of,
)

NOW = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)
K = ScoreRuleKind


def _rule(kind: ScoreRuleKind, value: str = "", points: int = 10, enabled: bool = True
          ) -> ScoreRule:
    return ScoreRule(uuid.uuid4(), kind, value, points, enabled)


def _config(*rules: ScoreRule, per_week: int = 0, cap: int = 0) -> ScoringConfig:
    return ScoringConfig(tuple(rules), per_week, cap, mql_threshold=40, sql_threshold=70)


def _facts(**kw: Any) -> ScoringFacts:
    kw.setdefault("created_at", NOW)
    return ScoringFacts(**kw)


def _score(rule: ScoreRule, **kw: Any) -> int:
    return Scorer(_config(rule)).score(_facts(**kw), NOW).total


MATCH_CASES: list[tuple[ScoreRuleKind, str, dict[str, Any], dict[str, Any]]] = [
    (K.TITLE_CONTAINS, "Director", {"title": "Sales director, EMEA"}, {"title": "Directorate"}),
    (K.TITLE_CONTAINS, "supply chain", {"title": "Head of Supply-Chain"},
     {"title": "Supply manager"}),
    (K.SENIORITY, "c_level", {"title": "Founder & CEO"}, {"title": "Sales Manager"}),
    (K.SENIORITY, "vp", {"title": "Vice President Sales"}, {"title": "President"}),
    (K.SENIORITY, "director", {"title": "Director of Marketing"},
     {"title": "Managing Director"}),
    (K.SENIORITY, "manager", {"title": "Plant Manager"}, {"title": "Engineer"}),
    (K.SENIORITY, "individual", {"title": "Engineer"}, {"title": "Team Lead"}),
    (K.COMPANY_SIZE_AT_LEAST, "200", {"company_size": "201-500"}, {"company_size": "51-200"}),
    (K.COMPANY_SIZE_AT_LEAST, "5000", {"company_size": "10k"}, {"company_size": "about"}),
    (K.INDUSTRY_IS, "Pharma, Chemicals", {"industry": "chemicals"},
     {"industry": "Petrochemicals"}),
    (K.COUNTRY_IN, "DE, AT", {"country": "AT"}, {"country": "CH"}),
    (K.COUNTRY_SERVED, "", {"country": "DE", "served_countries": frozenset({"DE"})},
     {"country": "FR", "served_countries": frozenset({"DE"})}),
    (K.PRODUCT_INTEREST_CONTAINS, "valve", {"product_interest": "Pumps, Valves"},
     {"product_interest": "Pumps"}),
    (K.ANSWER_IS, "Budget approved?=yes", {"answers": {"budget approved?": "Yes"}},
     {"answers": {"Budget approved?": "No"}}),
    (K.ANSWER_IS, "Products=Valves", {"answers": {"Products": "Pumps; Valves"}},
     {"answers": {"Products": "Pumps"}}),
    (K.RATING_IS, "hot", {"rating": Rating.HOT}, {"rating": Rating.WARM}),
    (K.ACTIVITY_COUNT_AT_LEAST, "3", {"activity_count": 3}, {"activity_count": 2}),
    (K.TOUCHED_WITHIN_DAYS, "14", {"last_touch_at": NOW - dt.timedelta(days=14)},
     {"last_touch_at": NOW - dt.timedelta(days=15)}),
    (K.FREE_MAIL, "", {"is_free_mail": True}, {"is_free_mail": False}),
    (K.ROLE_ADDRESS, "", {"is_role_address": True}, {}),
    (K.STUDENT, "", {"title": "Working student"}, {"title": "Studio manager"}),
    (K.STUDENT, "", {"email": "a.b@ox.ac.uk"}, {"email": "a.b@acme.co.uk"}),
    (K.STUDENT, "", {"email": "jo@mit.edu"}, {"email": "jo@education.com"}),
    (K.COMPETITOR, "", {"suppression_kinds": frozenset({"competitor"})},
     {"suppression_kinds": frozenset({"opted_out"})}),
    (K.SUPPRESSED, "", {"suppression_kinds": frozenset({"opted_out"})}, {}),
]


@pytest.mark.parametrize(("kind", "value", "hit", "miss"), MATCH_CASES)
def test_each_rule_kind_matches_and_misses(kind: ScoreRuleKind, value: str,
                                           hit: dict[str, Any], miss: dict[str, Any]) -> None:
    rule = _rule(kind, value, points=7)
    assert _score(rule, **hit) == 7
    assert _score(rule, **miss) == 0


def test_every_kind_is_covered_and_labelled() -> None:
    assert {case[0] for case in MATCH_CASES} == set(ScoreRuleKind)
    assert all(kind.label for kind in ScoreRuleKind)


@pytest.mark.parametrize(("title", "level"), [
    ("Founder & CEO", Seniority.C_LEVEL), ("Geschäftsführer", Seniority.C_LEVEL),
    ("Managing Director", Seniority.C_LEVEL), ("Vice-President Sales", Seniority.VP),
    ("Head of Procurement", Seniority.VP), ("Director, Operations", Seniority.DIRECTOR),
    ("Sales Manager & Co-Founder", Seniority.C_LEVEL), ("Team Lead QA", Seniority.MANAGER),
    ("Mechanical Engineer", Seniority.INDIVIDUAL), ("", Seniority.INDIVIDUAL),
])
def test_seniority_from_title(title: str, level: Seniority) -> None:
    assert seniority_of(title) is level


@pytest.mark.parametrize(("text", "size"), [
    ("51-200", 51), ("1000+", 1000), ("250", 250), ("10k", 10_000), ("10K+", 10_000),
    ("1,000-4,999", 1000), ("1.000", 1000), ("2.5k", 2500), ("<10", 1), ("under 50", 1),
    ("self-employed", None), ("", None),
])
def test_company_size_lower_bound(text: str, size: int | None) -> None:
    assert parse_company_size(text) == size


def test_student_hints_and_email_flags() -> None:
    assert looks_like_student("Intern", "")
    assert looks_like_student("", "x@student.tu-berlin.de")
    assert not looks_like_student("Internal Sales", "x@acme.de")
    assert email_flags("anna@gmail.com") == (True, False)
    assert email_flags("info@weber-mb.de") == (False, True)
    assert email_flags("not an email") == (False, False)


def test_explanation_lists_reasons_in_rule_order_with_decay_last() -> None:
    rules = (_rule(K.TITLE_CONTAINS, "Director", 20), _rule(K.RATING_IS, "hot", 15),
             _rule(K.COUNTRY_IN, "DE", 0), _rule(K.FREE_MAIL, "", -10))
    scorer = Scorer(_config(*rules, per_week=2, cap=20))
    facts = _facts(title="Director Sales", rating=Rating.HOT, country="DE", is_free_mail=True,
                   created_at=NOW - dt.timedelta(days=60),
                   last_touch_at=NOW - dt.timedelta(days=23))
    result = scorer.score(facts, NOW)
    assert result.explain() == ("+20 title contains Director; +15 rated hot; "
                                "-10 free-mail address; -6 decay: 3 weeks without a touch")
    assert result.total == 19 == sum(r.points for r in result.reasons)


def test_describe_texts() -> None:
    assert _rule(K.COMPANY_SIZE_AT_LEAST, "200").describe() == "company size ≥ 200"
    assert _rule(K.COUNTRY_SERVED).describe() == "country in served territory"
    assert _rule(K.SENIORITY, "c_level").describe() == "C-level title"
    assert _rule(K.COUNTRY_IN, "de, at").describe() == "country in DE, AT"
    assert _rule(K.ANSWER_IS, "Budget?=Yes").describe() == "answered 'Yes' to 'Budget?'"
    assert ScoreResult(0, ()).explain() == "no rule applies"


def test_decay_counts_full_weeks_from_capture_when_never_touched_and_is_capped() -> None:
    scorer = Scorer(_config(per_week=3, cap=10))
    six_days = scorer.score(_facts(created_at=NOW - dt.timedelta(days=6)), NOW)
    assert six_days.total == 0 and six_days.reasons == ()
    two_weeks = scorer.score(_facts(created_at=NOW - dt.timedelta(days=20)), NOW)
    assert two_weeks.reasons == (ScoreReason(-6, "decay: 2 weeks since capture, never touched"),)
    old = scorer.score(_facts(created_at=NOW - dt.timedelta(days=400)), NOW)
    assert old.total == -10


def test_disabled_and_zero_point_rules_leave_no_reason() -> None:
    scorer = Scorer(_config(_rule(K.RATING_IS, "hot", 15, enabled=False),
                            _rule(K.RATING_IS, "hot", 0)))
    assert scorer.score(_facts(rating=Rating.HOT), NOW) == ScoreResult(0, ())


def test_a_rule_counts_once_even_when_two_alternatives_match() -> None:
    scorer = Scorer(_config(_rule(K.ANSWER_IS, "Products=Valves", 5)))
    facts = _facts(answers={"Products": "Valves", "products": "Valves"})
    assert scorer.score(facts, NOW).total == 5


@pytest.mark.parametrize(("rule", "message"), [
    (_rule(K.COMPANY_SIZE_AT_LEAST, "lots"), "'lots' is not a whole number"),
    (_rule(K.SENIORITY, "boss"), "'boss' is not one of c_level"),
    (_rule(K.ANSWER_IS, "Budget"), "is not 'Question=Answer'"),
    (_rule(K.RATING_IS, "lukewarm"), "not hot, warm or cold"),
    (_rule(K.COUNTRY_IN, "DE, Germany"), "'Germany' is not a two-letter country code"),
    (_rule(K.TITLE_CONTAINS, ""), "needs a value"),
])
def test_invalid_rules_are_refused_with_the_reason(rule: ScoreRule, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Scorer(_config(rule))
    assert message in str(caught.value)
    assert caught.value.for_field(rule.kind.label)


def test_default_config_scores_a_realistic_lead() -> None:
    scorer = Scorer(DEFAULT_SCORING_CONFIG)
    facts = _facts(title="Director of Engineering", company_size="201-500", country="DE",
                   served_countries=frozenset({"DE", "AT"}), rating=Rating.HOT,
                   activity_count=3, last_touch_at=NOW - dt.timedelta(days=2))
    result = scorer.score(facts, NOW)
    assert result.total == 70  # fit and engagement together reach SQL, as the comment says
    assert qualification_for(LeadStatus.INQUIRY, result.total) is LeadStatus.SQL
    free = scorer.score(_facts(title="Sales Manager", email="x@gmail.com", is_free_mail=True),
                        NOW)
    assert free.total == 0 and "free-mail address" in free.explain()


def test_of_lead_uses_data_quality_flags() -> None:
    lead = LeadRecord(id=uuid.uuid4(), email="info@gmx.de", title="CEO", country="DE",
                      rating=Rating.WARM)
    facts = ScoringFacts.of_lead(lead, now=NOW, activity_count=2)
    assert (facts.is_free_mail, facts.is_role_address, facts.created_at) == (True, True, NOW)


@pytest.mark.parametrize(("status", "score", "expected"), [
    (LeadStatus.INQUIRY, 39, None), (LeadStatus.INQUIRY, 40, LeadStatus.MQL),
    (LeadStatus.PROSPECT, 69, LeadStatus.MQL), (LeadStatus.SUSPECT, 70, LeadStatus.SQL),
    (LeadStatus.MQL, 80, LeadStatus.SQL), (LeadStatus.MQL, 10, None),  # never demoted
    (LeadStatus.SQL, -50, None), (LeadStatus.SQL, 100, None),
    (LeadStatus.NURTURE, 100, None), (LeadStatus.CONVERTED, 100, None),
    (LeadStatus.WON, 100, None), (LeadStatus.LOST, 100, None),
    (LeadStatus.DISQUALIFIED, 100, None),
])
def test_thresholds_promote_only_in_the_early_funnel(status: LeadStatus, score: int,
                                                      expected: LeadStatus | None) -> None:
    assert qualification_for(status, score, DEFAULT_SCORING_CONFIG) == expected


def test_compiled_scorer_equals_the_sum_of_its_rules_one_by_one() -> None:
    """Tables, bisects and caches must not change the arithmetic: every rule's contribution
    is what that rule alone gives (random rules, random leads)."""
    rng = random.Random(7)
    values = {K.TITLE_CONTAINS: ["manager", "Head of", "engineer", "sales"],
              K.SENIORITY: [s.value for s in Seniority],
              K.COMPANY_SIZE_AT_LEAST: ["10", "50", "200", "1000"],
              K.INDUSTRY_IS: ["Pharma", "Food, Pharma"], K.COUNTRY_IN: ["DE", "FR, DE"],
              K.PRODUCT_INTEREST_CONTAINS: ["pump", "valve"],
              K.ANSWER_IS: ["Budget?=Yes", "Budget?=No"], K.RATING_IS: ["hot", "cold"],
              K.ACTIVITY_COUNT_AT_LEAST: ["1", "4"], K.TOUCHED_WITHIN_DAYS: ["7", "30"]}
    rules = [_rule(kind, rng.choice(values.get(kind, [""])), rng.randint(-20, 20))
             for kind in rng.choices(list(ScoreRuleKind), k=60)]
    full = Scorer(_config(*rules, per_week=1, cap=5))
    singles = [Scorer(_config(r)) for r in rules]
    titles = ["Sales Manager", "Head of Sales", "CEO", "Engineer", "Intern", ""]
    for _ in range(300):
        facts = _facts(
            title=rng.choice(titles), company_size=rng.choice(["", "11-50", "250", "5k"]),
            industry=rng.choice(["Pharma", "food", ""]), country=rng.choice(["DE", "FR", "US"]),
            product_interest=rng.choice(["", "Pumps", "Valves, pumps"]),
            rating=rng.choice([None, *Rating]), answers={"Budget?": rng.choice(["Yes", "No"])},
            activity_count=rng.randint(0, 5), is_free_mail=rng.random() < 0.3,
            last_touch_at=NOW - dt.timedelta(days=rng.randint(0, 60)),
            suppression_kinds=rng.choice([frozenset(), frozenset({"competitor"})]),
            served_countries=frozenset({"DE"}))
        result = full.score(facts, NOW)
        alone = [s.score(facts, NOW).reasons for s in singles]
        decay = [r for r in result.reasons if r.text.startswith("decay")]
        expected = [reason for reasons in alone for reason in reasons
                    if not reason.text.startswith("decay")]
        assert list(result.reasons) == expected + decay
        assert result.total == sum(r.points for r in result.reasons)
