"""Counts in words, the same way on every screen: "1 lead", "2,000 leads", "0 leads"."""

from __future__ import annotations


def noun_for(count: int, singular: str, plural: str | None = None) -> str:
    """The noun that goes with ``count``: singular for exactly one, else ``plural`` (for the
    nouns that take more than an "s": "entry", "entries")."""
    return singular if count == 1 else plural or singular + "s"


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """``count`` with thousands separators and its noun: "1 lead", "2,000 leads"."""
    return f"{count:,} {noun_for(count, singular, plural)}"
