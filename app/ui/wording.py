"""Wording used on several screens: counts ("1 lead", "2,000 leads", "0 leads") the same way
everywhere, and the question a clash with someone else's save asks."""

from __future__ import annotations

import datetime as dt

from app.domain.errors import EditConflictError


def noun_for(count: int, singular: str, plural: str | None = None) -> str:
    """The noun that goes with ``count``: singular for exactly one, else ``plural`` (for the
    nouns that take more than an "s": "entry", "entries")."""
    return singular if count == 1 else plural or singular + "s"


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """``count`` with thousands separators and its noun: "1 lead", "2,000 leads"."""
    return f"{count:,} {noun_for(count, singular, plural)}"


def edit_conflict_question(conflict: EditConflictError, zone: dt.tzinfo | None) -> str:
    """What the detail pane asks when someone saved the fields being edited meanwhile."""
    when = conflict.changed_at.astimezone(zone)
    lines = "\n".join(f"{v.label}: theirs {_quoted(v.theirs)}, yours {_quoted(v.yours)}"
                      for v in conflict.values)
    return (f"{conflict.changed_by} saved this lead at {when:%H:%M} ({when:%d %b}) while you "
            f"were editing it:\n\n{lines}\n\nReload theirs (your edits to these fields are "
            "dropped), or keep yours (theirs are replaced; the history keeps both)?")


def _quoted(value: str) -> str:
    return f"“{value}”" if value else "(empty)"
