"""``retention``: the leads the retention rule lists, setting the rule, and erasing them."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.cli.context import CliContext, CommandTree


def register(tree: CommandTree) -> None:
    retention = tree.add(
        "retention", help="list (and erase) leads never converted after N months",
        description="The retention rule: leads captured more than N months ago that never "
                    "became customers (converted or won) are listed; --erase erases each of "
                    "them completely, as `erase` does, after a confirmation (cannot be undone). "
                    "--set keeps N as the team's rule (shared through sync).",
        epilog="examples:\n  %(prog)s --months 24\n  %(prog)s --months 24 --set --json\n"
               "  %(prog)s --erase --yes --json",
        handler=run_retention)
    retention.add_argument("--months", type=int, metavar="N",
                           help="months after capture (default: the team's rule)")
    retention.add_argument("--set", action="store_true", help="keep --months as the team's rule")
    retention.add_argument("--erase", action="store_true",
                           help="erase every listed lead (asks first unless --yes)")
    retention.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    retention.add_argument("--limit", type=int, default=20, metavar="N",
                           help="list at most N leads (default 20)")


def run_retention(args: argparse.Namespace, ctx: CliContext) -> int:
    retention = ctx.services.retention
    if args.set:
        if args.months is None:
            ctx.out.error("--set needs --months N (0 turns the rule off)")
            return 2
        retention.set_months(args.months)
    months = retention.months if args.months is None else args.months
    if months <= 0:
        ctx.out.result({"months": 0, "listed": 0},
                       "The retention rule is off: every lead is kept (set one with "
                       "--months N --set).")
        return 0
    total = retention.count(months)
    cutoff = retention.cutoff(months)
    if not args.erase:
        listed = retention.candidates(months, limit=max(0, args.limit))
        if ctx.out.json_mode:
            ctx.out.json({"months": months, "cutoff": cutoff.isoformat(), "listed": total,
                          "leads": [{"id": str(c.id), "name": c.name, "company": c.company,
                                     "status": c.status.value,
                                     "created_at": c.created_at.isoformat()} for c in listed]})
            return 0
        if listed:
            ctx.out.table(("CAPTURED", "STATUS", "NAME", "COMPANY"),
                          [[c.created_at.date().isoformat(), c.status.label, c.name, c.company]
                           for c in listed])
        ctx.out.line(f"{total:,} lead{'s' if total != 1 else ''} never converted, captured "
                     f"before {cutoff.date().isoformat()} ({months} months)")
        return 0
    if total and not (args.yes or ctx.out.json_mode):
        if not sys.stdin.isatty():
            ctx.out.error("Erasing cannot be undone: add --yes to confirm.")
            return 2
        answer = input(f"Erase {total:,} leads completely? This cannot be undone. [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            ctx.out.notice("Nothing erased.")
            return 1
    if total and ctx.out.json_mode and not args.yes:
        ctx.out.error("Erasing cannot be undone: add --yes to confirm.")
        return 2
    done = retention.erase_expired(months, confirmed=(cutoff, total))
    ctx.out.result(done.to_json(), f"Erased {done.erased:,} leads never converted within "
                                   f"{months} months.")
    return 0
