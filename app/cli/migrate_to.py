"""``migrate-to``: move the --db database to an empty PostgreSQL server database, once."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from app.cli.output import render_table
from app.services.server_move_service import (
    EXAMPLES,
    NO_PASSWORDS,
    ServerMoveService,
    next_steps,
    server_address,
)
from app.storage.server_copy import ServerCopy

if TYPE_CHECKING:
    from app.cli.context import CliContext, CommandTree


def register(tree: CommandTree) -> None:
    command = tree.add(
        "migrate-to", help="copy the database to an empty PostgreSQL server database",
        description="Copy every table of the --db database (leads, history, tasks, people, rules, "
                    "sync state) to an empty PostgreSQL database, creating the schema there, and "
                    "check each table's row count and checksum on both sides. All or nothing: "
                    "on any problem the server database is left empty. A database that already "
                    "holds Leadline data is refused, so running it twice never copies twice. The "
                    f"SQLite file is not changed.\nURL: {EXAMPLES}. {NO_PASSWORDS}",
        epilog="examples:\n  %(prog)s postgresql://anna@db.example.com/leadline\n"
               "  %(prog)s 'postgresql:///leadline?service=team' --db booth.sqlite --json",
        handler=migrate_to)
    command.add_argument("url", metavar="URL", help="the empty server database")


class _Percent:
    """Progress on stderr, one line per tenth (redrawn in place on a terminal)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.tty = enabled and sys.stderr.isatty()
        self._shown = -1

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        percent = min(100, done * 100 // total)
        step = percent if self.tty else percent - percent % 10
        if step != self._shown:
            self._shown = step
            end = "" if self.tty else "\n"
            print(f"\rmigrate-to: {percent:3d}% (copy, then verify)" if self.tty
                  else f"migrate-to: {percent:3d}%", end=end, file=sys.stderr, flush=True)

    def finish(self) -> None:
        if self.tty and self._shown >= 0:
            print(file=sys.stderr, flush=True)


def migrate_to(args: argparse.Namespace, ctx: CliContext) -> int:
    server = server_address(args.url)  # refused before the database is even opened
    context = ctx.services.context
    progress = _Percent(enabled=not ctx.out.json_mode)
    try:
        result = ServerMoveService(context).move_to(server, progress=progress)
    finally:
        progress.finish()
    source = str(context.db.path)
    ctx.out.result({"source": source, **result.to_json()}, _summary(source, result))
    return 0


def _summary(source: str, result: ServerCopy) -> str:
    rows = [[table.name, f"{table.rows:,}", table.checksum[:16]]
            for table in result.tables if table.rows]
    empty = len(result.tables) - len(rows)
    return "\n".join([
        f"Copied {source} to {result.server} in {result.seconds:.1f} s: {result.rows:,} rows, "
        f"{result.count('lead'):,} leads. Every table was read back from the server and matches "
        "(row count and SHA-256):",
        *("  " + line for line in render_table(["TABLE", "ROWS", "SHA-256"], rows)),
        *([f"  ({empty} tables without rows)"] if empty else []),
        "",
        "Next:",
        *(f"  {number}. {step}" for number, step in enumerate(next_steps(source, result), 1)),
    ])
