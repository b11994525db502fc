"""Moving the team from this database file onto a PostgreSQL server, once, verified."""

from __future__ import annotations

from app.domain.errors import ValidationError
from app.domain.progress import CancelCheck, Progress
from app.paths import DatabaseLocationError, ServerAddress, database_location, resource
from app.services.context import ServiceContext
from app.services.sync.handover import handing_over
from app.storage.server_copy import ServerCopy, copy_to_server

EXAMPLES = "postgresql://USER@HOST/DATABASE or postgresql:///DATABASE?service=NAME"
ROLES_SQL = resource("postgresql/roles.sql")
NO_PASSWORDS = ("Leave the password out of the address: PostgreSQL finds it in ~/.pgpass or a "
                "service file (~/.pg_service.conf), Leadline in the system keyring.")


def server_address(text: str, field: str = "url") -> ServerAddress:
    """The server database a person typed; a password or a database file is refused."""
    try:
        location = database_location(text)
    except DatabaseLocationError as error:
        raise ValidationError.single(field, str(error)) from None
    if not isinstance(location, ServerAddress):
        raise ValidationError.single(field, f"is not a PostgreSQL server address; give {EXAMPLES}")
    return location


class ServerMoveService:
    """Copies the open database file into an empty server database (see app/storage/server_copy)."""

    def __init__(self, context: ServiceContext) -> None:
        self.context = context
        self.db = context.db

    def move_to(self, server: ServerAddress, *, progress: Progress | None = None,
                cancelled: CancelCheck | None = None) -> ServerCopy:
        """Copy every table to ``server`` and check it there; then the server's replica and
        this file's agree on what sync has recorded (their first exchange sends ~nothing)."""
        with handing_over(self.context, server):
            return copy_to_server(self.db, server, progress, cancelled)


def next_steps(source: str, result: ServerCopy) -> list[str]:
    """What the person does after the copy, in order."""
    return [
        f"Create the server roles once and give each person a login in theirs: {ROLES_SQL} "
        "says how.",
        f"Point every laptop at the server: --db '{result.server}' (or $LEADLINE_DB), with each "
        "person's own user name; passwords go in ~/.pgpass or the keyring, never in the address.",
        f"Keep {source} as the backup of the day you moved; do not work in it any more, or its "
        "changes stay on this laptop.",
    ]
