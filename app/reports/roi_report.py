"""Source and event return: the pipeline each event and source produced, what it cost per
lead, per SQL and per customer, and the return on the event's spend."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from reportlab.platypus import Flowable, Paragraph

from app.domain.attribution import MIXED, add_money, format_return
from app.domain.reports import ReturnRow
from app.reports.charts import bar_chart
from app.reports.formats import fmt_int, fmt_money, fmt_revenue
from app.reports.headings import Filters, section, story_header
from app.reports.page import PageSize, frame_width, scaled
from app.reports.style import Styles
from app.reports.tables import data_table

TITLE = "Source and event return report"


def per(cost: int | None, count: int) -> int | None:
    """Cost per unit in minor units (rounded), or None without a cost or a unit."""
    return round(cost / count) if cost is not None and count else None


def roi(revenue: int, cost: int | None) -> float | None:
    return (revenue - cost) / cost if cost else None


def row_return(row: ReturnRow) -> str:
    """The row's return on its cost, or MIXED when some revenue is in another currency."""
    if row.mixed and row.cost:
        return MIXED
    return format_return(roi(row.revenue, row.cost))


def story(rows: list[ReturnRow], filters: Filters, now: dt.datetime, st: Styles,
          page: PageSize) -> Iterator[Flowable]:
    yield from story_header(TITLE, filters, now, st, empty=not rows)
    if not rows:
        return
    width = frame_width(page)
    labels = ("Event / source", "Leads", "MQL+", "SQL+", "Opportunities", "Won", "Revenue")
    widths = scaled((58, 16, 16, 16, 24, 16, 34), page)
    body = [[r.source, fmt_int(r.leads), fmt_int(r.mql), fmt_int(r.sql),
             fmt_int(r.opportunities), fmt_int(r.won), fmt_revenue(r.revenues)]
            for r in rows]
    currencies = {r.currency for r in rows if r.is_event} | {
        c for r in rows for c, _amount in r.revenues}
    single = len(currencies) <= 1
    currency = next(iter(currencies)) if currencies else ""
    body.append(["Total", *(fmt_int(sum(getattr(r, a) for r in rows))
                            for a in ("leads", "mql", "sql", "opportunities", "won")),
                 fmt_revenue(add_money(m for r in rows for m in r.revenues))])
    yield Paragraph("Pipeline by event and source", st.h2)
    yield data_table(labels, body, widths, st, total_row=True)
    yield Paragraph("MQL+ counts leads now at MQL or further (SQL, converted, won); SQL+ those at "
                    "SQL or further; opportunities are converted or won leads; revenue is the "
                    "matched customer orders, credited to the event or source of the lead each "
                    "was matched to (first touch; the attribution report also splits it across "
                    "shows), per currency.", st.note)

    events = [r for r in rows if r.is_event]
    if events:
        labels = ("Event", "Cost", "Per lead", "Per SQL", "Per customer", "Revenue", "Return")
        widths = scaled((52, 24, 20, 20, 22, 24, 18), page)
        spend = [[r.source, fmt_money(r.cost, r.currency),
                  fmt_money(per(r.cost, r.leads), r.currency),
                  fmt_money(per(r.cost, r.sql), r.currency),
                  fmt_money(per(r.cost, r.won), r.currency), fmt_revenue(r.revenues),
                  row_return(r)] for r in events]
        costed = [r for r in events if r.cost]
        if single and costed:
            cost = sum(r.cost or 0 for r in costed)
            revenue = sum(r.revenue for r in costed)
            spend.append(["Events with a cost", fmt_money(cost, currency),
                          fmt_money(per(cost, sum(r.leads for r in costed)), currency),
                          fmt_money(per(cost, sum(r.sql for r in costed)), currency),
                          fmt_money(per(cost, sum(r.won for r in costed)), currency),
                          fmt_money(revenue, currency), format_return(roi(revenue, cost))])
        yield Paragraph("Return on event spend", st.h2)
        yield data_table(labels, spend, widths, st, total_row=single and bool(costed))
        yield Paragraph("Return = (revenue − cost) ÷ cost. Per SQL divides the cost by the SQL+ "
                        "leads, per customer by the won ones; – where there is no cost or no "
                        f"such lead; “{MIXED}” where some revenue is in another currency than "
                        "the cost.", st.note)
        comparable = [r for r in costed if not r.mixed]
        if comparable:
            yield section("Return on spend per event", st, bar_chart(
                [(r.source, 100 * (roi(r.revenue, r.cost) or 0)) for r in comparable], width,
                value_format="{:,.0f}%"))
    if single:
        yield section("Revenue by event and source", st, bar_chart(
            [(r.source, r.revenue / 100) for r in rows if r.revenue] or [("No revenue yet", 0)],
            width, value_format="{:,.0f}"))
