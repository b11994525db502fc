"""Rep accountability: per rep, leads assigned and touched, median time to first touch,
first-touch service level met, overdue tasks, cadence steps skipped, conversions."""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterator, Sequence

from reportlab.platypus import Flowable, Paragraph

from app.domain.reports import RepRow
from app.reports.charts import bar_chart
from app.reports.formats import fmt_int, fmt_pct
from app.reports.headings import Filters, section, story_header
from app.reports.page import PageSize, frame_width, scaled
from app.reports.style import Styles
from app.reports.tables import data_table

TITLE = "Rep accountability report"


def median_hours(hours: Sequence[float]) -> float | None:
    return statistics.median(hours) if hours else None


def fmt_hours(hours: float | None) -> str:
    if hours is None:
        return "–"
    if hours < 48:
        return f"{hours:.1f} h"
    return f"{hours / 24:.1f} days"


def story(rows: list[RepRow], filters: Filters, now: dt.datetime, st: Styles, page: PageSize
          ) -> Iterator[Flowable]:
    yield from story_header(TITLE, filters, now, st, empty=not rows, what="assigned leads or tasks")
    if not rows:
        return
    width = frame_width(page)
    labels = ("Rep", "Assigned", "Touched", "Median to first touch", "First touch on time",
              "Overdue tasks", "Cadence steps skipped", "Conversions")
    widths = scaled((36, 16, 22, 21, 27, 16, 20, 24), page)
    table_rows: list[list[str]] = []
    for r in rows:
        table_rows.append([
            r.name, fmt_int(r.assigned),
            f"{fmt_int(r.touched)} ({fmt_pct(r.touched, r.assigned)})",
            fmt_hours(median_hours(r.hours_to_first_touch)),
            f"{fmt_int(r.sla_met)}/{fmt_int(r.sla_measured)} ({fmt_pct(r.sla_met, r.sla_measured)})",
            fmt_int(r.overdue_tasks), fmt_int(r.skipped_steps),
            f"{fmt_int(r.conversions)} ({fmt_pct(r.conversions, r.assigned)})"])
    every_hour = sorted(h for r in rows for h in r.hours_to_first_touch)
    total = [sum(getattr(r, a) for r in rows) for a in
             ("assigned", "touched", "sla_met", "sla_measured", "overdue_tasks",
              "skipped_steps", "conversions")]
    table_rows.append([
        "All reps", fmt_int(total[0]), f"{fmt_int(total[1])} ({fmt_pct(total[1], total[0])})",
        fmt_hours(median_hours(every_hour)),
        f"{fmt_int(total[2])}/{fmt_int(total[3])} ({fmt_pct(total[2], total[3])})",
        fmt_int(total[4]), fmt_int(total[5]),
        f"{fmt_int(total[6])} ({fmt_pct(total[6], total[0])})"])
    yield data_table(labels, table_rows, widths, st, total_row=True)
    yield Paragraph(
        "Touched: leads with a first contact logged. Median to first touch: hours from the lead "
        "being created to its first call, email or meeting. First touch on time: first touch "
        "at or before the service-level deadline, of the leads whose deadline has passed or "
        "that were touched. Overdue tasks: open follow-up tasks past their due time. Cadence "
        "steps skipped: cadence tasks cancelled instead of done. Conversions: leads converted "
        "or won.", st.note)
    measured = [r for r in rows if r.sla_measured]
    if measured:
        yield section("First touch on time (% of leads with a deadline)", st, bar_chart(
            [(r.name, 100 * r.sla_met / r.sla_measured) for r in measured], width,
            value_format="{:.0f}%"))
    yield section("Conversions per rep", st, bar_chart(
        [(r.name, r.conversions) for r in rows], width))
