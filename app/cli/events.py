"""``events`` commands: the trade shows and campaigns leads come from."""

from __future__ import annotations

import argparse
import uuid
from typing import TYPE_CHECKING, Any

from app.domain.contact_data import format_money
from app.domain.errors import ValidationError
from app.domain.events import EventRecord
from app.importers.badges import DelimitedLayout
from app.importers.badges.model import LAYOUT_FIELDS

if TYPE_CHECKING:
    from app.cli.context import CliContext, CommandTree


def register(tree: CommandTree) -> None:
    events = tree.add("events", help="add and list events (trade shows, campaigns)",
                      description="Events and campaigns: where leads come from and what they "
                                  "cost. An event's country is the default for phone numbers "
                                  "of its leads.")
    actions = tree.group(events, title="actions", dest="events_command")
    add = actions.add("add", help="add an event", handler=add_event,
                      epilog='example:\n  %(prog)s "Hannover Messe 2026" --country DE '
                             "--starts 2026-04-20 --ends 2026-04-24 --cost 12500 --city Hannover")
    add.add_argument("name", nargs="+", metavar="NAME", help="the event's name (unique)")
    add.add_argument("--country", default="", metavar="CC",
                     help="ISO country code or English name, e.g. DE")
    add.add_argument("--starts", metavar="DATE", help="first day: YYYY-MM-DD or DD.MM.YYYY")
    add.add_argument("--ends", metavar="DATE", help="last day: YYYY-MM-DD or DD.MM.YYYY")
    add.add_argument("--cost", metavar="AMOUNT", help="what the event cost, e.g. 12500.00")
    add.add_argument("--currency", default="EUR", metavar="CODE",
                     help="ISO currency code of --cost (default EUR)")
    add.add_argument("--venue", default="", metavar="TEXT", help="venue or hall")
    add.add_argument("--city", default="", metavar="TEXT", help="city")
    actions.add("list", help="list events, newest first", handler=list_events)
    show = actions.add("show", help="an event's dates, badge layout, registration list and the "
                                    "badge-only leads waiting for it", handler=show_event,
                       epilog='example:\n  %(prog)s "Hannover Messe 2026" --json')
    show.add_argument("event", nargs="+", metavar="EVENT", help="the event's name or id")
    layout = actions.add(
        "layout", help="show, set or clear how the event's delimited badges are laid out",
        handler=badge_layout,
        description="Badges that hold fields joined by a separator (Aptify's caret, PDF417 "
                    "with GS) are read by the event's layout: the separator (one punctuation "
                    "character, or TAB, GS, RS, SPACE), a space, then the columns in order. "
                    "Columns: " + ", ".join(sorted(LAYOUT_FIELDS)) + "; leave a column "
                    "name empty to skip it.",
        epilog='examples:\n  %(prog)s "Hannover Messe 2026" --set "^ first_name,last_name,'
               'company,badge_id"\n  %(prog)s "Hannover Messe 2026" --set "GS badge_id,'
               'full_name,company,email"\n  %(prog)s "Hannover Messe 2026" --clear')
    layout.add_argument("event", nargs="+", metavar="EVENT", help="the event's name or id")
    what = layout.add_mutually_exclusive_group(required=True)
    what.add_argument("--set", metavar="SPEC", help='e.g. "^ first_name,last_name,badge_id"')
    what.add_argument("--clear", action="store_true", help="no layout: read tokens by shape")
    what.add_argument("--show", action="store_true", help="print the layout")


def add_event(args: argparse.Namespace, ctx: CliContext) -> int:
    record = ctx.services.events.add(
        " ".join(args.name), country=args.country, starts=args.starts, ends=args.ends,
        cost=args.cost, currency=args.currency, venue=args.venue, city=args.city)
    if ctx.out.json_mode:
        ctx.out.json(record)
    else:
        ctx.out.line(f"Added event {record.id}  {record.name}")
        ctx.out.table(EVENT_HEADERS, [event_row(record)])
    return 0


def list_events(args: argparse.Namespace, ctx: CliContext) -> int:
    ctx.out.listing("events", ctx.services.events.events(), EVENT_HEADERS, event_row, "event")
    return 0


def show_event(args: argparse.Namespace, ctx: CliContext) -> int:
    record = find_event(ctx, " ".join(args.event))
    booth = ctx.services.booth
    registrations, waiting = booth.registration_count(record.id), booth.waiting_count(record.id)
    if ctx.out.json_mode:
        ctx.out.json({**event_json(record), "registrations": registrations,
                      "leads_waiting_for_registration": waiting})
        return 0
    ctx.out.table(EVENT_HEADERS, [event_row(record)])
    ctx.out.line(f"Badge layout: {record.badge_layout or 'none (tokens are read by their shape)'}")
    ctx.out.line(f"Registration list: {registrations:,} attendees" if registrations else
                 "Registration list: not imported yet")
    ctx.out.line(f"Badge-only leads waiting for registration data: {waiting:,}")
    return 0


def badge_layout(args: argparse.Namespace, ctx: CliContext) -> int:
    record = find_event(ctx, " ".join(args.event))
    if args.set is not None and not args.set.strip():
        raise ValidationError.single(
            "layout", "is empty: give the separator, a space and the columns, e.g. "
                      "'^ first_name,last_name,company,badge_id' (or use --clear)")
    if args.set is not None or args.clear:
        ctx.services.booth.set_badge_layout(record.id, "" if args.clear else args.set)
        record = ctx.services.events.get(record.id)
    if ctx.out.json_mode:
        ctx.out.json({"event": record.name, "id": record.id, **_layout_json(record)})
    elif not record.badge_layout:
        ctx.out.line(f"{record.name}: no badge layout (delimited badges are read token by token)")
    else:
        ctx.out.line(f"{record.name}: {record.badge_layout}")
    return 0


def find_event(ctx: CliContext, name_or_id: str) -> EventRecord:
    """The event by id or by name (any case); NotFoundError names what was looked for."""
    try:
        return ctx.services.events.get(uuid.UUID(name_or_id.strip()))
    except ValueError:
        return ctx.services.events.by_name(name_or_id)


def event_json(record: EventRecord) -> dict[str, Any]:
    return {"id": record.id, "name": record.name, "starts_on": record.starts_on,
            "ends_on": record.ends_on, "venue": record.venue, "city": record.city,
            "country": record.country, "cost": record.cost, "currency": record.currency,
            **_layout_json(record)}


def _layout_json(record: EventRecord) -> dict[str, Any]:
    if not record.badge_layout:
        return {"badge_layout": None}
    try:
        layout = DelimitedLayout.parse(record.badge_layout)
    except ValueError as exc:  # stored by an older version or another laptop: say so
        return {"badge_layout": {"spec": record.badge_layout, "error": str(exc)}}
    return {"badge_layout": {"spec": layout.describe(), "separator": layout.separator,
                             "fields": list(layout.fields)}}


EVENT_HEADERS = ("id", "name", "dates", "venue", "city", "country", "cost")


def event_row(record: EventRecord) -> list[str]:
    return [str(record.id), record.name, record.date_range, record.venue, record.city,
            record.country, format_money(record.cost, record.currency)]
