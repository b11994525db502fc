"""``report``: the printed PDF reports (status, reps, roi, funnel, attribution, followup) from
scripts."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from app.domain.attribution import Model
from app.domain.contact_data import parse_date
from app.domain.errors import ValidationError
from app.services.report_service import REPORT_KINDS

if TYPE_CHECKING:
    from app.cli.context import CliContext, CommandTree

_KINDS_HELP = """\
reports:
  status    counts by status, event or source and owner; untouched and overdue leads; every
            lead with status, owner, last touch and next step
  reps      per rep: assigned, touched, median time to first touch, first touch on time,
            overdue tasks, cadence steps skipped, conversions
  roi       per event and source: leads, MQL, SQL, opportunities, won, revenue; cost per lead,
            per SQL and per customer; return on the event's cost
  funnel    the funnel, and conversion by the month leads were created
  attribution
            revenue from matched customer orders credited to events, sources and campaigns
            (--model first: the lead's own show or source; even: shared by every show the
            person was captured at), with the funnel lead → MQL → SQL → opportunity →
            customer, rates, median days between stages, cost per lead, per SQL and per
            customer, and the return on each event's cost
  followup  a rep's printable to-do list (without --owner: one sheet per rep, each on new pages)

--from/--to are days, both included: the day a lead was created (the day a task is due for
followup). The page is A4, or Letter where the locale prints on Letter (--page overrides).

examples:
  %(prog)s status --pdf status.pdf --event "Hannover Messe 2026"
  %(prog)s reps --pdf reps.pdf --from 2026-01-01 --to 2026-03-31
  %(prog)s followup --pdf anna.pdf --owner anna@example.com
  %(prog)s roi --pdf roi.pdf --json
  %(prog)s attribution --pdf attribution.pdf --from 2026-01-01 --model even"""


def register(tree: CommandTree) -> None:
    report = tree.add("report", help="print a PDF report (status, reps, roi, funnel, "
                                     "attribution, followup)",
                      description="Write a print-ready PDF report with the filters and the time "
                                  "generated in its title block and page numbers on every page.",
                      epilog=_KINDS_HELP, handler=write_report)
    report.add_argument("kind", choices=REPORT_KINDS, metavar="REPORT",
                        help="one of: " + ", ".join(REPORT_KINDS))
    report.add_argument("--pdf", required=True, type=Path, metavar="OUT.pdf",
                        help="the PDF file to write (replaced if it exists)")
    report.add_argument("--event", metavar="NAME", help="only leads from this event")
    report.add_argument("--owner", metavar="EMAIL", help="only this rep's leads (or sheet)")
    report.add_argument("--from", dest="date_from", metavar="DATE",
                        help="first day, e.g. 2026-01-01")
    report.add_argument("--to", dest="date_to", metavar="DATE", help="last day, e.g. 2026-03-31")
    report.add_argument("--page", choices=("a4", "letter"), type=str.lower,
                        help="paper size (default: by locale)")
    report.add_argument("--model", choices=[m.value for m in Model], type=str.lower,
                        default=Model.FIRST.value,
                        help="attribution: first touch (default) or an even split across shows")


def _day(text: str | None, field: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return parse_date(text)
    except ValueError as error:
        raise ValidationError.single(field, str(error)) from None


def write_report(args: argparse.Namespace, ctx: CliContext) -> int:
    date_from, date_to = _day(args.date_from, "from"), _day(args.date_to, "to")
    services = ctx.services
    event_id = services.events.by_name(args.event).id if args.event else None
    owner_id = services.people.user_by_email(args.owner).id if args.owner else None
    result = services.reports.report(args.kind, args.pdf, event_id=event_id, owner_id=owner_id,
                                     date_from=date_from, date_to=date_to, page_size=args.page,
                                     model=args.model)
    data: dict[str, object] = {"file": str(result.path), "pages": result.pages,
                               "rows": result.rows}
    if args.kind == "attribution":
        data["model"] = args.model
    ctx.out.result(
        data,
        f"Wrote {result.path}: {result.pages} page(s), {result.rows:,} row(s).")
    return 0
