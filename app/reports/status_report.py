"""Lead status: counts by status, event or source and owner, untouched and overdue leads, then
every lead with its status, owner, last touch and next step (streamed, chunk by chunk)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from reportlab.platypus import Flowable, Paragraph, Spacer

from app.domain.leads import CLOSED_STATUSES, LeadStatus
from app.domain.reports import LeadLine, SourceRow
from app.reports.charts import bar_chart
from app.reports.document import Progress, start_list
from app.reports.fonts import markup
from app.reports.formats import fmt_day, fmt_int
from app.reports.headings import Filters, section, story_header
from app.reports.page import PageSize, frame_width, scaled
from app.reports.style import Styles
from app.reports.tables import ListColumns, data_table, list_chunk

TITLE = "Lead status report"
_SHORT = {LeadStatus.CONVERTED: "Conv.", LeadStatus.DISQUALIFIED: "Disq.",
          LeadStatus.PROSPECT: "Prosp.", LeadStatus.INQUIRY: "Inq.",
          LeadStatus.SUSPECT: "Susp.", LeadStatus.NURTURE: "Nurt."}
LIST_LABELS = ("Name", "Company", "Status", "Owner", "Event / source", "Last touch", "Next step")
# Status and Last touch fit "Disqualified" and a full date (17.3 mm) on one line.
_LIST_MM = (30, 30, 18, 24, 29, 18, 31)


@dataclass(frozen=True)
class StatusData:
    total: int
    by_status: dict[LeadStatus, int]
    by_owner: list[tuple[str, dict[LeadStatus, int]]]
    by_source: list[SourceRow]
    now: dt.datetime

    @property
    def untouched(self) -> int:
        return sum(row.untouched for row in self.by_source)

    @property
    def overdue(self) -> int:
        return sum(row.overdue for row in self.by_source)

    @property
    def open(self) -> int:
        return sum(row.open for row in self.by_source)


def list_columns(page: PageSize) -> ListColumns:
    return ListColumns(LIST_LABELS, scaled(_LIST_MM, page))


def story(data: StatusData, lines: Iterable[list[LeadLine]], filters: Filters, st: Styles,
          page: PageSize, progress: Progress) -> Iterator[Flowable]:
    yield from story_header(TITLE, filters, data.now, st, empty=data.total == 0)
    if data.total == 0:
        return
    width = frame_width(page)
    won = data.by_status.get(LeadStatus.WON, 0)
    yield Paragraph(
        f"<b>{fmt_int(data.total)}</b> leads: <b>{fmt_int(data.open)}</b> open, "
        f"<b>{fmt_int(data.untouched)}</b> untouched (open and never contacted), "
        f"<b>{fmt_int(data.overdue)}</b> overdue (open, next step past due), "
        f"<b>{fmt_int(won)}</b> won.", st.body)
    yield Spacer(1, 2)
    yield section("Leads by status", st, bar_chart(
        [(s.label, data.by_status.get(s, 0)) for s in LeadStatus], width))

    labels = ("Event / source", "Leads", "Open", "Untouched", "Overdue", "Won")
    widths = scaled((70, 22, 22, 22, 22, 22), page)
    rows: list[list[str]] = [[r.source, fmt_int(r.leads), fmt_int(r.open), fmt_int(r.untouched),
                              fmt_int(r.overdue), fmt_int(r.won)] for r in data.by_source]
    rows.append(["Total", fmt_int(data.total), fmt_int(data.open), fmt_int(data.untouched),
                 fmt_int(data.overdue), fmt_int(won)])
    yield Paragraph("By event and source", st.h2)
    yield data_table(labels, rows, widths, st, total_row=True)

    statuses = list(LeadStatus)
    owner_labels = ("Owner", *(_SHORT.get(s, s.label) for s in statuses), "Total")
    owner_widths = scaled((36, *([13] * len(statuses)), 14), page)
    owner_rows: list[list[str]] = []
    for name, counts in data.by_owner:
        owner_rows.append([name, *(fmt_int(counts[s]) if counts.get(s) else "·"
                                   for s in statuses), fmt_int(sum(counts.values()))])
    owner_rows.append(["Total", *(fmt_int(data.by_status.get(s, 0)) for s in statuses),
                       fmt_int(data.total)])
    yield Paragraph("By owner and status", st.h2)
    yield data_table(owner_labels, owner_rows, owner_widths, st, total_row=True)
    yield Paragraph("Inq. = inquiry, Susp. = suspect, Prosp. = prospect, Nurt. = nurture, Conv. = converted "
                    "(opportunity), Disq. = disqualified. "
                    f"Closed statuses: {', '.join(s.label for s in CLOSED_STATUSES)}.",
                    st.note)

    yield from start_list()
    columns = list_columns(page)
    shown = 0
    for chunk in lines:
        progress.advance(len(chunk))
        rows_out = [[line.name, _company(line), line.status.label, line.owner or "Unassigned",
                     line.source, fmt_day(line.last_touch_at) or "never",
                     _next_step(line)] for line in chunk]
        # Chunks of 50 rows: small tables split quickly and the page fills evenly.
        for start in range(0, len(rows_out), 50):
            yield list_chunk(rows_out[start:start + 50], columns, st, zebra_start=shown + start)
        shown += len(chunk)
    listed = "1 lead" if shown == 1 else f"{fmt_int(shown)} leads"
    yield Paragraph(markup(f"{listed} listed. A company marked (suggested) was "
                           "not given by the person: it was guessed from the email domain or a "
                           "company directory."), st.note)


def _company(line: LeadLine) -> str:
    """A company guessed (from the email domain, a directory) is marked, never shown as given."""
    return f"{line.company} (suggested)" if line.company and line.company_source else line.company


def _next_step(line: LeadLine) -> str:
    if line.next_due_at is None:
        return line.next_step
    day = fmt_day(line.next_due_at)
    return f"{day} {line.next_step}".strip()
