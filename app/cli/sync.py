"""``sync``: exchange changes with the team through a shared folder."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.cli.main import CliContext, CommandTree

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


def register(tree: CommandTree) -> None:
    parser = tree.add(
        "sync", help="exchange changes with other laptops through a shared folder",
        description="Publish this laptop's changes to the shared folder (network drive, cloud "
                    "folder, USB stick) and merge everyone else's. The database itself never "
                    "lives in the folder. Same field edited on two laptops: one value is shown "
                    "and the lead is flagged for review; nothing is lost.",
        epilog="examples:\n  %(prog)s --folder /mnt/team/leadline-sync\n"
               "  %(prog)s --folder ~/Dropbox/leads --passphrase-file ~/.leadline-pass --json",
        handler=run_sync)
    parser.add_argument("--folder", type=Path, required=True, metavar="DIR",
                        help="the shared sync folder (must exist)")
    parser.add_argument("--passphrase-file", type=Path, metavar="FILE",
                        help="file whose first line is the team passphrase (files in the "
                             "folder are then encrypted)")
    parser.add_argument("--snapshot", action="store_true",
                        help="also write a snapshot of everything this laptop holds (new "
                             "laptops join from it; the change files it covers are deleted "
                             "once every laptop has them and 14 days have passed)")


def _read_passphrase(path: Path) -> str | None:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    return lines[0] if lines and lines[0] else None


def run_sync(args: argparse.Namespace, ctx: CliContext) -> int:
    passphrase: str | None = None
    if args.passphrase_file is not None:
        passphrase = _read_passphrase(args.passphrase_file)
        if passphrase is None:
            ctx.out.error(f"cannot read a passphrase from {args.passphrase_file} "
                          "(missing, unreadable or empty first line)")
            return EXIT_USAGE
    report = ctx.services.sync.sync(args.folder, passphrase,
                                    progress=None if ctx.out.json_mode else ctx.out.notice,
                                    snapshot=args.snapshot)
    if ctx.out.json_mode:
        ctx.out.json(report.to_json())
    else:
        ctx.out.line(f"Sent {report.sent_ops} change(s), received {report.received_ops} "
                     f"from {report.files_read} file(s).")
        if report.published:
            ctx.out.line(f"Published {report.published.name}")
        if report.snapshots_absorbed:
            ctx.out.line(f"Caught up from {report.snapshots_absorbed} snapshot(s).")
        if report.snapshot_written:
            ctx.out.line(f"Wrote snapshot {report.snapshot_written.name}")
        if report.files_compacted:
            ctx.out.line(f"Deleted {report.files_compacted} file(s) every laptop has and a "
                         "snapshot covers.")
        for name, reason in report.files_skipped:
            ctx.out.line(f"Skipped {name}: {reason}")
        for warning in report.warnings:
            ctx.out.line(f"Warning: {warning}")
        if report.clock_ahead:
            ctx.out.line("Warning: another laptop's clock is more than 10 minutes ahead.")
        if report.conflicts:
            ctx.out.line(f"{len(report.conflicts)} conflict(s) waiting for review:")
            for c in report.conflicts:
                what = c.field or "edited while deleted"
                shown = " | ".join(repr(v) for v in c.values)
                ctx.out.line(f"  {c.table} {c.row_id} {what}: {shown}")
    if report.passphrase_rejected:
        ctx.out.error("wrong team passphrase: the files in the folder were written with another "
                      "passphrase (or need one); nothing was received or published")
        return EXIT_FAILURE
    return EXIT_OK
