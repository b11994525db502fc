"""``sync``: exchange changes with the team through a shared folder."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from app.paths import ServerAddress, database_location

if TYPE_CHECKING:
    from app.cli.context import CliContext, CommandTree

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


def register(tree: CommandTree) -> None:
    parser = tree.add(
        "sync", help="exchange changes with other laptops through a shared folder",
        description="Publish this laptop's changes to the shared folder (network drive, cloud "
                    "folder, USB stick) and merge everyone else's. The database itself never "
                    "lives in the folder. Same field edited on two laptops: one value is shown "
                    "and the lead is flagged for review; nothing is lost.",
        epilog="examples:\n  %(prog)s --folder /mnt/team/leadline-sync\n"
               "  %(prog)s --server postgresql+psycopg://anna@db.example.com/leadline\n"
               "  %(prog)s                      # the folder set for this database in the app\n"
               "  %(prog)s --folder ~/Dropbox/leads --passphrase-file ~/.leadline-pass --json",
        handler=run_sync)
    place = parser.add_mutually_exclusive_group()
    place.add_argument("--folder", type=Path, metavar="DIR",
                       help="the shared sync folder (must exist); default: the folder chosen "
                            "for this database in the app's sync settings")
    place.add_argument("--server", type=server_address, metavar="URL",
                       help="exchange with the team server instead "
                            "(postgresql+psycopg://USER@HOST/DBNAME; password in ~/.pgpass): "
                            "this laptop keeps working offline on its own file")
    parser.add_argument("--passphrase-file", type=Path, metavar="FILE",
                        help="file whose first line is the team passphrase (files in the "
                             "folder are then encrypted)")
    parser.add_argument("--snapshot", action="store_true",
                        help="also write a snapshot of everything this laptop holds (new "
                             "laptops join from it; the change files it covers are deleted "
                             "once every laptop has them and 14 days have passed)")
    conflicts = tree.add(
        "conflicts", help="list or decide what two laptops changed at the same time",
        description="The review inbox of sync: fields edited on two laptops before they "
                    "synced, and leads edited on one while deleted on another. A decision is "
                    "an edit that has seen every version, so it closes the conflict on every "
                    "laptop at their next sync.",
        epilog="examples:\n  %(prog)s list --json\n"
               "  %(prog)s resolve lead 0197022f… phone '+49 30 1234567'\n"
               "  %(prog)s resolve lead 0197022f… --keep-row")
    actions = tree.group(conflicts, title="actions", dest="conflicts_command")
    actions.add("list", help="the conflicts waiting, with every version", handler=list_conflicts)
    resolve = actions.add("resolve", help="keep one version (or type a new text value)",
                          handler=resolve_conflict)
    resolve.add_argument("table", metavar="TABLE", help="lead, task, … (as `list` shows)")
    resolve.add_argument("row_id", metavar="ROW_ID")
    resolve.add_argument("field", nargs="?", metavar="FIELD",
                         help="the field in conflict; leave out for edited-while-deleted")
    resolve.add_argument("value", nargs="?", metavar="VALUE", help="the value to keep")
    row = resolve.add_mutually_exclusive_group()
    row.add_argument("--keep-row", action="store_true",
                     help="edited while deleted: keep the row")
    row.add_argument("--delete-row", action="store_true",
                     help="edited while deleted: delete the row after all")


def list_conflicts(_args: argparse.Namespace, ctx: CliContext) -> int:
    found = ctx.services.sync.open_conflicts()
    if ctx.out.json_mode:
        ctx.out.json([{"table": c.table, "row_id": c.row_id, "field": c.field, "kind": c.kind,
                       "lead_id": str(c.lead_id) if c.lead_id else None, "title": c.title,
                       "field_label": c.field_label, "can_type": c.can_type,
                       "versions": [{"value": v.value, "device": v.device,
                                     "written_at": v.written_at.isoformat(), "shown": v.shown}
                                    for v in c.versions]} for c in found])
        return EXIT_OK
    if not found:
        ctx.out.line("No conflicts waiting.")
    for c in found:
        ctx.out.line(f"{c.table} {c.row_id} {c.field or '-'}  {c.title}: {c.field_label}")
        for v in c.versions:
            mark = " (shown)" if v.shown else ""
            ctx.out.line(f"    {v.value!r}{mark}  from {v.device} at "
                         f"{v.written_at:%Y-%m-%d %H:%M} UTC")
    return EXIT_OK


def resolve_conflict(args: argparse.Namespace, ctx: CliContext) -> int:
    if args.field is None:
        if not (args.keep_row or args.delete_row):
            ctx.out.error("give FIELD and VALUE, or --keep-row / --delete-row for a row "
                          "edited while deleted")
            return EXIT_USAGE
        value: object = bool(args.keep_row)
    else:
        if args.value is None:
            ctx.out.error(f"give the VALUE to keep for {args.field}")
            return EXIT_USAGE
        value = _typed(ctx, args.table, args.row_id, args.field, args.value)
    ctx.services.sync.resolve_conflict(args.table, args.row_id, args.field, value)
    ctx.out.result(
        {"resolved": True, "table": args.table, "row_id": args.row_id,
         "field": args.field, "value": value},
        "Decided; the other laptops follow at their next sync.")
    return EXIT_OK


def _typed(ctx: CliContext, table: str, row_id: str, field: str, text: str) -> object:
    """The version whose text matches (versions may be numbers or empty), else the text."""
    for conflict in ctx.services.sync.open_conflicts():
        if (conflict.table, conflict.row_id, conflict.field) == (table, row_id, field):
            for version in conflict.versions:
                shown = "" if version.value is None else str(version.value)
                if shown == text:
                    return version.value
    return text


def _read_passphrase(path: Path) -> str | None:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    return lines[0] if lines and lines[0] else None


def server_address(text: str) -> ServerAddress:
    location = database_location(text)
    if not isinstance(location, ServerAddress):
        raise argparse.ArgumentTypeError(
            f"'{text}' is not a team server address: give postgresql+psycopg://USER@HOST/DBNAME")
    return location


def run_sync(args: argparse.Namespace, ctx: CliContext) -> int:
    given: str | None = None
    if args.passphrase_file is not None:
        given = _read_passphrase(args.passphrase_file)
        if given is None:
            ctx.out.error(f"cannot read a passphrase from {args.passphrase_file} "
                          "(missing, unreadable or empty first line)")
            return EXIT_USAGE
    if args.server is not None:
        return _run_server_sync(args.server, ctx, given)
    folder: Path | None = args.folder
    passphrase = given
    if folder is None:
        stored = ctx.services.sync_settings.load()
        if stored.server is not None:
            return _run_server_sync(stored.server, ctx, given or stored.passphrase)
        if stored.folder is None:
            ctx.out.error("no sync folder: give --folder DIR or --server URL, or choose one for "
                          "this database in the app (File → Sync settings)")
            return EXIT_USAGE
        folder, passphrase = stored.folder, given or stored.passphrase
    report = ctx.services.sync.sync(folder, passphrase,
                                    progress=None if ctx.out.json_mode else ctx.out.notice,
                                    snapshot=args.snapshot)
    if ctx.out.json_mode:
        ctx.out.json(report.to_json())
    else:
        ctx.out.line(f"Sent {report.sent_ops:,} change(s), received {report.received_ops:,} "
                     f"from {report.files_read:,} file(s).")
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


def _run_server_sync(server: ServerAddress, ctx: CliContext, passphrase: str | None) -> int:
    from app.services.sync.hub import sync_with_server

    done = sync_with_server(ctx.services, server, passphrase,
                            progress=None if ctx.out.json_mode else ctx.out.notice)
    report = done.laptop
    if ctx.out.json_mode:
        ctx.out.json({**report.to_json(), "server": str(server),
                      "server_received_ops": done.server_received_ops,
                      "server_sent_ops": done.server_sent_ops,
                      "joined_from_snapshot": done.joined_from_snapshot})
    else:
        ctx.out.line(f"Sent {report.sent_ops:,} change(s) to the team server; received "
                     f"{report.received_ops:,}.")
        if done.joined_from_snapshot:
            ctx.out.line("Joined from the server's snapshot of everything it holds.")
        for warning in [*report.warnings, *done.warnings]:
            ctx.out.line(f"Warning: {warning}")
        if report.conflicts:
            ctx.out.line(f"{len(report.conflicts)} conflict(s) waiting for review "
                         "(`conflicts list`).")
    if report.passphrase_rejected:
        ctx.out.error("wrong team passphrase for the team server's files; nothing was sent")
        return EXIT_FAILURE
    return EXIT_OK
