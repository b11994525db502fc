"""Alembic environment, embedded: the app hands in its connection; no fileConfig (alembic#714)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from app.storage.fulltext import POSTGRESQL_INDEX, SHADOW_TABLES
from app.storage.orm import EXPRESSION_INDEXES, Base
from app.storage.portable import POSTGRESQL_COUNT_INDEXES, POSTGRESQL_SORT_INDEXES

target_metadata = Base.metadata


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
                   ) -> bool:
    """Leave out what the models do not describe: the search structures (SQLite's FTS5 tables,
    PostgreSQL's trigram index), PostgreSQL's NULLS FIRST sort indexes (each on its own dialect
    only) and expression indexes, which reflection cannot compare."""
    if type_ == "table" and name in SHADOW_TABLES:
        return False
    return not (type_ == "index" and (name in EXPRESSION_INDEXES or name == POSTGRESQL_INDEX
                                      or name in POSTGRESQL_SORT_INDEXES
                                      or name in POSTGRESQL_COUNT_INDEXES))


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        include_object=include_object,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is None:
    from sqlalchemy import create_engine

    url = context.config.get_main_option("sqlalchemy.url")
    assert url, "run migrations through app.storage.migrate, or set sqlalchemy.url"
    with create_engine(url).connect() as fresh:
        run_migrations(fresh)
        fresh.commit()
else:
    run_migrations(connection)
