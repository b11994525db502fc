"""What every CLI command shares: the parser types, the global options and the opened services."""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from app.cli.args import database_location
from app.cli.output import Output
from app.domain.errors import StorageError
from app.paths import DatabaseLocation, ServerAddress, server_backup_refusal

if TYPE_CHECKING:
    from app.services.container import Services
    from app.storage.db import Database

Handler = Callable[[argparse.Namespace, "CliContext"], int]


class UsageError(Exception):
    """The command line itself is wrong (unknown option, missing argument...)."""

    def __init__(self, message: str, usage: str) -> None:
        super().__init__(message)
        self.usage = usage


class CliParser(argparse.ArgumentParser):
    """Raises instead of exiting, so errors are reported (and --json honoured) in one place."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message, self.format_usage())


def common_options() -> argparse.ArgumentParser:
    """--db and --json, accepted before and after every command.

    Defaults are suppressed so a subcommand that does not repeat an option keeps the value
    given before the command.
    """
    parser = argparse.ArgumentParser(add_help=False)
    group = parser.add_argument_group("global options")
    group.add_argument("--db", type=database_location, metavar="PATH|URL",
                       default=argparse.SUPPRESS,
                       help="database file, created and set up if new, or a team server "
                            "postgresql+psycopg://USER@HOST/DBNAME (password in ~/.pgpass) "
                            "(default: $LEADLINE_DB, else the user data folder)")
    group.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                       help="print machine-readable JSON on stdout (errors as JSON on stderr)")
    return parser


@dataclass
class CommandTree:
    """What the command modules need to declare their subcommands."""

    subparsers: Any  # argparse._SubParsersAction (private type)
    common: argparse.ArgumentParser

    def add(self, name: str, *, help: str, description: str = "", epilog: str = "",
            handler: Handler | None = None) -> CliParser:
        text = "\n".join(textwrap.fill(p, 88) for p in (description or help).split("\n"))
        parser: CliParser = self.subparsers.add_parser(
            name, help=help, description=text, epilog=epilog or None,
            parents=[self.common], allow_abbrev=False,
            formatter_class=argparse.RawDescriptionHelpFormatter)
        if handler is not None:
            parser.set_defaults(handler=handler)
        return parser

    def group(self, parser: argparse.ArgumentParser, *, title: str, dest: str) -> CommandTree:
        sub = parser.add_subparsers(title=title, dest=dest, metavar="ACTION", required=True)
        return CommandTree(sub, self.common)


class CliContext:
    """The opened database and services for one command, and the output."""

    def __init__(self, location: DatabaseLocation, out: Output) -> None:
        self.location = location
        self.out = out
        self._database: Database | None = None
        self._services: Services | None = None

    @property
    def db_path(self) -> Path:
        """The database file, for the commands that work on the file itself (backups)."""
        if isinstance(self.location, ServerAddress):
            raise StorageError(server_backup_refusal(self.location))
        return self.location

    @property
    def services(self) -> Services:
        """Opened (created and migrated if need be) on first use, so --help never touches it."""
        if self._services is None:
            self._services = self._open()
        return self._services

    def _open(self) -> Services:
        from app.services.backup_service import remove_stale_partials, restore_offer
        from app.services.container import Services
        from app.storage.opening import DamagedDatabaseError, open_database

        try:
            database, outcome = open_database(self.location)
        except DamagedDatabaseError as error:
            # Reads are refused too: a script must never export half a database.
            raise StorageError(f"{error} {restore_offer(error.path, prog_name())}") from error
        self._database = database
        if not database.is_server:
            remove_stale_partials(database.path)
        if not self.out.json_mode:
            if outcome.created:
                self.out.notice(f"Created a new Leadline database: {database.location}")
            elif outcome.upgraded:
                self.out.notice(
                    f"Upgraded the database from schema {outcome.from_revision} to "
                    f"{outcome.to_revision}; backup: {outcome.backup}")
        return Services.build(database)

    def close(self) -> None:
        if self._database is not None:
            self._database.dispose()
            self._database = None
            self._services = None


def prog_name() -> str:
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    return "python main.py" if name == "main.py" else "leadline"
