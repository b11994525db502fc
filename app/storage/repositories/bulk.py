"""Fast bulk inserts through the DB-API connection, for demo data and benchmarks.

The ORM costs about 100 µs a row; a million leads with their history would take hours. This
writer sends parameter lists straight to ``sqlite3.Cursor.executemany`` instead, but keeps
the on-disk format identical to what SQLAlchemy writes (app/storage/repositories/bulk_rows.py),
so every ORM read still works. Triggers (the lead full-text index) fire as usual.
Each :meth:`BulkWriter.write` is one ``BEGIN IMMEDIATE … COMMIT``; any error rolls it back, so a
batch is stored completely or not at all.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from operator import itemgetter
from types import TracebackType
from typing import Any

from app.storage.db import Database, DriverConnection
from app.storage.repositories.bulk_rows import (
    TABLES,
    Row,
    table_spec,
    utc_text,
)
from app.storage.repositories.imports import ExistingKeys

_UUID = uuid.UUID
_UTC = dt.UTC


class BulkWriter:
    """Inserts many rows per transaction into lead, activity, task, user, team, queue and event.

    Rows are mappings from column name (as in app/storage/orm) to Python values: ``uuid.UUID``,
    aware ``datetime``, ``date``, ``bool``, ``StrEnum`` members. Omitted columns get their ORM
    default; ``id`` and other required columns must be given. Use it as a context manager to keep
    one connection for many batches; without one, each call borrows a pooled connection.
    """

    def __init__(self, database: Database) -> None:
        self.database = database
        self._connection: DriverConnection | None = None
        self._context: Any = None
        self._outer = False  # inside transaction(): writes join it instead of committing

    # -- connection -------------------------------------------------------------------------
    def __enter__(self) -> BulkWriter:
        self._context = self.database.raw_connection()
        self._connection = self._context.__enter__()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        context, self._context, self._connection = self._context, None, None
        if context is not None:
            context.__exit__(kind, error, trace)

    @contextmanager
    def transaction(self) -> Iterator[BulkWriter]:
        """One transaction around many writes: all of them are kept, or none (imports).

        Needs the writer opened as a context manager, so every write uses the same connection.
        """
        if self._connection is None:
            raise RuntimeError("open the BulkWriter with 'with' before starting a transaction")
        connection = self._connection
        with self.database.writing():
            connection.execute("BEGIN IMMEDIATE")
            self._outer = True
            try:
                yield self
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                raise
            finally:
                self._outer = False

    def fill_blanks(self, lead_id: uuid.UUID, values: Mapping[str, Any], now: dt.datetime,
                    device_id: uuid.UUID) -> list[str]:
        """Set text columns of a lead that are still empty; returns the columns it filled.

        Only for plain text columns; never overwrites what someone already typed.
        """
        spec = table_spec("lead")
        filled: list[str] = []
        with self._borrowed() as connection:
            for column, value in values.items():
                if column not in spec.columns or value in (None, ""):
                    continue
                cursor = connection.execute(
                    f'UPDATE lead SET "{column}" = ?, updated_at = ?, device_id = ? '
                    f"""WHERE id = ? AND "{column}" = ''""",
                    (value, utc_text(now), device_id.hex, lead_id.hex))
                if cursor.rowcount:
                    filled.append(column)
        return filled

    def existing_keys(self, emails: Collection[str], phones: Collection[str],
                      badges: Collection[str], event_id: uuid.UUID | None) -> ExistingKeys:
        """Like ImportRepository.existing_keys, but inside this writer's transaction, so rows
        written earlier in the same import count too (an import then needs no memory of its own
        per row to find duplicates within the file)."""
        found: dict[str, dict[str, uuid.UUID]] = {"email": {}, "phone": {}, "badge": {}}
        live = "deleted_at IS NULL"
        queries = [("email", "email", list(emails), ""),
                   ("phone", "phone_e164", list(phones), ""),
                   ("phone", "mobile_e164", list(phones), "")]
        if event_id is not None:
            queries.append(("badge", "badge_id", list(badges), " AND event_id = ?"))
        with self._borrowed() as connection:
            for kind, column, values, extra in queries:
                for start in range(0, len(values), 500):
                    part = values[start:start + 500]
                    marks = ",".join("?" * len(part))
                    params: list[Any] = [*part] + ([event_id.hex] if extra and event_id else [])
                    for lead_id, value in connection.execute(
                            f'SELECT id, "{column}" FROM lead WHERE {live} AND "{column}" '
                            f"IN ({marks}){extra}", params):
                        found[kind].setdefault(value, uuid.UUID(lead_id))
        return ExistingKeys(found["email"], found["phone"], found["badge"])

    def save_round_robin_state(self, state: Mapping[uuid.UUID, uuid.UUID], now: dt.datetime,
                               device: uuid.UUID) -> None:
        """Each team's last round-robin member, after a batch routed new leads."""
        assert self._connection is not None, "use BulkWriter as a context manager"
        self._connection.executemany(
            "UPDATE team SET round_robin_last_id = ?, updated_at = ?, device_id = ? "
            "WHERE id = ? AND round_robin_last_id IS NOT ?",
            [(last.hex, utc_text(now), device.hex, team.hex, last.hex)
             for team, last in state.items()])

    def finish_batch(self, batch_id: uuid.UUID, counts: Mapping[str, int], status: str,
                     now: dt.datetime) -> None:
        """Record an import batch's final counts, inside the import's own transaction."""
        with self._borrowed() as connection:
            connection.execute(
                "UPDATE import_batch SET created_count = ?, duplicate_count = ?, "
                "rejected_count = ?, status = ?, finished_at = ?, updated_at = ? WHERE id = ?",
                (counts.get("created", 0), counts.get("duplicates", 0), counts.get("rejected", 0),
                 status, utc_text(now), utc_text(now), batch_id.hex))

    @contextmanager
    def _borrowed(self) -> Iterator[DriverConnection]:
        if self._connection is not None:
            yield self._connection
        else:
            with self.database.raw_connection() as connection:
                yield connection

    # -- shapes -----------------------------------------------------------------------------
    @staticmethod
    def columns(table: str) -> tuple[str, ...]:
        """Column order of the parameter lists that :meth:`convert` produces."""
        return table_spec(table).columns

    @staticmethod
    def insert_statement(table: str) -> str:
        """The INSERT used for ``table`` (benchmarks replay it through plain sqlite3)."""
        return table_spec(table).statement

    @staticmethod
    def convert(table: str, rows: Iterable[Row]) -> list[list[Any]]:
        """Parameter lists in :meth:`columns` order, values in SQLAlchemy's storage format.

        Millions of values pass through here, so the common case is inlined per column kind;
        any surprise falls back to the checked path, which names the offending column.
        """
        spec = table_spec(table)
        defaults, required, width = spec.defaults, spec.required, len(spec.columns)
        uuids, stamps, dates, flags, enums = (spec.uuids, spec.stamps, spec.dates, spec.flags,
                                              spec.enums)
        pick = itemgetter(*spec.columns)
        result: list[list[Any]] = []
        for row in rows:
            if not required.issubset(row):
                missing = ", ".join(sorted(required.difference(row)))
                raise ValueError(f"{table} row lacks required column(s): {missing}")
            full = {**defaults, **row}
            if len(full) != width:
                unknown = ", ".join(sorted(set(full).difference(spec.columns)))
                raise ValueError(f"{table} has no column(s): {unknown}")
            values = list(pick(full))
            try:
                for i in uuids:
                    value = values[i]
                    if value is not None:
                        if value.__class__ is not _UUID:
                            raise TypeError
                        values[i] = value.hex
                for i in stamps:
                    value = values[i]
                    if value is not None:
                        if value.tzinfo is not _UTC:
                            raise TypeError  # naive, or another zone: let the slow path decide
                        values[i] = value.isoformat(" ", "microseconds")[:26]
                for i in dates:
                    value = values[i]
                    if value is not None:
                        if value.__class__ is not dt.date:
                            raise TypeError
                        values[i] = value.isoformat()
                for i in flags:
                    value = values[i]
                    if value is not None:
                        values[i] = 1 if value else 0
                for i, allowed in enums:
                    value = values[i]
                    if value is not None:
                        values[i] = allowed[value]
            except (TypeError, KeyError, AttributeError):
                values = spec.checked(row)
            result.append(values)
        return result

    # -- writing ----------------------------------------------------------------------------
    def write(self, batch: Mapping[str, Sequence[Row]]) -> dict[str, int]:
        """Insert every table's rows in one transaction, parents first. Returns rows per table."""
        unknown = set(batch).difference(TABLES)
        if unknown:
            raise ValueError(f"bulk writes support {', '.join(TABLES)}, not {sorted(unknown)}")
        # Convert before BEGIN: a bad value then fails without holding the write lock.
        prepared = [(t, self.convert(t, batch[t])) for t in TABLES if batch.get(t)]
        with self._borrowed() as connection:
            if self._outer:
                for table, params in prepared:
                    connection.executemany(table_spec(table).statement, params)
            else:
                with self.database.writing():
                    self._execute(connection, prepared)
        return {table: len(params) for table, params in prepared}

    def insert(self, table: str, rows: Iterable[Row], *, chunk_size: int = 10_000) -> int:
        """Insert rows into one table, one transaction per ``chunk_size`` rows."""
        total = 0
        chunk: list[Row] = []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= chunk_size:
                total += self.write({table: chunk})[table]
                chunk = []
        if chunk:
            total += self.write({table: chunk})[table]
        return total

    def count(self, table: str) -> int:
        """Rows in a table, soft-deleted ones included (they still hold their ids)."""
        spec = table_spec(table)
        with self._borrowed() as connection:
            return int(connection.execute(f'SELECT count(*) FROM "{spec.name}"').fetchone()[0])

    @staticmethod
    def _execute(connection: DriverConnection,
                 prepared: Sequence[tuple[str, list[list[Any]]]]) -> None:
        # IMMEDIATE takes the write lock up front: no deadlock with a reader upgrading later,
        # and the busy timeout applies while another writer finishes.
        connection.execute("BEGIN IMMEDIATE")
        try:
            for table, params in prepared:
                connection.executemany(table_spec(table).statement, params)
            connection.execute("COMMIT")
        except BaseException:
            # SQLite may already have rolled back by itself (e.g. disk full); don't mask that.
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
