"""``leads`` commands: list, search, show, add, update, delete, restore."""

from __future__ import annotations

import argparse
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cli.args import positive_int
from app.cli.context import prog_name
from app.cli.exports import print_export
from app.cli.lead_filters import DEFAULT_LIMIT, add_filter_options, build_query, choice_list
from app.domain.access import AccessDeniedError, own_leads_only
from app.domain.errors import ValidationError
from app.domain.exports import ExportPurpose
from app.domain.ids import parse_id
from app.domain.leads import (
    EDITABLE_FIELDS,
    FieldKind,
    LeadField,
    LeadQuery,
    LeadRecord,
    Rating,
)
from app.domain.review import reason_text

if TYPE_CHECKING:
    from app.cli.context import CliContext, CommandTree

_DEST_PREFIX = "field__"

_METAVARS: dict[FieldKind, str] = {
    FieldKind.TEXT: "TEXT", FieldKind.LONG_TEXT: "TEXT", FieldKind.EMAIL: "EMAIL",
    FieldKind.PHONE: "PHONE", FieldKind.COUNTRY: "CC", FieldKind.CHOICE: "VALUE",
    FieldKind.INTEGER: "N", FieldKind.MONEY: "AMOUNT", FieldKind.DATE: "DATE",
    FieldKind.BOOLEAN: "yes|no", FieldKind.USER: "EMAIL", FieldKind.EVENT: "NAME",
    FieldKind.TEAM: "NAME", FieldKind.QUEUE: "NAME",
}
_KIND_HELP: dict[FieldKind, str] = {
    FieldKind.EMAIL: "checked, stored in lower case",
    FieldKind.PHONE: "as typed; also stored as E.164, national numbers read in the lead's "
                     "country, else the event's",
    FieldKind.COUNTRY: "ISO code or English name, e.g. DE",
    FieldKind.INTEGER: "a whole number",
    FieldKind.MONEY: "e.g. 12500.00",
    FieldKind.DATE: "YYYY-MM-DD or DD.MM.YYYY",
    FieldKind.BOOLEAN: "yes/no/true/false",
    FieldKind.USER: "the owner's user email (see: users list)",
    FieldKind.EVENT: "an event name (see: events list)",
    FieldKind.TEAM: "a team name",
    FieldKind.QUEUE: "a queue name",
}

LIST_EPILOG = """\
examples:
  %(prog)s --status mql,sql --owner none        (orphans ready for sales)
  %(prog)s --owner anna@example.com --overdue --sort next_due
  %(prog)s --event "Hannover Messe 2026" --rating hot --json"""


def register(tree: CommandTree) -> None:
    leads = tree.add("leads", help="list, find, show, add, change and delete leads",
                     description="Work with leads. Every change is kept in the lead's history.")
    actions = tree.group(leads, title="actions", dest="leads_command")

    listing = actions.add("list", help="list leads with filters, sorted and paged",
                          epilog=LIST_EPILOG, handler=list_leads)
    add_filter_options(listing)

    search = actions.add("search", help="full-text search in names, company, email, phones, "
                                        "notes", handler=search_leads,
                         description="Find leads whose name, company, email, phone or notes "
                                     "contain the text (any case). Phone numbers may be typed "
                                     "with spaces or in national format. Words shorter than 3 "
                                     "characters match the start of names, company and email.")
    search.add_argument("text", nargs="+", metavar="TEXT", help="what to look for")
    search.add_argument("--limit", type=positive_int, default=DEFAULT_LIMIT, metavar="N",
                        help=f"show at most N leads (default {DEFAULT_LIMIT})")

    show = actions.add("show", help="every field of a lead and its history", handler=show_lead)
    show.add_argument("id", metavar="ID", help="the lead's id (see: leads list)")

    add = actions.add("add", help="add a lead (--FIELD VALUE for each field you know)",
                      handler=add_lead,
                      description="Add a lead. Give at least a name, company, email, phone or "
                                  "badge id. Values are checked; every problem is reported by "
                                  "field name.")
    add.add_argument("--lenient", action="store_true",
                     help="keep a doubtful email or phone as typed and flag the lead for review "
                          "instead of refusing it")
    _add_field_options(add)

    update = actions.add("update", help="change fields of a lead", handler=update_lead,
                         description="Change fields of a lead. Give an empty value "
                                     "(e.g. --rating '') to clear a field; --owner '' makes "
                                     "the lead an orphan. Each changed field is logged in the "
                                     "history.")
    update.add_argument("id", metavar="ID", help="the lead's id")
    _add_field_options(update)

    delete = actions.add("delete", help="delete a lead (it can be restored)", handler=delete_lead,
                         description="Delete a lead: it leaves every list, keeps its history "
                                     "and can be brought back with 'leads restore'.")
    delete.add_argument("id", metavar="ID", help="the lead's id")

    restore = actions.add("restore", help="bring back a deleted lead", handler=restore_lead)
    restore.add_argument("id", metavar="ID", help="the deleted lead's id")

    export = actions.add(
        "export", help="export matching leads to CSV (all fields, or for a marketing tool)",
        handler=export_leads,
        description="Write the leads matching the filters to a CSV file (UTF-8, opens in "
                    "Excel). --for marketing keeps only people with marketing consent and an "
                    "email who are not do-not-contact and not on the suppression list, and "
                    "counts those left out by reason.",
        epilog="examples:\n  %(prog)s all-leads.csv\n"
               "  %(prog)s newsletter.csv --for marketing --event 'Hannover Messe 2026'")
    export.add_argument("file", type=Path, metavar="FILE")
    export.add_argument("--for", dest="purpose", choices=[p.value for p in ExportPurpose],
                        default=ExportPurpose.ALL.value,
                        help="all: every field (default); marketing: consented, never "
                             "suppressed")
    add_filter_options(export, paging=False)


