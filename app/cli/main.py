"""The CLI entry: parse the command line, open the database, run one command, map errors to exit codes.

Exit codes: 0 success, 2 usage or validation error, 1 not found / conflict / storage error,
130 interrupted (Ctrl+C).
"""

from __future__ import annotations

import argparse
import sys

from app import __version__
from app.cli.context import (
    CliContext,
    CliParser,
    CommandTree,
    Handler,
    UsageError,
    common_options,
    prog_name,
)
from app.cli.output import Output
from app.clock import ClockSettingError, utc_now
from app.domain.errors import LeadlineError, ValidationError

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

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
  %(prog)s scan-image badge.jpg --event "Hannover Messe 2026"
  %(prog)s card business-card.jpg --event "Hannover Messe 2026" --dry-run
  %(prog)s migrate-to postgresql://anna@db.example.com/leadline

Run '%(prog)s COMMAND --help' (e.g. '%(prog)s leads --help') for a command's options."""


def build_parser(prog: str | None = None) -> CliParser:
    from app.cli import (
        audit,
        backup,
        booth,
        capture_images,
        customers,
        dedupe,
        demo,
        distribution,
        erasure,
        events,
        exports,
        followup,
        imports,
        leads,
        lock,
        migrate_to,
        plan,
        reports,
        retention,
        suppress,
        sync,
        users,
    )

    common = common_options()
    parser = CliParser(prog=prog or prog_name(), description=DESCRIPTION, epilog=EPILOG,
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
    capture_images.register(tree)
    imports.register(tree)
    customers.register(tree)
    dedupe.register(tree)
    suppress.register(tree)
    erasure.register(tree)
    distribution.register(tree)
    followup.register(tree)
    reports.register(tree)
    plan.register(tree)
    exports.register(tree)
    sync.register(tree)
    backup.register(tree)
    migrate_to.register(tree)
    audit.register(tree)
    retention.register(tree)
    lock.register(tree)
    return parser


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
        from app.paths import DB_ENV_VAR, DatabaseLocationError, default_db_path

        try:
            db_path = default_db_path()
        except DatabaseLocationError as error:
            out.error(f"${DB_ENV_VAR}: {error}")
            return EXIT_USAGE
    context = CliContext(db_path, out)
    try:
        utc_now()  # a malformed $LEADLINE_NOW is a usage error before any work starts
    except ClockSettingError as error:
        out.error(str(error))
        return EXIT_USAGE
    try:
        from app.cli.access import refuse_unless_allowed

        refuse_unless_allowed(args, context)
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
