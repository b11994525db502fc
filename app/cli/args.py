"""Small argparse value types shared by the command modules."""

from __future__ import annotations

import argparse

from app.paths import DatabaseLocation, DatabaseLocationError
from app.paths import database_location as location_of


def database_location(text: str) -> DatabaseLocation:
    """``--db``: a database file, a URL naming one, or a team server; any other URL is a usage
    error."""
    try:
        return location_of(text)
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
