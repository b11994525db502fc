"""``export``: the leads of any filtered list to a file other tools import, or a user's tasks
as an iCalendar file.

Lead formats take the same filters as ``leads list`` (there --owner is the lead owner); ics
exports tasks, so it needs --owner (whose tasks) and takes no other filter.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli.lead_filters import add_filter_options, build_query
from app.domain.errors import NotFoundError, ValidationError
from app.domain.exports import ExportFormat, ExportPurpose

if TYPE_CHECKING:
    from app.cli.context import CliContext, CommandTree
    from app.services.export_service import ExportResult

ICS = "ics"
FORMATS = (*(f.value for f in ExportFormat), ICS)
# Filters that make no sense for tasks: (dest, value when not given).
_LEAD_ONLY_OPTIONS = (("status", None), ("event", None), ("rating", None), ("overdue", False),
                      ("needs_review", False), ("open", False), ("search", None),
                      ("sort", None), ("descending", None), ("purpose", None))

EPILOG = """\
formats:
  csv         every field (or the purpose's columns), UTF-8 with BOM so Excel opens it right
  xlsx        the same as an Excel workbook: header frozen, ids and phones as text
  salesforce  Salesforce Lead import layout (FirstName, LastName, Company, ...) as CSV
  hubspot     HubSpot contact import layout (First Name, Last Name, Email, ...) as CSV
  vcard       vCard 3.0 contacts, one card per lead
  ics         the open follow-up tasks of --owner as iCalendar (re-importing updates them)

Text a spreadsheet could run as a formula (= + - @ first) gets a leading apostrophe;
phone numbers such as +49 30 1234567 are kept as they are.

examples:
  %(prog)s --format xlsx --out hot.xlsx --rating hot --open
  %(prog)s --format hubspot --out newsletter.csv --for marketing --event "Hannover Messe 2026"
  %(prog)s --format vcard --out anna.vcf --owner anna@example.com
  %(prog)s --format ics --owner anna@example.com --out anna.ics"""


def register(tree: CommandTree) -> None:
    export = tree.add(
        "export", help="export a filtered lead list (csv, xlsx, salesforce, hubspot, vcard) or "
                       "a user's tasks (ics)",
        description="Write the leads matching the filters (the same as 'leads list') to a file "
                    "in the chosen format. --for marketing or nurture leaves out anyone without "
                    "marketing consent or an email, flagged do-not-contact or on the "
                    "suppression list, whatever the format, and counts them by reason.",
        epilog=EPILOG, handler=export_command)
    export.add_argument("--format", dest="format", required=True, choices=FORMATS,
                        metavar="FORMAT", help=f"one of: {', '.join(FORMATS)}")
    export.add_argument("--out", required=True, type=Path, metavar="FILE",
                        help="the file to write (replaced whole, never left half-written)")
    export.add_argument("--for", dest="purpose", choices=[p.value for p in ExportPurpose],
                        default=None, help="all: every lead (default); marketing: consented, "
                                           "never suppressed; nurture: as marketing, nurture "
                                           "leads only")
    add_filter_options(export, paging=False)


def export_command(args: argparse.Namespace, ctx: CliContext) -> int:
    if args.format == ICS:
        return _export_tasks(args, ctx)
    fmt = ExportFormat(args.format)
    purpose = ExportPurpose(args.purpose or ExportPurpose.ALL.value)
    result = ctx.services.exports.export(build_query(args, ctx), args.out, fmt, purpose)
    return print_export(ctx, result, fmt.label)


def print_export(ctx: CliContext, result: ExportResult, label: str = "") -> int:
    """What an export wrote and whom it left out, as JSON or a sentence."""
    if ctx.out.json_mode:
        ctx.out.json({"file": str(result.path), "written": result.written,
                      "excluded": result.excluded})
        return 0
    left_out = "; ".join(f"{count} {reason}" for reason, count in result.excluded.items())
    ctx.out.line(f"Wrote {result.written} leads to {result.path}"
                 + (f" ({label})" if label else "")
                 + (f" (left out: {left_out})" if left_out else ""))
    return 0


def _export_tasks(args: argparse.Namespace, ctx: CliContext) -> int:
    given = [dest for dest, unset in _LEAD_ONLY_OPTIONS if getattr(args, dest, unset) != unset]
    if given:
        option = "--for" if given[0] == "purpose" else "--" + given[0].replace("_", "-")
        if given[0] == "descending":
            option = "--asc/--desc"
        raise ValidationError.single(
            "format", f"ics exports a user's tasks: only --owner applies, not {option}")
    owner_email = (args.owner or "").strip()
    if not owner_email:
        raise ValidationError.single("owner", "--format ics needs --owner EMAIL (whose tasks)")
    try:
        owner = ctx.services.people.user_by_email(owner_email)
    except NotFoundError:
        raise ValidationError.single(
            "owner", f"no user with email '{owner_email}' (see: users list)") from None
    count = ctx.services.followup.export_calendar(owner.id, args.out)
    ctx.out.result(
        {"file": str(args.out), "written": count, "excluded": {}, "tasks": count},
        f"Wrote {count} open tasks of {owner.name} to {args.out}")
    return 0
