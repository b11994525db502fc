"""``suppress`` commands: the list of people, domains, companies and phones not to contact."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from app.domain.data_quality import SuppressionKind, SuppressionReason

if TYPE_CHECKING:
    from app.cli.context import CliContext, CommandTree


def register(tree: CommandTree) -> None:
    suppress = tree.add("suppress", help="the do-not-contact list (emails, domains, companies, "
                                         "phones)",
                        description="Suppressed people are flagged do-not-contact on capture "
                                    "and import; adding an entry also flags the leads it "
                                    "covers.")
    actions = tree.group(suppress, title="actions", dest="suppress_command")
    add = actions.add("add", help="add an entry", handler=add_entry,
                      epilog="examples:\n  %(prog)s --kind domain --value rival.com --reason "
                             "competitor\n  %(prog)s --kind email --value anna@acme.de "
                             "--reason opted_out")
    add.add_argument("--kind", required=True, choices=[k.value for k in SuppressionKind])
    add.add_argument("--value", required=True, metavar="TEXT")
    add.add_argument("--reason", default="other", choices=[r.value for r in SuppressionReason])
    add.add_argument("--note", default="", metavar="TEXT")
    actions.add("list", help="list the entries", handler=list_entries)
    imports = actions.add("import", help="import a CSV (kind,value,reason,note or one column)",
                          handler=import_entries)
    imports.add_argument("file", type=Path, metavar="FILE")
    exports = actions.add("export", help="export the list as CSV", handler=export_entries)
    exports.add_argument("file", type=Path, metavar="FILE")


def add_entry(args: argparse.Namespace, ctx: CliContext) -> int:
    record, flagged = ctx.services.suppressions.add(args.kind, args.value, args.reason, args.note)
    ctx.out.result(
        {"entry": record, "leads_flagged": flagged},
        f"Suppressed {record.kind.value} {record.value} ({record.reason.label}); "
        f"{flagged} existing leads flagged do-not-contact")
    return 0


def list_entries(args: argparse.Namespace, ctx: CliContext) -> int:
    ctx.out.listing("entries", ctx.services.suppressions.entries(),
                    ("kind", "value", "reason", "since", "note"),
                    lambda e: [e.kind.value, e.value, e.reason.label,
                               e.created_at.date().isoformat() if e.created_at else "", e.note],
                    "entry", plural="entries")
    return 0


def import_entries(args: argparse.Namespace, ctx: CliContext) -> int:
    result = ctx.services.suppressions.import_file(args.file)
    if ctx.out.json_mode:
        ctx.out.json(result)
    else:
        ctx.out.line(f"{result.added} added, {result.already_listed} already listed, "
                     f"{len(result.invalid)} invalid; {result.leads_flagged} leads flagged")
        for line in result.invalid[:50]:
            ctx.out.line(f"  {line}")
    return 2 if result.invalid and not result.added else 0


def export_entries(args: argparse.Namespace, ctx: CliContext) -> int:
    count = ctx.services.suppressions.export_file(args.file)
    ctx.out.result({"exported": count, "file": str(args.file)}, f"{count} entries written to {args.file}")
    return 0
