"""Lead-flow planning: work back from a revenue target to the leads needed each month.

The chain runs backwards through the funnel (lead → MQL → SQL → opportunity → customer):

    customers     = ceil(target / deal size)
    opportunities = ceil(customers / opportunity→won rate)
    SQLs          = ceil(opportunities / SQL→opportunity rate)
    MQLs          = ceil(SQLs / MQL→SQL rate)
    leads         = ceil(MQLs / lead→MQL rate)

Every step rounds up (a plan never asks for 0.4 of a customer), with exact fractions so a rate of
0.1 never turns 10 into 100.00000001. Leads are spread evenly over the period's months: the
cumulative need at the end of month m of n is ceil(leads × m / n), so the months add up to the
total exactly. Months are calendar months in UTC, as the report queries count them.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from fractions import Fraction

from app.domain.contact_data import format_money
from app.domain.errors import FieldError, ValidationError

MEASURE_MONTHS = 12  # measured rates count the leads created in the 12 months before the period


class Stage(Enum):
    """One step of the funnel, named by the rate of leaving it for the next."""

    LEAD_MQL = "lead-mql"
    MQL_SQL = "mql-sql"
    SQL_OPPORTUNITY = "sql-opportunity"
    OPPORTUNITY_WON = "opportunity-won"

    @property
    def label(self) -> str:
        return _STAGE_LABELS[self]


_STAGE_LABELS = {Stage.LEAD_MQL: "Lead → MQL", Stage.MQL_SQL: "MQL → SQL",
                 Stage.SQL_OPPORTUNITY: "SQL → opportunity",
                 Stage.OPPORTUNITY_WON: "Opportunity → won"}


@dataclass(frozen=True)
class Period:
    """A calendar year or one quarter of it (``quarter`` None: the whole year)."""

    year: int
    quarter: int | None = None

    @classmethod
    def parse(cls, text: str) -> Period:
        """'2027' or '2027-Q2' (case and a space or no dash before Q do not matter)."""
        match = re.fullmatch(r"\s*(\d{4})(?:\s*-?\s*[qQ]([1-4]))?\s*", text)
        if not match:
            raise ValidationError.single("period", f"'{text}' is not a year or a quarter: "
                                                   "write e.g. 2027 or 2027-Q2")
        return cls(int(match[1]), int(match[2]) if match[2] else None)

    @property
    def months(self) -> tuple[tuple[int, int], ...]:
        first = 1 if self.quarter is None else 3 * self.quarter - 2
        count = 12 if self.quarter is None else 3
        return tuple((self.year, m) for m in range(first, first + count))

    @property
    def start(self) -> dt.datetime:
        year, month = self.months[0]
        return dt.datetime(year, month, 1, tzinfo=dt.UTC)

    @property
    def end(self) -> dt.datetime:
        """The first instant after the period."""
        return month_after(*self.months[-1])

    def __str__(self) -> str:
        return str(self.year) if self.quarter is None else f"{self.year}-Q{self.quarter}"


def month_after(year: int, month: int) -> dt.datetime:
    return dt.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=dt.UTC)


def month_key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def month_name(year: int, month: int) -> str:
    return f"{calendar.month_name[month]} {year}"


def measure_window(period: Period, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The 12 whole months the measured rates come from: those before the period starts, or
    before this month when that is earlier (a month not yet over would lower every rate)."""
    this_month = dt.datetime(now.year, now.month, 1, tzinfo=dt.UTC)
    end = min(period.start, this_month)
    return end.replace(year=end.year - 1), end


@dataclass(frozen=True)
class StageRate:
    """How many of ``entered`` went on to the next stage; ``measured`` False: a typed estimate
    (then ``entered`` and ``moved_on`` are the history's counts, kept for the words)."""

    stage: Stage
    rate: Fraction | None
    measured: bool
    entered: int = 0
    moved_on: int = 0

    @property
    def source(self) -> str:
        if self.measured:
            return f"measured from {self.entered:,} {_plural(self.entered, 'lead')}"
        return "estimate"


@dataclass(frozen=True)
class FunnelHistory:
    """The counts the ROI and funnel reports show, over the measuring window."""

    leads: int
    mql: int
    sql: int
    opportunities: int
    won: int
    revenue: int  # minor units, deal values of the won leads

    def rates(self) -> dict[Stage, StageRate]:
        pairs = {Stage.LEAD_MQL: (self.leads, self.mql), Stage.MQL_SQL: (self.mql, self.sql),
                 Stage.SQL_OPPORTUNITY: (self.sql, self.opportunities),
                 Stage.OPPORTUNITY_WON: (self.opportunities, self.won)}
        return {stage: StageRate(stage, Fraction(moved, entered) if entered else None,
                                 True, entered, moved)
                for stage, (entered, moved) in pairs.items()}

    @property
    def deal_size(self) -> int | None:
        """The average won deal in minor units, rounded half up; None with nothing won. As in
        the ROI report's revenue, a won lead without a deal value counts as 0 (so the plan errs
        towards more customers)."""
        if not self.won or not self.revenue:
            return None
        return (2 * self.revenue + self.won) // (2 * self.won)


