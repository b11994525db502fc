"""Shared fixtures: a fresh migrated database per test (a copy of one migrated per run), services
on a fixed clock, headless Qt."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
import uuid
import zoneinfo
from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
import pytest

# Before any Qt import: GUI tests run on the offscreen platform unless told otherwise.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from app.clock import NOW_ENV_VAR  # noqa: E402
from app.paths import ServerAddress  # noqa: E402
from app.services.container import Services  # noqa: E402
from app.storage.db import Database  # noqa: E402
from app.storage.migrate import prepare_database  # noqa: E402
from app.storage.opening import open_database  # noqa: E402
from tests.memory_keyring import MemoryKeyring  # noqa: E402
from tests.simulation_seeds import draw_run_seed  # noqa: E402

FIXED_NOW = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)

# Sync tests' laptops and shared folder (fixtures ``folder`` and ``laptops``).
pytest_plugins = ["tests.sync_laptops"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("leadline")
    group.addoption("--travel", metavar="DATE|+DAYS", default=None,
                    help="move the machine's clock (time-machine, still ticking) to DATE or DAYS "
                         "ahead for the whole run, to prove no test reads today's date")
    group.addoption("--tz", metavar="ZONE", default=None,
                    help="run in this IANA time zone (e.g. Pacific/Kiritimati), to prove no test "
                         "depends on the machine's zone")


def pytest_configure(config: pytest.Config) -> None:
    draw_run_seed()  # before pytest-xdist starts workers, so each collects the same seeds
    zone = config.getoption("--tz")
    if zone:
        os.environ["TZ"] = zone
        time.tzset()
    travel = config.getoption("--travel")
    if travel:
        import time_machine

        if travel.startswith("+"):
            destination = dt.datetime.now(dt.UTC) + dt.timedelta(days=float(travel[1:]))
        else:
            destination = dt.datetime.fromisoformat(travel).replace(tzinfo=dt.UTC)
        if zone:
            # time-machine sets the process's zone from a ZoneInfo destination (else to UTC).
            destination = destination.astimezone(zoneinfo.ZoneInfo(zone))
        traveller = time_machine.travel(destination, tick=True)
        traveller.start()
        config.add_cleanup(traveller.stop)


class FakeClock:
    """A clock tests can move forward; every service in a test shares it.

    ``on_change`` hears every new reading: the ``clock`` fixture publishes it as $LEADLINE_NOW, so
    a command-line call inside the test sees the same instant as the services.
    """

    def __init__(self, now: dt.datetime = FIXED_NOW,
                 on_change: Callable[[dt.datetime], None] | None = None) -> None:
        self._on_change = on_change
        self.now = now

    @property
    def now(self) -> dt.datetime:
        return self._now

    @now.setter
    def now(self, value: dt.datetime) -> None:
        self._now = value
        if self._on_change is not None:
            self._on_change(value)

    def __call__(self) -> dt.datetime:
        return self._now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    return FakeClock(on_change=lambda now: monkeypatch.setenv(NOW_ENV_VAR, now.isoformat()))


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "leadline.sqlite"


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database at the head schema, migrated once per run: running the Alembic migrations for
    every test took about a minute of the suite. It has no device id yet, so each copy mints its
    own when opened."""
    template = tmp_path_factory.mktemp("template") / "leadline.sqlite"
    database = Database(template)
    try:
        prepare_database(database)
    finally:
        database.dispose()
    return template


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A throwaway PostgreSQL server for the run (SQLAlchemy URL of its ``postgres`` database);
    the tests using it skip when the server binaries are not installed."""
    from tests.pg_server import server_binaries, throwaway_server

    if server_binaries() is None:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    with throwaway_server() as url:
        yield url


@pytest.fixture(scope="session")
def server_template(postgres_server: str) -> str:
    """A database on the throwaway server at the head schema, migrated once per run; each test
    gets a copy (CREATE DATABASE … TEMPLATE), as the SQLite tests get a copy of a file."""
    from tests.pg_server import create_database

    url = create_database(postgres_server, "leadline_template")
    database = Database.on_server(ServerAddress(url))
    try:
        prepare_database(database)
    finally:
        database.dispose()
    return url


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests in a module marked ``both_databases`` run on a SQLite file and on the server."""
    if "database_kind" in metafunc.fixturenames and \
            metafunc.definition.get_closest_marker("both_databases"):
        metafunc.parametrize("database_kind", [
            "sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)], indirect=True)


@pytest.fixture
def database_kind(request: pytest.FixtureRequest) -> str:
    return getattr(request, "param", "sqlite")


@pytest.fixture
def server_database_template(request: pytest.FixtureRequest) -> str:
    """The server database a test's copy is made from; a module may give a fuller one (its data
    built once, as a SQLite module copies a prepared file)."""
    return str(request.getfixturevalue("server_template"))


@pytest.fixture
def db(request: pytest.FixtureRequest, database_kind: str, db_path: Path) -> Iterator[Database]:
    if database_kind == "postgresql":
        from tests.pg_server import copy_database, drop_database

        url = copy_database(request.getfixturevalue("server_database_template"),
                            f"t_{uuid.uuid4().hex[:16]}")
        database, _outcome = open_database(ServerAddress(url))
        yield database
        database.dispose()
        drop_database(url)
        return
    db_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(request.getfixturevalue("migrated_template"), db_path)
    database, _outcome = open_database(db_path)
    yield database
    database.dispose()


@pytest.fixture
def services(db: Database, clock: FakeClock) -> Services:
    return Services.build(db, clock)


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    """Secrets a test keeps (server passwords, team passphrases) stay in memory."""
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: FakeClock) -> None:
    """Never touch the real user data folder or settings, nor read the real date, from a test."""
    monkeypatch.setenv("LEADLINE_DB", str(tmp_path / "default-location" / "leadline.sqlite"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))


# `leadline --db <the test database> ARGS...` in process: (exit code, stdout, stderr).
CliRun = Callable[..., tuple[int, str, str]]


@pytest.fixture
def db_location(request: pytest.FixtureRequest, database_kind: str, db_path: Path) -> str:
    """What ``--db`` names for the test database: its file (the first command creates it unless
    a fixture opened ``db``) or, on the server, the address of this test's copy."""
    if database_kind == "postgresql":
        return request.getfixturevalue("db").location
    return str(db_path)


@pytest.fixture
def cli(db_location: str, capsys: pytest.CaptureFixture[str]) -> CliRun:
    from app.bootstrap import main

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--db", db_location, *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err
    return run
