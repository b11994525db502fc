"""``audit``: the audit trail of exports, reports, prints, erasures and bulk changes."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from app.domain.audit import AuditAction, AuditEntry

if TYPE_CHECKING:
    from app.cli.context import CliContext, CommandTree


def register(tree: CommandTree) -> None:
    audit = tree.add(
        "audit", help="the audit trail: exports, reports, prints, erasures, bulk changes",
        description="List who exported, reported, printed, erased, merged all, re-assigned all "
                    "or undid an import, when, what and how many records, newest first; the "
                    "whole team's, as it is synced like history. --csv writes it all to a file.",
        epilog="examples:\n  %(prog)s\n  %(prog)s --action export --limit 20 --json\n"
               "  %(prog)s --csv audit.csv",
        handler=show_audit)
    audit.add_argument("--action", choices=[a.value for a in AuditAction],
                       help="only entries of this action")
    audit.add_argument("--limit", type=int, default=50, metavar="N",
                       help="show the newest N entries (default 50; 0 for all)")
    audit.add_argument("--csv", type=Path, metavar="FILE",
                       help="write the whole trail to FILE as CSV instead")


def _row(entry: AuditEntry) -> list[str]:
    return [entry.occurred_at.astimezone().strftime("%Y-%m-%d %H:%M"), entry.action.label,
            f"{entry.records:,}", entry.actor_name or "—", entry.what]


def show_audit(args: argparse.Namespace, ctx: CliContext) -> int:
    audit = ctx.services.audit
    if args.csv is not None:
        written = audit.export_csv(args.csv)
        ctx.out.result({"file": str(args.csv.resolve()), "entries": written},
                       f"Wrote {written:,} audit entries to {args.csv}")
        return 0
    if args.limit < 0:
        ctx.out.error("--limit must be 0 (all) or more")
        return 2
    action = AuditAction(args.action) if args.action else None
    entries = audit.entries(limit=args.limit or None, action=action)
    total = audit.count(action)
    if ctx.out.json_mode:
        ctx.out.json({"entries": [e.to_json() for e in entries], "total": total})
        return 0
    if entries:
        ctx.out.table(("WHEN", "ACTION", "RECORDS", "BY", "WHAT"), [_row(e) for e in entries])
    shown = f"{len(entries):,} of {total:,}" if total > len(entries) else f"{total:,}"
    ctx.out.line(f"{shown} audit {'entry' if total == 1 else 'entries'}")
    return 0