@dataclass(frozen=True)
class PlanInputs:
    target: int  # minor units (cents), as deal values are stored
    currency: str
    period: Period
    deal_size: int | None  # minor units
    deal_size_measured: bool
    rates: Mapping[Stage, StageRate]
    history: FunnelHistory | None = None


def inputs_from(target: int, currency: str, period: Period, history: FunnelHistory,
                deal_size: int | None = None,
                estimates: Mapping[Stage, Fraction] | None = None) -> PlanInputs:
    """The measured rates and deal size of ``history``, with each typed estimate replacing its
    measured value."""
    rates = history.rates()
    for stage, value in (estimates or {}).items():
        measured = rates[stage]
        rates[stage] = StageRate(stage, value, False, measured.entered, measured.moved_on)
    typed = deal_size is not None
    return PlanInputs(target, currency, period, deal_size if typed else history.deal_size,
                      not typed, rates, history)


def parse_rate(text: str) -> tuple[Stage, Fraction]:
    """'lead-mql=0.3', 'lead-mql=30%' → (Stage.LEAD_MQL, 3/10)."""
    name, sep, value = text.partition("=")
    stages = ", ".join(s.value for s in Stage)
    try:
        stage = Stage(name.strip().lower())
    except ValueError:
        raise ValidationError.single("rate", f"'{name}' is no stage: use one of {stages}, e.g. "
                                             "lead-mql=0.3") from None
    if not sep:
        raise ValidationError.single("rate", f"'{text}' has no value: write e.g. {stage.value}=0.3")
    return stage, _fraction(value, f"rate {stage.value}")


def _fraction(text: str, field: str) -> Fraction:
    cleaned = text.strip().replace(",", ".")
    percent = cleaned.endswith("%")
    try:
        value = Fraction(cleaned.rstrip("%").strip())
    except (ValueError, ZeroDivisionError):
        raise ValidationError.single(field, f"'{text}' is not a rate: write e.g. 0.3 or 30%") \
            from None
    if percent:
        value /= 100
    if not 0 < value <= 1:
        raise ValidationError.single(field, f"'{text}' must be more than 0 and at most 1 (100%)")
    return value


@dataclass(frozen=True)
class MonthLine:
    """One month of the plan; ``actual`` None for a month that has not started."""

    year: int
    month: int
    needed: int
    needed_total: int  # cumulative from the period's start
    actual: int | None
    actual_total: int | None
    projected_total: int  # actual for finished months, else actual so far + run rate, rounded down

    @property
    def key(self) -> str:
        return month_key(self.year, self.month)

    @property
    def name(self) -> str:
        return month_name(self.year, self.month)


class Verdict(Enum):
    ON_TRACK = "on track"
    SHORT = "short"
    NOT_STARTED = "not started"


@dataclass(frozen=True)
class LeadFlowPlan:
    inputs: PlanInputs
    customers: int
    opportunities: int
    sqls: int
    mqls: int
    leads: int
    months: tuple[MonthLine, ...]
    verdict: Verdict
    short_by: int  # leads short at the first month that falls behind (0 unless SHORT)
    short_month: MonthLine | None
    actual_so_far: int

    def per_month(self, total: int) -> int:
        return math.ceil(Fraction(total, len(self.months)))

    @property
    def verdict_text(self) -> str:
        if self.verdict is Verdict.SHORT and self.short_month is not None:
            return f"{self.short_by:,} {_plural(self.short_by, 'lead')} short by " \
                   f"{self.short_month.name}"
        if self.verdict is Verdict.NOT_STARTED:
            return f"not started: {self.per_month(self.leads):,} leads a month from " \
                   f"{self.months[0].name}"
        return "on track"

    def summary(self) -> str:
        i = self.inputs
        return (f"{format_money(i.target, i.currency)} in {i.period} at "
                f"{format_money(i.deal_size, i.currency)} a deal needs {self.customers:,} "
                f"customers, {self.opportunities:,} opportunities, {self.sqls:,} SQLs, "
                f"{self.mqls:,} MQLs and {self.leads:,} leads "
                f"({self.per_month(self.leads):,} a month).")


