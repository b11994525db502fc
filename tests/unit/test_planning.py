"""The lead-flow planner's arithmetic (app.domain.planning), checked against hand computations."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from app.domain.errors import ValidationError
from app.domain.planning import (
    FunnelHistory,
    Period,
    Stage,
    Verdict,
    inputs_from,
    measure_window,
    parse_rate,
    plan,
    plan_to_dict,
)

# 1,000 leads → 300 MQL → 120 SQL → 60 opportunities → 15 won, 150,000.00 of revenue
HISTORY = FunnelHistory(leads=1000, mql=300, sql=120, opportunities=60, won=15,
                        revenue=15_000_000)
BEFORE = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)


def test_a_year_worked_backwards_by_hand() -> None:
    """Target 120,000.00 at the measured deal size 150,000.00 / 15 = 10,000.00:
    customers     = ceil(120,000 / 10,000) = 12
    opportunities = ceil(12 / (15/60 = 0.25))  = 48
    SQLs          = ceil(48 / (60/120 = 0.5))  = 96
    MQLs          = ceil(96 / (120/300 = 0.4)) = 240
    leads         = ceil(240 / (300/1000 = 0.3)) = 800
    Spread over 12 months: cumulative need after month m is ceil(800 m / 12): January 67,
    February ceil(133.3) = 134, March 200, ..., December 800; January needs 67, February 67,
    March 66.
    """
    inputs = inputs_from(12_000_000, "EUR", Period.parse("2027"), HISTORY)
    assert inputs.deal_size == 1_000_000 and inputs.deal_size_measured
    result = plan(inputs, {}, BEFORE)
    assert (result.customers, result.opportunities, result.sqls, result.mqls, result.leads) \
        == (12, 48, 96, 240, 800)
    assert [m.needed_total for m in result.months][:3] == [67, 134, 200]
    assert [m.needed for m in result.months][:3] == [67, 67, 66]
    assert result.months[-1].needed_total == 800
    assert sum(m.needed for m in result.months) == 800
    assert result.per_month(result.leads) == 67
    assert result.verdict is Verdict.NOT_STARTED
    assert result.verdict_text == "not started: 67 leads a month from January 2027"


def test_every_step_rounds_up() -> None:
    """Target 130,000.00 at 10,000.00 → 13 customers; / 0.25 = 52 opportunities; / 0.5 = 104
    SQLs; / 0.4 = 260 MQLs; / 0.3 = 866.67, rounded up to 867 leads."""
    result = plan(inputs_from(13_000_000, "EUR", Period(2027), HISTORY), {}, BEFORE)
    assert (result.customers, result.leads) == (13, 867)
    one_cent_more = plan(inputs_from(12_000_001, "EUR", Period(2027), HISTORY), {}, BEFORE)
    assert one_cent_more.customers == 13


def test_a_quarter_has_its_three_months() -> None:
    period = Period.parse("2027-Q2")
    assert period == Period(2027, 2) and str(period) == "2027-Q2"
    assert period.months == ((2027, 4), (2027, 5), (2027, 6))
    assert period.start == dt.datetime(2027, 4, 1, tzinfo=dt.UTC)
    assert period.end == dt.datetime(2027, 7, 1, tzinfo=dt.UTC)
    assert Period.parse("2027q4").end == dt.datetime(2028, 1, 1, tzinfo=dt.UTC)
    result = plan(inputs_from(12_000_000, "EUR", period, HISTORY), {}, BEFORE)
    assert [m.needed_total for m in result.months] == [267, 534, 800]
    for bad in ("2027-Q5", "27", "2027-06", ""):
        with pytest.raises(ValidationError, match="period"):
            Period.parse(bad)


def test_typed_estimates_replace_the_measured_rates_and_deal_size() -> None:
    """Deal size 20,000.00 → 6 customers; opportunity→won 0.5 → 12; then measured 0.5 → 24
    SQLs; 0.4 → 60 MQLs; lead→MQL 10% → 600 leads."""
    inputs = inputs_from(12_000_000, "EUR", Period(2027), HISTORY, deal_size=2_000_000,
                         estimates={Stage.OPPORTUNITY_WON: Fraction(1, 2),
                                    Stage.LEAD_MQL: parse_rate("lead-mql=10%")[1]})
    result = plan(inputs, {}, BEFORE)
    assert (result.customers, result.opportunities, result.sqls, result.mqls, result.leads) \
        == (6, 12, 24, 60, 600)
    assert not inputs.deal_size_measured
    assert inputs.rates[Stage.LEAD_MQL].source == "estimate"
    assert inputs.rates[Stage.MQL_SQL].source == "measured from 300 leads"
    data = plan_to_dict(result)
    assert data["rates"]["lead-mql"] == {"rate": 0.1, "source": "estimate", "entered": 1000,
                                         "moved_on": 300}
    assert data["deal_size_source"] == "estimate"


def test_rates_without_history_name_what_to_type() -> None:
    empty = FunnelHistory(0, 0, 0, 0, 0, 0)
    with pytest.raises(ValidationError) as caught:
        plan(inputs_from(12_000_000, "EUR", Period(2027), empty), {}, BEFORE)
    fields = {e.field for e in caught.value.errors}
    assert fields == {"deal_size", "rate lead-mql", "rate mql-sql", "rate sql-opportunity",
                      "rate opportunity-won"}
    assert "lead-mql=0.25" in str(caught.value)
    no_wins = FunnelHistory(100, 50, 20, 10, 0, 0)
    with pytest.raises(ValidationError) as caught:
        plan(inputs_from(12_000_000, "EUR", Period(2027), no_wins, deal_size=500_000), {},
             BEFORE)
    assert [e.field for e in caught.value.errors] == ["rate opportunity-won"]
    assert "no lead reached that stage" in str(caught.value)
    typed = inputs_from(12_000_000, "EUR", Period(2027), no_wins, deal_size=500_000,
                        estimates={Stage.OPPORTUNITY_WON: Fraction(1, 4)})
    assert plan(typed, {}, BEFORE).customers == 24


def test_rate_words() -> None:
    assert parse_rate("MQL-SQL=0,35") == (Stage.MQL_SQL, Fraction(35, 100))
    for bad, field in (("lead-sql=0.3", "rate"), ("lead-mql", "rate"),
                       ("lead-mql=0", "rate lead-mql"), ("lead-mql=1.5", "rate lead-mql"),
                       ("lead-mql=lots", "rate lead-mql")):
        with pytest.raises(ValidationError) as caught:
            parse_rate(bad)
        assert caught.value.errors[0].field == field


def _quarter_plan(actual: dict[str, int], today: dt.datetime):  # type: ignore[no-untyped-def]
    """90 leads in 2027-Q2 (30 a month): 9,000.00 at 1,000.00 a deal with every rate 1 except
    lead→MQL 0.1 → 9 customers, 9 opportunities, 9 SQLs, 9 MQLs, 90 leads."""
    history = FunnelHistory(10, 1, 1, 1, 1, 100_000)
    return plan(inputs_from(900_000, "EUR", Period(2027, 2), history), actual, today)


def test_short_verdict_projects_the_run_rate() -> None:
    """Today 2027-05-16 00:00 UTC, 45 days into the quarter; 30 leads in April, 10 in May so
    far (40 at 40/45 a day). April has ended (30 created, 30 needed). May ends in 16 days:
    40 + floor(40 × 16 / 45 = 14.2) = 54 < 60 needed → 6 leads short by May 2027."""
    today = dt.datetime(2027, 5, 16, tzinfo=dt.UTC)
    result = _quarter_plan({"2027-04": 30, "2027-05": 10, "2027-03": 999}, today)
    assert result.leads == 90 and result.actual_so_far == 40
    april, may, june = result.months
    assert (april.actual, april.actual_total, april.projected_total) == (30, 30, 30)
    assert (may.actual, may.actual_total, may.projected_total) == (10, 40, 54)
    assert (june.actual, june.actual_total) == (None, None)
    assert june.projected_total == 40 + (40 * 46) // 45
    assert result.verdict is Verdict.SHORT and result.short_by == 6
    assert result.verdict_text == "6 leads short by May 2027"
    assert plan_to_dict(result)["short_month"] == "2027-05"


def test_on_track_and_a_finished_period() -> None:
    """May with 25 so far: 55 + floor(55 × 16 / 45 = 19.6) = 74 ≥ 60; June: 55 + floor(55 × 46
    / 45) = 111 ≥ 90 → on track. After the quarter only its total matters: April 30, May 29
    (59 < 60, made up in June), June 40 → 99 ≥ 90 on track; June 20 → 79, 11 short by June."""
    result = _quarter_plan({"2027-04": 30, "2027-05": 25}, dt.datetime(2027, 5, 16, tzinfo=dt.UTC))
    assert [m.projected_total for m in result.months] == [30, 74, 111]
    assert result.verdict is Verdict.ON_TRACK and result.verdict_text == "on track"
    after = _quarter_plan({"2027-04": 30, "2027-05": 29, "2027-06": 40},
                          dt.datetime(2027, 9, 1, tzinfo=dt.UTC))
    assert [m.projected_total for m in after.months] == [30, 59, 99]
    assert after.verdict is Verdict.ON_TRACK
    short = _quarter_plan({"2027-04": 30, "2027-05": 29, "2027-06": 20},
                          dt.datetime(2027, 9, 1, tzinfo=dt.UTC))
    assert short.verdict_text == "11 leads short by June 2027"


def test_a_month_behind_but_made_up_is_on_track() -> None:
    """April 10 of 30 (behind), May 1st 00:00: 10 + floor(10 × 31 / 30) = 20 < 60 by May's end →
    40 short.
    With 80 in April: May 80 + 80 ≥ 60 and June 80 + floor(80 × 61 / 30) ≥ 90 → on track."""
    today = dt.datetime(2027, 5, 1, tzinfo=dt.UTC)
    behind = _quarter_plan({"2027-04": 10}, today)
    assert behind.short_month is not None and behind.short_month.key == "2027-05"
    assert behind.short_by == 40
    assert _quarter_plan({"2027-04": 80}, today).verdict is Verdict.ON_TRACK


def test_the_first_day_of_the_period_projects_nothing_yet() -> None:
    today = dt.datetime(2027, 4, 1, tzinfo=dt.UTC)
    result = _quarter_plan({}, today)
    assert result.verdict is Verdict.SHORT and result.short_month is not None
    assert result.short_month.key == "2027-04" and result.short_by == 30


def test_measured_window_is_the_twelve_months_before() -> None:
    """Whole months only: this month (December 2026) has not ended, so it is left out."""
    start, end = measure_window(Period(2027), BEFORE)
    assert (start, end) == (dt.datetime(2025, 12, 1, tzinfo=dt.UTC),
                            dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    during = measure_window(Period(2026, 4), BEFORE)
    assert during == (dt.datetime(2025, 10, 1, tzinfo=dt.UTC),
                      dt.datetime(2026, 10, 1, tzinfo=dt.UTC))
