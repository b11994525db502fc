"""Attribution and conversion analysis: the funnel lead → MQL → SQL → opportunity → customer
per event (side by side), source, campaign and year, with days between stages, credited
revenue, cost per lead, per SQL and per customer, and the return on each event's cost."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

from reportlab.platypus import Flowable, Paragraph

from app.domain.attribution import MIXED, Attribution, FunnelRow, Model, Stage, format_return
from app.reports.charts import bar_chart, funnel_chart
from app.reports.formats import fmt_int, fmt_money, fmt_revenue
from app.reports.headings import Filters, section, story_header
from app.reports.page import PageSize, frame_width, scaled
from app.reports.style import Styles
from app.reports.tables import data_table

TITLE = "Attribution and conversion analysis"
_STEPS = (Stage.MQL, Stage.SQL, Stage.OPPORTUNITY, Stage.CUSTOMER)


def fmt_days(value: float | None) -> str:
    return f"{value:,.1f}" if value is not None else "–"


def fmt_rate(value: float | None) -> str:
    return f"{100 * value:.0f}%" if value is not None else "–"


def _per(row: FunnelRow, stage: Stage) -> str:
    return fmt_money(row.cost_per(stage), row.cost_currency)


def funnel_table(title: str, rows: Sequence[FunnelRow], st: Styles, page: PageSize
                 ) -> list[Flowable]:
    labels = (title, "Leads", "MQL+", "SQL+", "Opport.", "Customers", "→ MQL", "→ SQL",
              "→ opport.", "→ custom.")
    widths = scaled((47.5, 13, 13, 13, 14, 18.5, 13, 13, 17, 18), page)
    body = [[r.label, *(fmt_int(r.count(s)) for s in Stage),
             *(fmt_rate(r.rate(s)) for s in _STEPS)] for r in rows]
    return [Paragraph(f"Funnel by {title.lower()}", st.h2), data_table(labels, body, widths, st)]


def days_table(title: str, rows: Sequence[FunnelRow], st: Styles, page: PageSize
               ) -> list[Flowable]:
    labels = (title, "Lead → MQL", "MQL → SQL", "SQL → opport.", "Opport. → customer",
              "Capture → 1st order", "Revenue")
    widths = scaled((44, 19, 19, 21, 24, 24, 29), page)
    body = [[r.label, *(fmt_days(d) for d in r.days), fmt_days(r.days_to_first_order),
             fmt_revenue(r.revenue)] for r in rows]
    return [Paragraph(f"Days between stages (median) and revenue by {title.lower()}", st.h2),
            data_table(labels, body, widths, st)]


def money_table(rows: Sequence[FunnelRow], st: Styles, page: PageSize) -> list[Flowable]:
    costed = [r for r in rows if r.cost is not None]
    if not costed:
        return []
    labels = ("Event", "Cost", "Revenue", "Per lead", "Per SQL", "Per customer", "Return")
    widths = scaled((38, 23, 24, 21, 22, 25, 27), page)
    body = [[r.label, fmt_money(r.cost, r.cost_currency), fmt_revenue(r.revenue),
             _per(r, Stage.LEAD), _per(r, Stage.SQL), _per(r, Stage.CUSTOMER),
             format_return(r.roi)] for r in costed]
    return [Paragraph("Return on event spend", st.h2), data_table(labels, body, widths, st),
            Paragraph(f"Return = (revenue − cost) ÷ cost, in the event's currency; "
                      f"“{MIXED}” where revenue came in another currency (currencies are never "
                      "added together). Per SQL divides the cost by the SQL+ leads, per "
                      "customer by the customers.", st.note)]


def story(analysis: Attribution, filters: Filters, now: dt.datetime, st: Styles,
          page: PageSize) -> Iterator[Flowable]:
    empty = not analysis.by_event and not analysis.by_source
    yield from story_header(TITLE, filters, now, st, empty=empty)
    if empty:
        return
    width = frame_width(page)
    model = ("first touch: each order to the show or source of the lead it was matched to"
             if analysis.model is Model.FIRST else
             "even split: each order shared equally by every show where the person was "
             "captured (the earliest gets the odd cents)")
    counted = (f"Revenue counted: <b>{fmt_revenue(analysis.total).replace(chr(10), ' + ')}</b> "
               "from matched orders." if analysis.total else
               "No revenue yet: no customer order is matched to a lead (Data → Import "
               "customers and orders…, or `customers import`).")
    yield Paragraph(f"Revenue credited by {model}. {counted}", st.body)
    totals = [sum(r.count(s) for r in analysis.by_source) for s in Stage]
    yield section("Funnel", st, funnel_chart(
        [(s.label if s is Stage.LEAD else f"{s.label}+", n) for s, n in zip(Stage, totals,
                                                                           strict=True)],
        width))
    yield Paragraph("A stage counts every lead that ever reached it or a later one (a lead "
                    "lost after SQL still counts as SQL+); a customer won or had an order "
                    "matched. Rates are the share of the stage before; days are medians from "
                    "the first time each stage was reached, and a customer from the first "
                    "order's day (a stage skipped counts as reached with the next, so 0 days).",
                    st.note)
    yield from funnel_table("Event", analysis.by_event, st, page)
    yield from money_table(analysis.by_event, st, page)
    yield from days_table("Event", analysis.by_event, st, page)
    for title, rows in (("Source", analysis.by_source), ("Campaign", analysis.by_campaign),
                        ("Year", analysis.by_year)):
        yield from funnel_table(title, rows, st, page)
        yield from days_table(title, rows, st, page)
    for currency, _total in analysis.total:  # one chart per currency: never added up
        yield section(f"Revenue by event in {currency}", st, bar_chart(
            [(r.label, dict(r.revenue)[currency] / 100) for r in analysis.by_event
             if currency in dict(r.revenue)], width, value_format="{:,.0f}"))