def plan(inputs: PlanInputs, actual_by_month: Mapping[str, int],
         today: dt.datetime) -> LeadFlowPlan:
    """The plan for ``inputs``, compared with ``actual_by_month`` ('YYYY-MM' → leads created).

    Verdict, at ``today``:
    - NOT_STARTED when the period starts after today.
    - Otherwise each month gets a projected cumulative count: for a month that has ended, the
      leads actually created up to its end; for the current and later months, the leads created
      so far plus the run rate (leads so far ÷ time elapsed since the period began, to the
      second) times the time from today to the month's end, rounded down.
    - SHORT at the first month still to come (the current month and later; once the period is
      over, its last month) whose projected cumulative count is below its cumulative need;
      ``short_by`` is the difference there. ON_TRACK when none falls short. A month that has
      ended is not judged on its own: a shortfall there that later leads have made up is past,
      one that has not been made up shows in the current month's projection.

    Raises ValidationError naming every missing input: a target or deal size of zero, or a rate
    with no history (no leads entered that stage) and no estimate typed for it.
    """
    _check(inputs)
    assert inputs.deal_size is not None
    rate = {stage: r.rate for stage, r in inputs.rates.items()}
    customers = math.ceil(Fraction(inputs.target, inputs.deal_size))
    opportunities = _up(customers, rate[Stage.OPPORTUNITY_WON])
    sqls = _up(opportunities, rate[Stage.SQL_OPPORTUNITY])
    mqls = _up(sqls, rate[Stage.MQL_SQL])
    leads = _up(mqls, rate[Stage.LEAD_MQL])
    months = inputs.period.months
    start, now = inputs.period.start, min(today, inputs.period.end)
    so_far = sum(actual_by_month.get(month_key(y, m), 0) for y, m in months
                 if dt.datetime(y, m, 1, tzinfo=dt.UTC) <= now)
    elapsed = max(int((now - start).total_seconds()), 0)
    lines: list[MonthLine] = []
    actual_total = 0
    for index, (year, month) in enumerate(months, start=1):
        needed_total = math.ceil(Fraction(leads * index, len(months)))
        begun = dt.datetime(year, month, 1, tzinfo=dt.UTC) <= now
        actual = actual_by_month.get(month_key(year, month), 0) if begun else None
        actual_total += actual or 0
        ends = month_after(year, month)
        if ends <= now or not elapsed:
            projected = actual_total
        else:
            ahead = int((ends - now).total_seconds())
            projected = so_far + math.floor(Fraction(so_far * ahead, elapsed))
        lines.append(MonthLine(year, month, needed_total - (lines[-1].needed_total if lines
                                                            else 0),
                               needed_total, actual, actual_total if begun else None, projected))
    to_come = [line for line in lines if month_after(line.year, line.month) > now] or lines[-1:]
    short = None if today < start else next(
        (line for line in to_come if line.projected_total < line.needed_total), None)
    verdict = (Verdict.NOT_STARTED if today < start else
               Verdict.SHORT if short is not None else Verdict.ON_TRACK)
    return LeadFlowPlan(inputs, customers, opportunities, sqls, mqls, leads, tuple(lines),
                        verdict, short.needed_total - short.projected_total if short else 0,
                        short, so_far)


def _up(count: int, rate: Fraction | None) -> int:
    assert rate is not None
    return math.ceil(count / rate)


def _check(inputs: PlanInputs) -> None:
    errors: list[FieldError] = []
    if inputs.target <= 0:
        errors.append(FieldError("target", "must be more than zero, e.g. 500000"))
    if not inputs.deal_size or inputs.deal_size <= 0:
        errors.append(FieldError("deal_size", "no deal has been won with a value yet: type "
                                              "the average deal size, e.g. 12000"))
    for stage in Stage:
        given = inputs.rates.get(stage)
        if given is None or not given.rate:
            why = ("no lead reached that stage" if given is not None and given.entered
                   else "there is no history for it")
            errors.append(FieldError(f"rate {stage.value}",
                                     f"{stage.label} cannot be measured ({why}): type an "
                                     f"estimate, e.g. {stage.value}=0.25"))
    if errors:
        raise ValidationError(errors)


def _plural(count: int, word: str) -> str:
    return word if count == 1 else word + "s"


def plan_to_dict(result: LeadFlowPlan) -> dict[str, object]:
    """The whole plan as plain JSON values (money in minor units, rates as decimals)."""
    inputs = result.inputs
    return {
        "period": str(inputs.period), "currency": inputs.currency, "target": inputs.target,
        "deal_size": inputs.deal_size,
        "deal_size_source": "measured" if inputs.deal_size_measured else "estimate",
        "rates": {stage.value: {"rate": float(r.rate) if r.rate is not None else None,
                                "source": "measured" if r.measured else "estimate",
                                "entered": r.entered, "moved_on": r.moved_on}
                  for stage, r in inputs.rates.items()},
        "needed": {"customers": result.customers, "opportunities": result.opportunities,
                   "sqls": result.sqls, "mqls": result.mqls, "leads": result.leads},
        "leads_per_month": result.per_month(result.leads),
        "months": [{"month": line.key, "needed": line.needed, "needed_total": line.needed_total,
                    "actual": line.actual, "actual_total": line.actual_total,
                    "projected_total": line.projected_total} for line in result.months],
        "actual_so_far": result.actual_so_far,
        "verdict": result.verdict.value, "verdict_text": result.verdict_text,
        "short_by": result.short_by,
        "short_month": result.short_month.key if result.short_month else None,
    }
