"""``customers`` commands: import an accounting or ERP export of orders, credit them to leads,
and work through the review list.

``customers import FILE [--dry-run] [--map FIELD=HEADER]…``, ``customers review``,
``customers confirm ORDER LEAD``, ``customers reject ORDER``, ``customers undo BATCH``
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from app.domain.contact_data import format_money
from app.domain.customers import CUSTOMER_FIELDS, CustomerImportReport
from app.domain.errors import ValidationError
from app.domain.ids import parse_id
from app.importers.table_layout import TableError

if TYPE_CHECKING:
    from app.cli.context import CliContext, CommandTree


def register(tree: CommandTree) -> None:
    customers = tree.add(
        "customers", help="import customers' orders from accounting and credit them to leads",
        description="Reads an order or invoice export (DATEV, Lexware, sevDesk, QuickBooks, "
                    "Xero, SAP: CSV or XLSX), matches each order to a lead by email, business "
                    "domain or company name, and credits the sure matches: the lead is won, "
                    "its deal value the sum of its orders, the order in its history. Uncertain "
                    "matches wait in the review list. Next month's file updates the orders it "
                    "repeats instead of adding them again.")
    actions = tree.group(customers, title="actions", dest="customers_command")
    fields = ", ".join(CUSTOMER_FIELDS)
    run = actions.add(
        "import", help="import a customer or order file (one undoable batch)",
        description="Rows that cannot be imported are named with their problem (on stderr, "
                    "and under \"rejected\" with --json); the other orders are imported all the "
                    "same unless --dry-run, and the exit code is 0, as for `import`. A file that "
                    "cannot be read, or a mapping that cannot be, exits 2.",
        epilog="examples:\n  %(prog)s rechnungen-2026-11.csv --dry-run\n"
               "  %(prog)s export.xlsx --map amount=\"Betrag netto\" --map domain=Website",
        handler=import_orders)
    run.add_argument("file", type=Path, metavar="FILE")
    run.add_argument("--dry-run", action="store_true",
                     help="check everything and print the counts; write nothing")
    run.add_argument("--map", action="append", default=[], metavar="FIELD=HEADER",
                     help=f"read FIELD from the column HEADER (FIELD= ignores the field); "
                          f"fields: {fields}; repeatable")
    actions.add("review", help="orders whose suggested lead someone has to confirm",
                handler=review)
    confirm = actions.add("confirm", help="credit an order to a lead (the suggested or another)",
                          handler=confirm_order)
    confirm.add_argument("order_id", metavar="ORDER_ID")
    confirm.add_argument("lead_id", metavar="LEAD_ID")
    reject = actions.add("reject", help="the suggested lead is not the customer",
                         handler=reject_order)
    reject.add_argument("order_id", metavar="ORDER_ID")
    undo = actions.add("undo", help="undo a customer import: its orders and the leads it won",
                       handler=undo_import)
    undo.add_argument("batch_id", metavar="BATCH_ID")


def import_orders(args: argparse.Namespace, ctx: CliContext) -> int:
    service = ctx.services.customers
    try:
        table = service.open(args.file)
    except TableError as error:  # a file that is no table is invalid input
        ctx.out.error(str(error))
        return 2
    mapping = _with_options(service.suggested_mapping(table), args.map)
    progress = None if ctx.out.json_mode or not sys.stderr.isatty() else _progress
    if args.dry_run:
        report = service.preview(table, mapping, sample=0, progress=progress)
    else:
        report = service.run(table, mapping, progress=progress)
    _print(ctx, report, args.dry_run, mapping)
    return 0


def _with_options(mapping: dict[str, str], specs: list[str]) -> dict[str, str]:
    mapping = dict(mapping)
    for spec in specs:
        name, equals, header = spec.partition("=")
        name = name.strip()
        if not equals or name not in CUSTOMER_FIELDS:
            raise ValidationError.single(
                "map", f"'{spec}': write FIELD=HEADER with FIELD one of {', '.join(CUSTOMER_FIELDS)}")
        if header.strip():
            mapping = {k: v for k, v in mapping.items() if v != header.strip()}
            mapping[name] = header.strip()
        else:
            mapping.pop(name, None)
    return mapping


def _progress(done: int, total: int) -> None:
    print(f"\r{done:,} / {total:,} rows", end="", file=sys.stderr, flush=True)


def _print(ctx: CliContext, report: CustomerImportReport, dry_run: bool,
           mapping: dict[str, str]) -> None:
    if ctx.out.json_mode:
        ctx.out.json({"dry_run": dry_run, **report.to_json(), "mapping": mapping})
        return
    verb = "would be" if dry_run else "were"
    ctx.out.line(f"{_count(report.read, 'row')} read: {_count(report.matched, 'order')} "
                 f"matched to a lead, {report.review:,} to review, {report.unmatched:,} without "
                 f"a lead, {_count(len(report.rejected), 'row')} rejected")
    ctx.out.line(f"Orders that {verb} created: {report.created:,}, updated: {report.updated:,}, "
                 f"unchanged: {report.unchanged:,}; leads won: {report.leads_won:,}")
    for note in report.notes[:50]:
        ctx.out.line(f"  note: {note}")
    for row in report.rejected[:200]:
        print(f"row {row.row}: {row.reason}", file=sys.stderr)
    if report.batch_id:
        ctx.out.line(f"batch {report.batch_id} (undo with: customers undo {report.batch_id})")


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def review(args: argparse.Namespace, ctx: CliContext) -> int:
    ctx.out.listing("orders", ctx.services.customers.review_list(),
                    ("order", "date", "company", "amount", "suggested lead", "why", "order id",
                     "lead id"),
                    lambda o: [o.order_number or o.order_key, o.order_date.isoformat(), o.company,
                               format_money(o.amount, o.currency), o.lead_label, o.reason,
                               str(o.id), str(o.lead_id or "")],
                    "order to review", plural="orders to review")
    return 0


def confirm_order(args: argparse.Namespace, ctx: CliContext) -> int:
    order = ctx.services.customers.confirm(parse_id(args.order_id), parse_id(args.lead_id))
    ctx.out.result(order, f"Order {order.order_number or order.order_key} "
                          f"({format_money(order.amount, order.currency)}) credited to "
                          f"{order.lead_label}")
    return 0


def reject_order(args: argparse.Namespace, ctx: CliContext) -> int:
    order = ctx.services.customers.reject(parse_id(args.order_id))
    ctx.out.result(order, f"Order {order.order_number or order.order_key}: suggestion rejected")
    return 0


def undo_import(args: argparse.Namespace, ctx: CliContext) -> int:
    result = ctx.services.customers.undo(parse_id(args.batch_id))
    ctx.out.result({"batch_id": args.batch_id, **vars(result)},
                   f"Undone: {result.removed:,} orders removed, {result.restored:,} restored, "
                   f"{result.leads_restored:,} leads put back ({result.leads_kept:,} changed "
                   "since, left as they are)")
    return 0
