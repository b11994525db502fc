"""SQL expressions written once and compiled for SQLite or PostgreSQL, so repositories build
the same statement for a laptop's file and for the team server.

Each is a small SQLAlchemy construct with one compiler per dialect (the ``compiles`` hook):
search as you type (FTS5 trigram index, or pg_trgm over the same text), the larger of two
values, hours between two times, a time's year and month, and a long list of ids passed as one JSON parameter.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Float,
    String,
    and_,
    column,
    literal_column,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from app.storage.fulltext import (
    POSTGRESQL_SEARCH_TEXT,
    like_pattern,
    match_expression,
    search_alternatives,
)
from app.storage.orm import Lead

_search_index = table("lead_search", column("rowid"))

# PostgreSQL twins of SQLite's partial sort indexes for the list columns that can be empty, in
# SQLite's order (empty first going up), as the list asks for them (migration 0021 creates
# them; the models do not describe them, so schema comparison leaves them out).
POSTGRESQL_SORT_INDEXES = {
    "ix_lead_pg_next_due": "next_due_at ASC NULLS FIRST, key",
    "ix_lead_pg_last_touch": "last_touch_at ASC NULLS FIRST, key",
}
# PostgreSQL only (migration 0023): open tasks by owner and due time carrying the lead id, so
# My day's counts read this index alone (SQLite cannot INCLUDE; its 0017 index serves it).
POSTGRESQL_COUNT_INDEXES = {
    "ix_task_pg_open_owner_due": "ON task (owner_id, due_at) INCLUDE (lead_id) "
                                 "WHERE done_at IS NULL AND deleted_at IS NULL",
}
# The index's expression with every column named as lead's, so a join (the owner's email)
# cannot make it ambiguous; the planner still matches it to the index.
_SERVER_SEARCH_TEXT = re.sub(
    r"\b(first_name|last_name|company|email|phone|phone_e164|mobile|mobile_e164|notes)\b",
    r"lead.\1", POSTGRESQL_SEARCH_TEXT)


class LeadMatches(ColumnElement[bool]):
    """Leads whose name, company, email, phones or notes hold what was typed (any case, any
    order of words). ``walk_sort_index``: on SQLite, test membership while walking the ORDER BY
    index instead of fetching and sorting every match (for broad searches)."""

    type = Boolean()
    inherit_cache = False

    def __init__(self, typed: str, *, walk_sort_index: bool = False) -> None:
        self.typed = typed
        self.alternatives = search_alternatives(typed)
        if self.alternatives is None:
            raise ValueError("shorter than a trigram: search the names by prefix instead")
        self.walk_sort_index = walk_sort_index


@compiles(LeadMatches, "sqlite")
def _lead_matches_sqlite(element: LeadMatches, compiler: Any, **kw: Any) -> str:
    matches = select(_search_index.c.rowid).where(
        text("lead_search MATCH :match").bindparams(match=match_expression(element.typed)))
    # "key + 0" hides the rowid from the planner, so it walks the ORDER BY index.
    key = (Lead.key + 0) if element.walk_sort_index else Lead.key
    return str(compiler.process(key.in_(matches), **kw))


@compiles(LeadMatches, "postgresql")
def _lead_matches_postgresql(element: LeadMatches, compiler: Any, **kw: Any) -> str:
    searched = literal_column(_SERVER_SEARCH_TEXT, String)
    clause = or_(*(and_(*(searched.like(like_pattern(part), escape="\\") for part in each))
                   for each in element.alternatives or []))
    return str(compiler.process(clause, **kw))


class hours_between(FunctionElement[float]):  # noqa: N801 (reads as the SQL function it is)
    """``later - earlier`` in hours, fractional."""

    type = Float()
    inherit_cache = True


@compiles(hours_between, "sqlite")
def _hours_sqlite(element: hours_between, compiler: Any, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return (f"((julianday({compiler.process(later, **kw)}) - "
            f"julianday({compiler.process(earlier, **kw)})) * 24.0)")


@compiles(hours_between, "postgresql")
def _hours_postgresql(element: hours_between, compiler: Any, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return (f"(EXTRACT(EPOCH FROM ({compiler.process(later, **kw)} - "
            f"{compiler.process(earlier, **kw)})) / 3600.0)")


class greatest(FunctionElement[Any]):  # noqa: N801
    """The larger of two values (SQLite's two-argument max)."""

    inherit_cache = True


@compiles(greatest, "sqlite")
def _greatest_sqlite(element: greatest, compiler: Any, **kw: Any) -> str:
    return f"max({compiler.process(element.clauses, **kw)})"


@compiles(greatest, "postgresql")
def _greatest_postgresql(element: greatest, compiler: Any, **kw: Any) -> str:
    return f"greatest({compiler.process(element.clauses, **kw)})"


class year_month(FunctionElement[str]):  # noqa: N801
    """A time's ``YYYY-MM`` (UTC, as stored)."""

    type = String()
    inherit_cache = True


@compiles(year_month, "sqlite")
def _year_month_sqlite(element: year_month, compiler: Any, **kw: Any) -> str:
    return f"strftime('%Y-%m', {compiler.process(element.clauses, **kw)})"


@compiles(year_month, "postgresql")
def _year_month_postgresql(element: year_month, compiler: Any, **kw: Any) -> str:
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM')"


class _IdIn(ColumnElement[bool]):
    type = Boolean()
    inherit_cache = False

    def __init__(self, id_column: Any, ids_json: str) -> None:
        self.id_column = id_column
        self.ids_json = ids_json


@compiles(_IdIn, "sqlite")
def _id_in_sqlite(element: _IdIn, compiler: Any, **kw: Any) -> str:
    listed = text("SELECT value FROM json_each(:listed_ids)").bindparams(
        listed_ids=element.ids_json)
    return f"{compiler.process(element.id_column, **kw)} IN ({compiler.process(listed, **kw)})"


@compiles(_IdIn, "postgresql")
def _id_in_postgresql(element: _IdIn, compiler: Any, **kw: Any) -> str:
    listed = text("SELECT CAST(value AS uuid) FROM json_array_elements_text("
                  "CAST(:listed_ids AS json)) AS value").bindparams(listed_ids=element.ids_json)
    return f"{compiler.process(element.id_column, **kw)} IN ({compiler.process(listed, **kw)})"


def id_in(id_column: Any, ids: Sequence[uuid.UUID]) -> ColumnElement[bool]:
    """``id_column IN ids`` with the ids as one JSON parameter: an automatic job may have
    changed tens of thousands of leads, more than SQLite takes as separate parameters."""
    return _IdIn(id_column, json.dumps([i.hex for i in ids]))
