"""The lead-flow plan on paper: target, the funnel worked backwards, and leads needed vs actual."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer

from app.domain.planning import LeadFlowPlan, Stage, Verdict
from app.reports.fonts import markup
from app.reports.formats import fmt_int, fmt_money
from app.reports.headings import section
from app.reports.page import PageSize, scaled
from app.reports.style import Styles
from app.reports.tables import data_table

TITLE = "Lead-flow plan"


def fmt_rate(value: object) -> str:
    return f"{100 * float(value):.1f}%" if value else "–"  # type: ignore[arg-type]


def story(result: LeadFlowPlan, now: dt.datetime, st: Styles,
          page: PageSize) -> Iterator[Flowable]:
    inputs = result.inputs
    local = now.astimezone()
    yield Paragraph(markup(f"{TITLE} {inputs.period}"), st.title)
    yield Paragraph(markup(f"Target {fmt_money(inputs.target, inputs.currency)} · generated "
                           f"{local:%Y-%m-%d %H:%M} by Leadline"), st.subtitle)
    yield Spacer(1, 4 * mm)
    verdict = "On track" if result.verdict is Verdict.ON_TRACK else \
        result.verdict_text[:1].upper() + result.verdict_text[1:]
    yield Paragraph(markup(f"Verdict: {verdict}."), st.h2)
    yield Paragraph(markup(f"{result.actual_so_far:,} leads created in {inputs.period} so "
                           f"far. {result.summary()}"), st.body)
    deal = "measured" if inputs.deal_size_measured else "estimate"
    if inputs.deal_size_measured and inputs.history is not None:
        deal = f"measured from {inputs.history.won:,} won deals"
    rates = [["Average deal size", fmt_money(inputs.deal_size, inputs.currency), deal]]
    rates += [[stage.label, fmt_rate(inputs.rates[stage].rate), inputs.rates[stage].source]
              for stage in Stage]
    yield section("What the plan assumes", st, data_table(
        ("Input", "Value", "From"), rates, scaled((60, 30, 80), page), st, numeric_from=None))
    chain = [["Customers (won)", fmt_int(result.customers),
              fmt_int(result.per_month(result.customers))],
             ["Opportunities", fmt_int(result.opportunities),
              fmt_int(result.per_month(result.opportunities))],
             ["SQLs", fmt_int(result.sqls), fmt_int(result.per_month(result.sqls))],
             ["MQLs", fmt_int(result.mqls), fmt_int(result.per_month(result.mqls))],
             ["Leads", fmt_int(result.leads), fmt_int(result.per_month(result.leads))]]
    yield section("Worked backwards from the target", st, data_table(
        ("Stage", f"Needed in {inputs.period}", "A month"), chain, scaled((60, 40, 40), page),
        st))
    started = result.verdict is not Verdict.NOT_STARTED
    months = [[line.name, fmt_int(line.needed), fmt_int(line.needed_total),
               "" if line.actual is None else fmt_int(line.actual),
               "" if line.actual_total is None else fmt_int(line.actual_total),
               fmt_int(line.projected_total) if started else ""] for line in result.months]
    yield section("Leads by month", st, data_table(
        ("Month", "Needed", "Needed so far", "Created", "Created so far", "Projected"),
        months, scaled((40, 24, 28, 24, 28, 26), page), st))
    yield Paragraph(
        "Each step divides by its conversion rate and rounds up. Leads are spread evenly over "
        "the months. Projected: leads created so far plus the run rate since the period "
        "began, to each month's end. Measured rates count the leads created in the 12 whole "
        "months before the period (or before this month, if earlier), by the furthest stage "
        "each has reached, as in the funnel report; months are UTC calendar months.",
        st.note)
