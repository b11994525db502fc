"""``events`` commands: the trade shows and campaigns leads come from."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from app.domain.contact_data import format_money
from app.domain.events import EventRecord

if TYPE_CHECKING:
    from app.cli.main import CliContext, CommandTree


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
    records = ctx.services.events.events()
    if ctx.out.json_mode:
        ctx.out.json({"events": records})
        return 0
    if records:
        ctx.out.table(EVENT_HEADERS, [event_row(r) for r in records])
    ctx.out.line(f"{len(records)} events")
    return 0


EVENT_HEADERS = ("id", "name", "dates", "venue", "city", "country", "cost")


def event_row(record: EventRecord) -> list[str]:
    return [str(record.id), record.name, record.date_range, record.venue, record.city,
            record.country, format_money(record.cost, record.currency)]
