"""``backup``, ``backups`` and ``restore``: copies of the database and putting one back."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from app.paths import backups_dir_for
from app.services.backup_files import BackupInfo, list_backups
from app.services.backup_service import restore

if TYPE_CHECKING:
    from app.cli.context import CliContext, CommandTree


def register(tree: CommandTree) -> None:
    backup = tree.add(
        "backup", help="write a backup of the database now",
        description="Write a consistent copy of the database (safe while Leadline is open) into "
                    "the backups folder next to it, or to --to FILE. Manual backups are never "
                    "deleted automatically.",
        epilog="examples:\n  %(prog)s\n  %(prog)s --to /media/usb/leadline-copy.sqlite --json",
        handler=back_up)
    backup.add_argument("--to", type=Path, metavar="FILE",
                        help="write the backup to FILE (or into the folder FILE) instead")
    tree.add(
        "backups", help="list the backups of the database, newest first",
        description="List the backups in the backups folder next to the database: when, why "
                    "(manual, daily, on close, before a big change or a schema upgrade) and size.",
        epilog="examples:\n  %(prog)s\n  %(prog)s --json",
        handler=list_all)
    restore_parser = tree.add(
        "restore", help="put a backup back in place of the database",
        description="Check the backup, move the current database aside into the backups folder "
                    "(it is kept), then put the backup in its place. Close Leadline first. "
                    "Asks for confirmation on a terminal unless --yes is given.",
        epilog="examples:\n  %(prog)s backups/leadline-20261120-093000-daily.sqlite\n"
               "  %(prog)s FILE --yes --json",
        handler=restore_backup)
    restore_parser.add_argument("file", type=Path, metavar="FILE", help="the backup to restore")
    restore_parser.add_argument("--yes", action="store_true",
                                help="do not ask for confirmation")


_HEADERS = ("CREATED", "REASON", "BYTES", "FILE")


def _human(backup: BackupInfo) -> list[str]:
    return [backup.created.astimezone().strftime("%Y-%m-%d %H:%M:%S"), backup.label,
            f"{backup.size_bytes:,}", backup.path.name]


def back_up(args: argparse.Namespace, ctx: CliContext) -> int:
    made = ctx.services.backups.back_up("manual", to=args.to)
    ctx.out.result(made.to_json(), f"Backup written: {made.path} ({made.size_bytes:,} bytes)")
    return 0


def list_all(_args: argparse.Namespace, ctx: CliContext) -> int:
    # Reads the folder only: listing never creates or upgrades the database.
    backups = list_backups(ctx.db_path.expanduser().resolve())
    if ctx.out.json_mode:
        ctx.out.json({"backups": [b.to_json() for b in backups]})
        return 0
    # Not Output.table: it shortens long cells, and the file names are what people copy.
    rows = [_human(b) for b in backups]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(_HEADERS)]
    for row in [list(_HEADERS), *rows] if rows else []:
        ctx.out.line("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
                     .rstrip())
    folder = backups_dir_for(ctx.db_path.expanduser().resolve())
    ctx.out.line(f"{len(backups)} backup{'s' if len(backups) != 1 else ''} in {folder}")
    return 0


def restore_backup(args: argparse.Namespace, ctx: CliContext) -> int:
    # Never through ctx.services: the database must not be open while its file is replaced.
    db_path = ctx.db_path.expanduser().resolve()
    if not (args.yes or ctx.out.json_mode) and sys.stdin.isatty():
        answer = input(f"Replace {db_path} with {args.file}? The current database is kept in "
                       "the backups folder. [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            ctx.out.notice("Nothing restored.")
            return 1
    aside = restore(db_path, args.file)
    previous = aside if aside.exists() else None  # None: there was no database to replace
    if ctx.out.json_mode:
        ctx.out.json({"restored": str(Path(args.file).resolve()), "database": str(db_path),
                      "previous": str(previous) if previous else None})
    else:
        kept = f" The previous database is kept at {previous}." if previous else ""
        ctx.out.line(f"Restored {args.file} into {db_path}.{kept}")
    return 0
