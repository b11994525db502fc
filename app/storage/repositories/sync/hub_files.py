"""The team server's table of sync files (the hub's "folder"), and the turn that lets one
laptop at a time exchange through it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.storage.db import Database
from app.storage.orm import SyncHubFile

# Any constant every laptop agrees on: "LEADHUB!" as eight bytes.
HUB_LOCK_KEY = int.from_bytes(b"LEADHUB!", "big") & 0x7FFF_FFFF_FFFF_FFFF


class HubFiles:
    def __init__(self, session: Session) -> None:
        self.session = session

    def index(self) -> dict[str, str]:
        """Every file's name and sha256."""
        return dict(self.session.execute(select(SyncHubFile.name, SyncHubFile.digest)).all())

    def body(self, name: str) -> bytes | None:
        return self.session.scalar(select(SyncHubFile.body).where(SyncHubFile.name == name))

    def put(self, name: str, digest: str, body: bytes) -> None:
        found = self.session.get(SyncHubFile, name)
        if found is None:
            self.session.add(SyncHubFile(name=name, digest=digest, body=body))
        else:
            found.digest, found.body = digest, body

    def remove(self, names: Iterable[str]) -> None:
        wanted = list(names)
        if wanted:
            self.session.execute(delete(SyncHubFile).where(SyncHubFile.name.in_(wanted)))

    def total_bytes(self) -> int:
        return int(self.session.scalar(select(func.coalesce(
            func.sum(func.length(SyncHubFile.body)), 0))) or 0)


@contextlib.contextmanager
def hub_turn(database: Database) -> Iterator[None]:
    """Hold the hub until the block ends (a session-level advisory lock on its own
    connection, released if the laptop's connection dies): exchanges never interleave."""
    with database.engine.connect() as connection:
        connection.exec_driver_sql(f"SELECT pg_advisory_lock({HUB_LOCK_KEY})")
        connection.commit()
        try:
            yield
        finally:
            connection.exec_driver_sql(f"SELECT pg_advisory_unlock({HUB_LOCK_KEY})")
            connection.commit()
