"""Funnel and conversion over time: how far the leads of each month have come."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from reportlab.platypus import Flowable, Paragraph

from app.domain.attribution import add_money
from app.domain.reports import MonthRow
from app.reports.charts import bar_chart, funnel_chart
from app.reports.formats import fmt_int, fmt_pct, fmt_revenue
from app.reports.headings import Filters, section, story_header
from app.reports.page import PageSize, frame_width, scaled
from app.reports.style import Styles
from app.reports.tables import data_table

TITLE = "Funnel and conversion by month"


def story(rows: list[MonthRow], filters: Filters, now: dt.datetime, st: Styles,
          page: PageSize) -> Iterator[Flowable]:
    yield from story_header(TITLE, filters, now, st, empty=not rows)
    if not rows:
        return
    width = frame_width(page)
    totals = {a: sum(getattr(r, a) for r in rows)
              for a in ("leads", "mql", "sql", "opportunities", "won", "lost")}
    yield section("Funnel", st, funnel_chart(
        [("Leads", totals["leads"]), ("MQL+", totals["mql"]), ("SQL+", totals["sql"]),
         ("Opportunities", totals["opportunities"]), ("Won", totals["won"])], width))
    labels = ("Month created", "Leads", "MQL+", "SQL+", "Opport.", "Won", "Lost",
              "Lead → SQL", "Lead → won", "Revenue")
    widths = scaled((24, 15, 15, 15, 15, 14, 14, 18, 18, 32), page)
    body = [[r.month, fmt_int(r.leads), fmt_int(r.mql), fmt_int(r.sql),
             fmt_int(r.opportunities), fmt_int(r.won), fmt_int(r.lost),
             fmt_pct(r.sql, r.leads), fmt_pct(r.won, r.leads), fmt_revenue(r.revenues)]
            for r in rows]
    body.append(["Total", *(fmt_int(totals[a]) for a in
                            ("leads", "mql", "sql", "opportunities", "won", "lost")),
                 fmt_pct(totals["sql"], totals["leads"]), fmt_pct(totals["won"], totals["leads"]),
                 fmt_revenue(add_money(m for r in rows for m in r.revenues))])
    yield Paragraph("By month the lead was created", st.h2)
    yield data_table(labels, body, widths, st, total_row=True)
    yield Paragraph("Each month counts the leads created in it, by the stage they have reached "
                    "today: MQL+ is MQL or further, SQL+ is SQL or further, opportunities are "
                    "converted or won. Revenue: the matched customer orders of the month's "
                    "leads, per currency.", st.note)
    yield section("Leads created per month", st, bar_chart(
        [(r.month, r.leads) for r in rows], width))
    yield section("Won per month", st, bar_chart([(r.month, r.won) for r in rows], width))
