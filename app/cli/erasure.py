"""``erase`` and ``export-person``: answering erasure and access requests."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from app.domain.ids import parse_id

if TYPE_CHECKING:
    from app.cli.context import CliContext, CommandTree


def register(tree: CommandTree) -> None:
    erase = tree.add(
        "erase", help="erase a person completely on request (cannot be undone)",
        description="Empty every personal field of the lead and of leads merged into it, scrub "
                    "history words, tasks, answers, scans, registrations and do-not-contact "
                    "entries, and leave an anonymous tombstone so re-imports cannot bring the "
                    "person back. Counts by source, event and status stay right. Export the "
                    "person first if they also asked for a copy.",
        epilog="examples:\n  %(prog)s 0193a6c2-…\n  %(prog)s 0193a6c2-… --reason 'request 17'",
        handler=erase_person)
    erase.add_argument("lead_id", metavar="LEAD_ID")
    erase.add_argument("--reason", default="", metavar="TEXT",
                       help="kept on the tombstone, e.g. the request's reference")
    export = tree.add(
        "export-person", help="export everything stored about a person (JSON or PDF)",
        description="Answer an access request: the lead, leads merged into it, history, tasks, "
                    "answers, badge scans, registrations and do-not-contact entries.",
        epilog="examples:\n  %(prog)s LEAD_ID --output anna.pdf\n  %(prog)s LEAD_ID > anna.json",
        handler=export_person)
    export.add_argument("lead_id", metavar="LEAD_ID")
    export.add_argument("--output", type=Path, metavar="FILE",
                        help="write to FILE (.json or .pdf); without it, JSON on stdout")
    export.add_argument("--format", choices=("json", "pdf"),
                        help="override the format the file name suggests")


def erase_person(args: argparse.Namespace, ctx: CliContext) -> int:
    receipt = ctx.services.erasure.erase(parse_id(args.lead_id), args.reason)
    if ctx.out.json_mode:
        ctx.out.json(receipt.to_json())
        return 0
    scrubbed = ", ".join(f"{table} {count}" for table, count in receipt.scrubbed.items() if count)
    ctx.out.line(f"Erased {len(receipt.erased_lead_ids)} lead record(s) for {args.lead_id}; "
                 f"rows scrubbed: {scrubbed}. An anonymous tombstone stops re-imports.")
    if receipt.backups_with_personal_data:
        ctx.out.line("These backups were made before the erasure and still hold the person; "
                     "delete them or let them expire:")
        for path in receipt.backups_with_personal_data:
            ctx.out.line(f"  {path}")
    if not (receipt.index_compacted and receipt.log_truncated):
        ctx.out.line("Another program held the database open, so some freed space could not be "
                     "wiped yet; run the command again when Leadline is closed.")
    return 0


def export_person(args: argparse.Namespace, ctx: CliContext) -> int:
    lead_id = parse_id(args.lead_id)
    if args.output is None:
        if args.format == "pdf":
            ctx.out.error("a PDF needs --output FILE")
            return 2
        ctx.out.json(ctx.services.erasure.export_person(lead_id))
        return 0
    path = ctx.services.erasure.write_export(lead_id, args.output, args.format)
    ctx.out.result({"written": str(path)}, f"Wrote {path}")
    return 0
