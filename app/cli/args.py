"""Small argparse value types shared by the command modules."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.paths import DatabaseLocationError, database_path


def database_location(text: str) -> Path:
    """``--db``: a database file, or a URL naming one; any other URL is a usage error."""
    try:
        return database_path(text)
    except DatabaseLocationError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def positive_int(text: str) -> int:
    value = _int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"'{text}' must be 1 or more")
    return value


def non_negative_int(text: str) -> int:
    value = _int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"'{text}' must be 0 or more")
    return value


def _int(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
