"""PostgreSQL runs the same Alembic history as SQLite: the schema at head equals the models."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Engine, MetaData, String, create_engine, inspect

from app.storage.fulltext import POSTGRESQL_INDEX
from app.storage.migrate import alembic_config, head_revision
from app.storage.orm import Base
from tests.pg_server import create_database

pytestmark = pytest.mark.postgresql


def _run(engine: Engine, action: str, target: str) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, action)(config, target)


def _schema_diff(engine: Engine, metadata: MetaData = Base.metadata) -> list[Any]:
    """compare_metadata inside the real migrations/env.py (its include_object, compare_type)."""
    config = alembic_config()
    script = ScriptDirectory.from_config(config)
    found: list[Any] = []

    def compare(_revision: Any, context: MigrationContext) -> list[Any]:
        found.extend(compare_metadata(context, metadata))
        return []

    with engine.connect() as connection:
        config.attributes["connection"] = connection
        with EnvironmentContext(config, script, fn=compare):
            script.run_env()
    return found


def _revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@pytest.fixture
def engine(postgres_server: str) -> Iterator[Engine]:
    engine = create_engine(create_database(postgres_server, f"t_{uuid.uuid4().hex[:12]}"))
    yield engine
    engine.dispose()


def test_upgrade_head_on_empty_database_matches_the_models(engine: Engine) -> None:
    _run(engine, "upgrade", "head")
    assert _revision(engine) == head_revision()
    assert _schema_diff(engine) == []


def test_schema_comparison_notices_drift(engine: Engine) -> None:
    """The check above can fail on PostgreSQL too: a column the migrations lack shows up."""
    _run(engine, "upgrade", "head")
    drifted = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.sorted_tables:
        table.to_metadata(drifted)
    drifted.tables["lead"].append_column(Column("favourite_colour", String(20)))
    diff = _schema_diff(engine, drifted)
    assert [(d[0], d[2], d[3].name) for d in diff] == [
        ("add_column", "lead", "favourite_colour")]


def test_trigram_search_index_exists(engine: Engine) -> None:
    _run(engine, "upgrade", "head")
    indexes = {index["name"] for index in inspect(engine).get_indexes("lead")}
    assert POSTGRESQL_INDEX in indexes
    with engine.connect() as connection:
        definition = connection.exec_driver_sql(
            "SELECT indexdef FROM pg_indexes WHERE indexname = %s", (POSTGRESQL_INDEX,)).scalar()
    assert definition is not None
    assert "USING gin" in definition and "gin_trgm_ops" in definition


def test_downgrade_to_base_and_upgrade_again(engine: Engine) -> None:
    _run(engine, "upgrade", "head")
    _run(engine, "downgrade", "base")
    assert _revision(engine) is None
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    _run(engine, "upgrade", "head")
    assert _schema_diff(engine) == []
