"""Title block (report name, filters in words, when generated) and section headings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    Spacer,
)

from app.reports.fonts import markup
from app.reports.style import Styles


@dataclass(frozen=True)
class Filters:
    """The filters in words, as the title block states them."""

    event: str = ""
    owner: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def words(self) -> str:
        event = f"Event: {self.event}" if self.event else "All events and sources"
        owner = f"Owner: {self.owner}" if self.owner else "all owners"
        if self.date_from and self.date_to:
            dates = f"leads created {self.date_from.isoformat()} to {self.date_to.isoformat()}"
        elif self.date_from:
            dates = f"leads created from {self.date_from.isoformat()}"
        elif self.date_to:
            dates = f"leads created up to {self.date_to.isoformat()}"
        else:
            dates = "all dates"
        return f"{event} · {owner} · {dates}"


def title_block(name: str, filters: Filters, generated_at: dt.datetime, st: Styles
                ) -> list[Flowable]:
    local = generated_at.astimezone()
    stamp = f"{local:%Y-%m-%d %H:%M} {local.tzname() or ''}".strip()
    return [Paragraph(markup(name), st.title),
            Paragraph(markup(filters.words()), st.subtitle),
            Paragraph(f"Generated {markup(stamp)} by Leadline", st.subtitle),
            Spacer(1, 4 * mm)]


def nothing_to_show(st: Styles, what: str = "leads") -> Paragraph:
    return Paragraph(f"There are no {what} for these filters, so there is nothing to report. "
                     "Widen the date range, or choose another event or owner.", st.body)


def story_header(name: str, filters: Filters, generated_at: dt.datetime, st: Styles, *,
                 empty: bool, what: str = "leads") -> list[Flowable]:
    """A report's title block, followed by the "nothing to report" note when it is ``empty``."""
    head = title_block(name, filters, generated_at, st)
    return [*head, nothing_to_show(st, what)] if empty else head


def section(title: str, st: Styles, *content: Flowable) -> KeepTogether:
    return KeepTogether([Paragraph(markup(title), st.h2), *content])
