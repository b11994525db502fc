"""Open (or create) the database file and bring its schema up to date, after checking it.

An existing file is checked before anything touches it (no journal-mode switch, no schema
written): a damaged file, or an empty one with backups beside it, is refused with the problem
named, so neither a write nor a read works on half a database.
"""

from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path

from sqlalchemy import exc as sa_exc

from app.domain.errors import StorageError
from app.files import make_private
from app.paths import DatabaseLocation, ServerAddress, backups_dir_for
from app.storage.db import Database, describe_sqlite_error
from app.storage.migrate import MigrationOutcome, prepare_database
from app.storage.recovery import FileCheck, check_of_error

# Up to this size every page is read (PRAGMA quick_check: about 0.2 s per 40 MB); above it the
# header, the schema, every small table in full and a sample of rows across each big table.
FULL_CHECK_BYTES = 48 * 1024 * 1024
# A table with fewer rows than this is checked in full (with its indexes) when sampling.
_SMALL_TABLE_ROWS = 20_000
# Rows probed across each big table, spread by rowid: every probe walks the b-tree from its
# root to a leaf, so damage in the upper levels (which every row depends on) is always found,
# and damaged leaves in proportion to their share. Bounded in time too: a cold disk under load
# can take tens of milliseconds a read, and a start must stay prompt.
_SAMPLE_ROWS = 512
_SAMPLE_BUDGET_S = 1.0
_CHECK_TIMEOUT_S = 2.0
_PROBLEM_LINES = 3
_HEADER = b"SQLite format 3\x00"
NOT_LEADLINE = "it is a SQLite file but not a Leadline database"
_EMPTY_WITH_BACKUPS = ("it is empty ({what}) although its backups folder holds copies of it: a "
                       "failed copy, a sync tool or a full disk may have emptied it")


class DamagedDatabaseError(StorageError):
    """The database file is damaged (or emptied): nothing was read from it or written to it."""

    def __init__(self, path: Path, problem: str) -> None:
        super().__init__(f"The database {path} cannot be used: {problem}. The file was not "
                         "changed.")
        self.path = path
        self.problem = problem


def open_database(location: DatabaseLocation, *, checked: bool = False
                  ) -> tuple[Database, MigrationOutcome]:
    """The one way the GUI, the CLI and tests get a ready database. ``checked``: the caller has
    just found the file sound with ``check_before_opening`` (the window's start-up check, which
    reads more of it), so it is not read a second time."""
    if isinstance(location, ServerAddress):
        return open_server_database(location)
    path = location.expanduser().resolve()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StorageError(f"Cannot create the folder {path.parent}: {error.strerror}") from error
    if path.exists() and path.is_dir():
        raise StorageError(f"{path} is a folder; --db needs a file path")
    for own_file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        make_private(own_file)  # SQLite gives its journal the database file's permissions
    check = FileCheck() if checked else check_before_opening(path)
    # A lock is another program at work, not damage; another program's database is refused
    # by the schema check below, in its own words.
    if check.problem and not check.locked and check.problem != NOT_LEADLINE:
        raise DamagedDatabaseError(path, check.problem)
    database = Database(path)
    try:
        outcome = prepare_database(database)
        database.use_write_ahead_log()
        _ = database.device_id  # minted now, never inside a later write transaction
    except sa_exc.DBAPIError as error:
        database.dispose()
        raise StorageError(describe_sqlite_error(error, path)) from error
    except Exception:
        database.dispose()
        raise
    return database, outcome


def open_server_database(address: ServerAddress) -> tuple[Database, MigrationOutcome]:
    """Connect to the team database and bring its schema up to date (one Alembic history for
    both kinds); the server checks its own pages, so there is no file check."""
    database = Database.on_server(address)
    try:
        outcome = prepare_database(database)
        _ = database.device_id
    except sa_exc.DBAPIError as error:
        database.dispose()
        raise StorageError(database.describe_error(error)) from error
    except Exception:
        database.dispose()
        raise
    return database, outcome


def check_before_opening(path: Path, *, full_check_bytes: int = FULL_CHECK_BYTES) -> FileCheck:
    """Whether an existing database file may be opened, found read-only: no byte changes,
    except that a write a crash interrupted is rolled back first, as any SQLite open does.

    A missing file, or an empty one with no backups (nothing to restore), is a new database.
    An empty file with backups beside it is damage. Then the header, the schema and the pages:
    all of them up to ``full_check_bytes``, a sample above (quick at a million leads; damage
    the sample misses is reported when it is read).
    """
    if not path.exists():
        return FileCheck()
    size = path.stat().st_size
    if size == 0:
        return FileCheck(problem=_EMPTY_WITH_BACKUPS.format(what="0 bytes")) \
            if has_backups(path) else FileCheck()
    problem = _header_problem(path, size)
    if problem:
        return FileCheck(problem=problem)
    _finish_crash_recovery(path)
    return _check_contents(path, thorough=size <= full_check_bytes)


def has_backups(db_path: Path) -> bool:
    """Whether the backups folder holds a copy of this database: named after it with a time
    (``leadline-20261120-093000-daily.sqlite``, ``leadline-before-restore-20261120-093000…``),
    so another database's backups in the same folder do not count."""
    folder = backups_dir_for(db_path)
    ours = re.compile(rf"^{re.escape(db_path.stem)}-(\d{{8}}-\d{{6}}-[a-z0-9][a-z0-9-]*|"
                      rf"before-restore-\d{{8}}-\d{{6}}){re.escape(db_path.suffix or '.sqlite')}$")
    try:
        return any(ours.match(entry.name) and entry.is_file() for entry in folder.iterdir())
    except OSError:
        return False


