"""Composition root: ``python main.py`` opens the GUI; ``python main.py COMMAND`` runs the CLI."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def global_options() -> argparse.ArgumentParser:
    """Options shared by the GUI and every CLI command."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--db", type=Path, metavar="PATH",
                        help="database file (default: $LEADLINE_DB, else the user data folder)")
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python main.py`` and of the ``leadline`` console script."""
    args = sys.argv[1:] if argv is None else list(argv)
    known, rest = global_options().parse_known_args(args)
    if rest:
        from app.cli.main import run

        return run(args)
    from app.ui.application import run_gui

    return run_gui(known.db)
