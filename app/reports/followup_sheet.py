"""A rep's follow-up sheet: the open tasks to take along, overdue first, with what is needed to
act on each without the laptop (phone, email, company, status) and a box to tick."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from reportlab.platypus import Flowable, PageBreak, Paragraph

from app.domain.reports import SheetTask
from app.reports.fonts import markup
from app.reports.formats import fmt_int
from app.reports.headings import Filters, nothing_to_show, title_block
from app.reports.page import PageSize, scaled
from app.reports.style import WARN, Styles
from app.reports.tables import data_table

TITLE = "Follow-up sheet"


@dataclass(frozen=True)
class Sheet:
    name: str
    email: str
    tasks: Sequence[SheetTask]


def story(sheets: list[Sheet], filters: Filters, now: dt.datetime, window: str, st: Styles,
          page: PageSize) -> Iterator[Flowable]:
    if not sheets:
        yield from title_block(TITLE, filters, now, st)
        yield nothing_to_show(st, "open follow-up tasks")
        return
    labels = ("✓", "Due", "To do", "Lead", "Company", "Phone / email", "Status")
    widths = scaled((9, 25, 37, 27, 27, 44, 17), page)
    today = now.astimezone().date()
    for index, sheet in enumerate(sheets):
        if index:
            yield PageBreak()
        who = f"{sheet.name} ({sheet.email})" if sheet.email else sheet.name
        yield from title_block(f"{TITLE}: {who}", filters, now, st)
        if not sheet.tasks:
            yield Paragraph(markup(f"{sheet.name} has no open follow-up tasks {window}."), st.body)
            continue
        overdue = sum(1 for t in sheet.tasks if t.due_at < now)
        due_today = sum(1 for t in sheet.tasks
                        if t.due_at >= now and t.due_at.astimezone().date() == today)
        yield Paragraph(
            f"<b>{fmt_int(len(sheet.tasks))}</b> open tasks {markup(window)}: "
            f"<b>{fmt_int(overdue)}</b> overdue, <b>{fmt_int(due_today)}</b> due later today.",
            st.body)
        yield Paragraph("Overdue tasks have their due time in red. Tick the box when done, then "
                        "log the touch in Leadline.", st.note)
        rows: list[list[str]] = []
        for task in sheet.tasks:
            step = f" (step {task.cadence_step})" if task.cadence_step is not None else ""
            kind = task.kind.replace("_", " ").capitalize()
            due = task.due_at.astimezone().strftime("%Y-%m-%d %H:%M")
            contact = "\n".join(v for v in (task.phone, task.email) if v)
            status = task.status.label + (f", {task.rating}" if task.rating else "")
            rows.append(["☐", due, f"{kind}: {task.title}{step}" if task.title else kind,
                         task.lead_name, task.company, contact, status])
        table = data_table(labels, rows, widths, st, numeric_from=None)
        for row, task in enumerate(sheet.tasks, start=1):
            if task.due_at < now:
                table.setStyle([("TEXTCOLOR", (1, row), (1, row), WARN)])
        table.setStyle([("FONTSIZE", (0, 1), (0, -1), 11), ("ALIGN", (0, 0), (0, -1), "CENTER")])
        yield table
