"""The CLI entry: parse the command line, open the database, run one command, map errors to exit codes.

Exit codes: 0 success, 2 usage or validation error, 1 not found / conflict / storage error,
130 interrupted (Ctrl+C).
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from app import __version__
from app.cli.output import Output
from app.clock import ClockSettingError, utc_now
from app.domain.errors import LeadlineError, StorageError, ValidationError

if TYPE_CHECKING:
    from app.services.container import Services
    from app.storage.db import Database

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

Handler = Callable[[argparse.Namespace, "CliContext"], int]

DESCRIPTION = """\
Leadline: lead management for small B2B sales teams.

Without a COMMAND the desktop app opens. With one, Leadline works on the database
from the command line and exits. --db and --json may be given before or after the command."""

EPILOG = """\
examples:
  %(prog)s users add --name "Anna Weber" --email anna@example.com --role rep
  %(prog)s events add "Hannover Messe 2026" --country DE --starts 2026-04-20 --cost 12500
  %(prog)s leads add --first-name Max --last-name Muster --email max@example.com \\
      --phone "030 1234567" --event "Hannover Messe 2026" --owner anna@example.com
  %(prog)s leads list --status mql,sql --owner none --sort next_due
  %(prog)s leads search "030 1234" --json
  %(prog)s --db demo.sqlite demo --leads 10000
  %(prog)s registrations import attendees.csv --event "Hannover Messe 2026"
  %(prog)s scan --event "Hannover Messe 2026" < scans.jsonl

Run '%(prog)s COMMAND --help' (e.g. '%(prog)s leads --help') for a command's options."""


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
    group.add_argument("--db", type=Path, metavar="PATH", default=argparse.SUPPRESS,
                       help="database file; created and set up if new "
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

    def __init__(self, db_path: Path, out: Output) -> None:
        self.db_path = db_path
        self.out = out
        self._database: Database | None = None
        self._services: Services | None = None

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
            database, outcome = open_database(self.db_path)
        except DamagedDatabaseError as error:
            # Reads are refused too: a script must never export half a database.
            raise StorageError(f"{error} {restore_offer(error.path, _prog_name())}") from error
        self._database = database
        remove_stale_partials(database.path)
        if not self.out.json_mode:
            if outcome.created:
                self.out.notice(f"Created a new Leadline database: {database.path}")
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


def build_parser(prog: str | None = None) -> CliParser:
    from app.cli import (
        backup,
        booth,
        dedupe,
        demo,
        distribution,
        erasure,
        events,
        exports,
        followup,
        imports,
        leads,
        reports,
        suppress,
        sync,
        users,
    )

    common = common_options()
    parser = CliParser(prog=prog or _prog_name(), description=DESCRIPTION, epilog=EPILOG,
                       parents=[common], allow_abbrev=False,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"Leadline {__version__}")
    subparsers = parser.add_subparsers(title="commands", dest="command", metavar="COMMAND",
                                       required=True)
    tree = CommandTree(subparsers, common)
    leads.register(tree)
    events.register(tree)
    users.register(tree)
    demo.register(tree)
    booth.register(tree)
    imports.register(tree)
    dedupe.register(tree)
    suppress.register(tree)
    erasure.register(tree)
    distribution.register(tree)
    followup.register(tree)
    reports.register(tree)
    exports.register(tree)
    sync.register(tree)
    backup.register(tree)
    return parser


def _prog_name() -> str:
    name = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else ""
    return "python main.py" if name == "main.py" else "leadline"


def run(argv: list[str]) -> int:
    """Run one CLI command; returns the process exit code."""
    json_hint = "--json" in argv
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except UsageError as error:
        out = Output(json_hint)
        if not json_hint:
            print(error.usage.rstrip(), file=sys.stderr)
        out.error(str(error))
        return EXIT_USAGE
    except SystemExit as done:  # --help and --version print, then exit
        return done.code if isinstance(done.code, int) else EXIT_OK

    out = Output(bool(getattr(args, "json", False)))
    db_path = getattr(args, "db", None)
    if db_path is None:
        from app.paths import default_db_path

        db_path = default_db_path()
    context = CliContext(Path(db_path), out)
    try:
        utc_now()  # a malformed $LEADLINE_NOW is a usage error before any work starts
    except ClockSettingError as error:
        out.error(str(error))
        return EXIT_USAGE
    try:
        handler: Handler = args.handler
        return handler(args, context)
    except ValidationError as error:
        out.validation_error(error)
        return EXIT_USAGE
    except LeadlineError as error:  # NotFoundError, ConflictError, StorageError...
        out.error(str(error))
        return EXIT_FAILURE
    except KeyboardInterrupt:
        out.error("interrupted; the last change was not saved")
        return EXIT_INTERRUPTED
    except Exception as error:  # disk full, read-only, missing, locked: plain words, exit 1
        from app.services.problems import describe_problem

        problem = describe_problem(error)
        if problem is None:
            raise
        out.error(str(problem))
        return EXIT_FAILURE
    finally:
        context.close()
