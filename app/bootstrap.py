"""Composition root: ``python main.py`` opens the GUI; ``python main.py COMMAND`` runs the CLI."""

from __future__ import annotations

import argparse
import os
import sys


def global_options() -> argparse.ArgumentParser:
    """Options shared by the GUI and every CLI command."""
    parser = argparse.ArgumentParser(add_help=False)
    # Checked by the CLI's own parser (errors as JSON with --json) or by gui_database below.
    parser.add_argument("--db", metavar="PATH",
                        help="database file (default: $LEADLINE_DB, else the user data folder)")
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")
    # For packaging checks: open the window on the database, close it after a second, report.
    parser.add_argument("--smoke-test", action="store_true", help=argparse.SUPPRESS)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python main.py`` and of the ``leadline`` console script."""
    from app.files import keep_new_files_private

    keep_new_files_private()
    args = sys.argv[1:] if argv is None else list(argv)
    known, rest = global_options().parse_known_args(args)
    if rest:
        from app.cli.main import run

        try:
            return run(args)
        except BrokenPipeError:
            # `leadline leads list --json | head`: the reader left; that is not an error.
            # Point stdout at nothing so the interpreter's final flush does not complain again.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
    from app.paths import DB_ENV_VAR, DatabaseLocationError, database_location, default_db_path

    try:
        # None when nothing names one: the window then opens what this laptop remembers.
        db_path = database_location(known.db) if known.db else (
            default_db_path() if os.environ.get(DB_ENV_VAR, "").strip() else None)
    except DatabaseLocationError as error:
        where = "--db" if known.db else f"${DB_ENV_VAR}"
        print(f"error: {where}: {error}", file=sys.stderr)
        return 2
    from app.ui.application import run_gui

    return run_gui(db_path, smoke_test=known.smoke_test)