# -- options ----------------------------------------------------------------------------------
def _field_help(spec: LeadField) -> str:
    if spec.choices is not None:
        extra = f"one of: {choice_list(spec.choices)}"
        if spec.choices is Rating:
            extra += " (empty for none)"
    else:
        extra = _KIND_HELP.get(spec.kind, "")
    return f"{spec.label}: {extra}" if extra else spec.label


def _add_field_options(parser: argparse.ArgumentParser) -> None:
    """One --option per editable field, grouped as on the lead's detail pane."""
    groups: dict[str, Any] = {}
    for spec in EDITABLE_FIELDS:
        group = groups.get(spec.group)
        if group is None:
            group = groups[spec.group] = parser.add_argument_group(f"{spec.group.lower()} fields")
        group.add_argument(spec.cli_option, dest=_DEST_PREFIX + spec.name, default=None,
                           metavar=_METAVARS[spec.kind], help=_field_help(spec))


def _given_fields(args: argparse.Namespace) -> dict[str, str]:
    """The fields given on the command line, as typed: the service validates them."""
    given: dict[str, str] = {}
    for spec in EDITABLE_FIELDS:
        value = getattr(args, _DEST_PREFIX + spec.name, None)
        if value is not None:
            given[spec.name] = value
    return given


# -- handlers ---------------------------------------------------------------------------------
def list_leads(args: argparse.Namespace, ctx: CliContext) -> int:
    query = build_query(args, ctx)
    leads = ctx.services.leads
    records = leads.list(query, offset=args.offset, limit=args.limit)
    total = leads.count(query)
    ctx.out.lead_list(records, total, args.offset)
    return 0


def export_leads(args: argparse.Namespace, ctx: CliContext) -> int:
    result = ctx.services.exports.export_csv(build_query(args, ctx), args.file,
                                             ExportPurpose(args.purpose))
    return print_export(ctx, result)


def search_leads(args: argparse.Namespace, ctx: CliContext) -> int:
    text = " ".join(args.text)
    leads = ctx.services.leads
    own = _own_scope(ctx)
    if own is None:
        records = leads.search(text, limit=args.limit)
    else:  # a rep searches their own leads, as in the window
        records = leads.list(LeadQuery(search=text, owner_id=own), limit=args.limit)
    total = leads.count(LeadQuery(search=text, owner_id=own))
    ctx.out.lead_list(records, total)
    return 0


def show_lead(args: argparse.Namespace, ctx: CliContext) -> int:
    lead_id = parse_id(args.id)
    record = _reachable(ctx, lead_id)
    ctx.out.lead_detail(record, ctx.services.leads.history(lead_id))
    return 0


def add_lead(args: argparse.Namespace, ctx: CliContext) -> int:
    record = ctx.services.leads.create(_given_fields(args), lenient=args.lenient)
    heading = f"Added lead {record.id}"
    if record.needs_review:
        heading += f" (flagged for review: {reason_text(record.review_reason)})"
    ctx.out.lead_detail(record, heading=heading)
    return 0


def update_lead(args: argparse.Namespace, ctx: CliContext) -> int:
    lead_id = parse_id(args.id)
    changes = _given_fields(args)
    if not changes:
        raise ValidationError.single(
            "fields", "nothing to change: give at least one --FIELD VALUE (see: leads update -h)")
    _reachable(ctx, lead_id)
    record = ctx.services.leads.update(lead_id, changes)
    ctx.out.lead_detail(record, heading=f"Updated lead {record.id}")
    return 0


def delete_lead(args: argparse.Namespace, ctx: CliContext) -> int:
    record = ctx.services.leads.delete(_reachable(ctx, parse_id(args.id)).id)
    if ctx.out.json_mode:
        ctx.out.lead_detail(record)
    else:
        ctx.out.line(f"Deleted lead {record.id} ({record.display_name}). "
                     f"Undo with: leads restore {record.id}")
    return 0


def restore_lead(args: argparse.Namespace, ctx: CliContext) -> int:
    record = ctx.services.leads.restore(parse_id(args.id))
    if ctx.out.json_mode:
        ctx.out.lead_detail(record)
    else:
        ctx.out.line(f"Restored lead {record.id} ({record.display_name}).")
    return 0


def _own_scope(ctx: CliContext) -> uuid.UUID | None:
    return own_leads_only(ctx.services.people.current_user())


def _reachable(ctx: CliContext, lead_id: uuid.UUID) -> LeadRecord:
    """The lead, when the signed-in profile may open it: a rep only their own."""
    record = ctx.services.leads.get(lead_id)
    own = _own_scope(ctx)
    if own is not None and record.owner_id != own:
        raise AccessDeniedError(
            f"Lead {lead_id} is not yours: a rep opens their own leads only (a manager can "
            f"hand it to you; `{prog_name()} users sign-in EMAIL` to switch profile).")
    return record
