"""resources/postgresql/roles.sql on a migrated server database: what each role may and may not do."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator

import psycopg
import pytest
from alembic import command
from sqlalchemy import Connection, Engine, create_engine, delete, insert, select, update
from sqlalchemy.exc import ProgrammingError

from app.paths import resource
from app.storage.migrate import alembic_config
from app.storage.orm import Activity, AssignmentRun, Lead, RoutingRuleRow, SyncChunk, User
from tests.pg_server import create_database

pytestmark = pytest.mark.postgresql

ROLES = resource("postgresql/roles.sql")
NOW = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)
DEVICE = uuid.UUID("00000000-0000-7000-8000-000000000001")

Login = Callable[[str], Engine]


def _run_roles_script(url: str) -> None:
    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(ROLES.read_text(encoding="utf-8"))  # no parameters: one script


@pytest.fixture
def login(postgres_server: str) -> Iterator[Login]:
    """A migrated database with the roles applied twice (it must be re-runnable), and a way to
    connect to it as a new login in one of the roles."""
    url = create_database(postgres_server, f"t_{uuid.uuid4().hex[:12]}")
    owner = create_engine(url)
    config = alembic_config()
    with owner.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    _run_roles_script(url)
    _run_roles_script(url)
    engines = [owner]

    def connect(role: str) -> Engine:
        name = f"{role.removeprefix('leadline_')}_{uuid.uuid4().hex[:8]}"
        with owner.begin() as connection:
            connection.exec_driver_sql(f"CREATE ROLE {name} LOGIN IN ROLE {role}")
        engine = create_engine(url.replace("://leadline@", f"://{name}@", 1))
        engines.append(engine)
        return engine

    yield connect
    for engine in engines:
        engine.dispose()


def _lead() -> dict[str, object]:
    return {"id": uuid.uuid4(), "updated_at": NOW, "device_id": DEVICE, "created_at": NOW,
            "first_name": "Max", "last_name": "Muster"}


def _allowed(engine: Engine, action: Callable[[Connection], object]) -> bool:
    try:
        with engine.begin() as connection:
            action(connection)
    except ProgrammingError as error:
        assert isinstance(error.orig, psycopg.errors.InsufficientPrivilege), error
        return False
    return True


def test_a_booth_login_captures_but_never_deletes_or_changes_people_or_rules(login: Login) -> None:
    booth = login("leadline_booth")
    lead = _lead()
    assert _allowed(booth, lambda c: c.execute(insert(Lead), [lead]))
    assert _allowed(booth, lambda c: c.execute(insert(Activity), [{
        "id": uuid.uuid4(), "updated_at": NOW, "device_id": DEVICE, "lead_id": lead["id"],
        "kind": "created", "occurred_at": NOW}]))
    assert _allowed(booth, lambda c: c.execute(
        update(Lead).where(Lead.id == lead["id"]).values(notes="met at the stand")))
    assert _allowed(booth, lambda c: c.execute(select(User.id)).all())

    assert not _allowed(booth, lambda c: c.execute(delete(Lead).where(Lead.id == lead["id"])))
    assert not _allowed(booth, lambda c: c.execute(update(Activity).values(text="rewritten")))
    assert not _allowed(booth, lambda c: c.execute(update(User).values(name="x")))
    assert not _allowed(booth, lambda c: c.execute(delete(RoutingRuleRow)))
    assert not _allowed(booth, lambda c: c.execute(select(SyncChunk.id)).all())


def test_a_rep_edits_leads_and_adds_history_but_history_stays_append_only(login: Login) -> None:
    rep = login("leadline_rep")
    lead = _lead()
    assert _allowed(rep, lambda c: c.execute(insert(Lead), [lead]))
    assert _allowed(rep, lambda c: c.execute(
        update(Lead).where(Lead.id == lead["id"]).values(status="prospect")))
    assert not _allowed(rep, lambda c: c.execute(delete(Activity)))
    assert not _allowed(rep, lambda c: c.execute(insert(AssignmentRun), [{
        "id": uuid.uuid4(), "updated_at": NOW, "device_id": DEVICE, "started_at": NOW}]))


def test_a_manager_assigns_but_only_an_admin_deletes_leads(login: Login) -> None:
    manager, admin = login("leadline_manager"), login("leadline_admin")
    lead = _lead()
    assert _allowed(manager, lambda c: c.execute(insert(Lead), [lead]))
    assert _allowed(manager, lambda c: c.execute(insert(AssignmentRun), [{
        "id": uuid.uuid4(), "updated_at": NOW, "device_id": DEVICE, "started_at": NOW}]))
    assert not _allowed(manager, lambda c: c.execute(delete(Lead).where(Lead.id == lead["id"])))
    assert _allowed(admin, lambda c: c.execute(delete(Lead).where(Lead.id == lead["id"])))
    assert _allowed(admin, lambda c: c.execute(select(SyncChunk.id)).all())