def _header_problem(path: Path, size: int) -> str:
    """The 100-byte header: SQLite's, with a sane page size, and the file as long as it says."""
    try:
        with open(path, "rb") as handle:
            header = handle.read(100)
    except OSError as error:
        return f"it cannot be read ({error.strerror})"
    if len(header) < 100 or not header.startswith(_HEADER):
        return "it is damaged or not a SQLite database at all (maybe another kind of file)"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size & (page_size - 1):
        return "it is damaged: its header is garbled"
    pages_in_header = int.from_bytes(header[28:32], "big")
    header_count_valid = header[92:96] == header[24:28]
    wal = path.with_name(path.name + "-wal")
    # With a write-ahead log the file may lag behind the log; without one it must be whole.
    logged = wal.exists() and wal.stat().st_size > 0
    if not logged and (size % page_size or (
            header_count_valid and pages_in_header * page_size > size)):
        return "it is damaged: the file is cut short"
    return ""


def _finish_crash_recovery(path: Path) -> None:
    """Roll back a write a crash interrupted (a hot rollback journal): SQLite's own recovery,
    which any open does first; a read-only check cannot do it and would fail on it."""
    journal = path.with_name(path.name + "-journal")
    if not journal.exists() or journal.stat().st_size == 0:
        return
    try:
        connection = sqlite3.connect(path, timeout=_CHECK_TIMEOUT_S)
    except sqlite3.Error:
        return  # the check that follows names the problem
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchall()
    except sqlite3.Error:
        pass  # likewise
    finally:
        connection.close()


def _check_contents(path: Path, *, thorough: bool) -> FileCheck:
    uri = path.as_uri() + "?mode=ro"
    try:
        connection = sqlite3.connect(uri, uri=True, timeout=_CHECK_TIMEOUT_S)
    except sqlite3.Error as error:
        return FileCheck(problem=f"it cannot be opened ({error})")
    try:
        tables = [name for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND rootpage > 0")]
        if not tables:
            return FileCheck(problem=_EMPTY_WITH_BACKUPS.format(what="no tables")) \
                if has_backups(path) else FileCheck()
        problem = _pages_problem(connection) if thorough \
            else _sampled_problem(connection, tables)
        if problem:
            return FileCheck(problem=problem)
        if "alembic_version" not in tables:
            return FileCheck(problem=NOT_LEADLINE)
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        return FileCheck(revision=row[0] if row else None, is_leadline=True)
    except sqlite3.Error as error:
        return check_of_error(error)
    finally:
        connection.close()


def _pages_problem(connection: sqlite3.Connection, table: str | None = None) -> str:
    """SQLite's quick check of every page, or of one table and its indexes."""
    pragma = f"PRAGMA quick_check({_quoted(table)})" if table else \
        f"PRAGMA quick_check({_PROBLEM_LINES})"
    lines = [str(row[0]) for row in connection.execute(pragma).fetchall()]
    if lines == ["ok"]:
        return ""
    words = [part.strip() for line in lines for part in line.splitlines()
             if part.strip() and not part.startswith("***")]
    return "it is damaged: " + ("; ".join(words[:_PROBLEM_LINES]) or "the check failed")


def _sampled_problem(connection: sqlite3.Connection, tables: list[str]) -> str:
    """Small tables in full; across each big one, rows at evenly spread rowids (the spread
    refines pass by pass, so a sample cut short by the time budget still spans every table)."""
    big: list[tuple[str, int, int]] = []
    for table in tables:
        try:  # one aggregate a query: SQLite reads min() or max() alone off the b-tree's edge
            (low,) = connection.execute(f"SELECT min(rowid) FROM {_quoted(table)}").fetchone()
            (high,) = connection.execute(f"SELECT max(rowid) FROM {_quoted(table)}").fetchone()
        except sqlite3.OperationalError as error:
            if "no such column" not in str(error):  # not a WITHOUT ROWID table: a real failure
                raise
            low, high = 0, 0  # WITHOUT ROWID: checked in full
        if low is None:
            continue
        if high - low < _SMALL_TABLE_ROWS:
            problem = _pages_problem(connection, table=table)
            if problem:
                return problem
            continue
        big.append((table, low, high))
    # Every page a probe reads is checked cell by cell as it is loaded; only the rowid is read,
    # so long values' overflow pages are not (a probe costs one or two page reads).
    connection.execute("PRAGMA cell_size_check = ON")
    ends = time.monotonic() + _SAMPLE_BUDGET_S
    for fraction in _spread(_SAMPLE_ROWS):
        for table, low, high in big:
            connection.execute(f"SELECT rowid FROM {_quoted(table)} WHERE rowid >= ? LIMIT 1",
                               (low + int((high - low) * fraction),)).fetchall()
        if time.monotonic() > ends:
            break
    return ""


def _spread(count: int) -> list[float]:
    """0, 1/2, 1/4, 3/4, 1/8, 5/8...: each prefix of the sequence covers [0, 1) evenly."""
    bits = max(1, (count - 1).bit_length())
    return [int(f"{i:0{bits}b}"[::-1], 2) / (1 << bits) for i in range(count)]


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
