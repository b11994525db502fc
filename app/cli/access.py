"""Which commands the booth lock and the signed-in profile's role leave open on the command line.

The command line acts as the profile signed in on this laptop, as the window does, so a booth
laptop's terminal cannot export what its window refuses. Each command belongs to the same
areas (``app.domain.access``) as its menu entry; ``users sign-in`` switches profile (asking
for its PIN when it has one). Nobody signed in leaves everything open while no profile on
the laptop has a PIN (a database being set up, a script), and capture only once one has.
"""

from __future__ import annotations

import argparse
import uuid
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from app.cli.context import CliContext, prog_name
from app.domain.access import LOCKED_AREAS, Access, AccessDeniedError, Area
from app.domain.booth_lock import LaptopLockedError
from app.domain.errors import StorageError
from app.paths import ServerAddress

# The area of each command ("command" or "command action"); a command's own entry covers its
# actions unless one is listed. Kept beside the menus' areas in app/ui/actions.py.
COMMAND_AREAS: dict[str, Area] = {
    **dict.fromkeys(("lock", "unlock", "users sign-in"), Area.ANYONE),
    **dict.fromkeys(("scan", "scan-image", "card", "leads add", "events list"),
                    Area.CAPTURE),
    **dict.fromkeys(("leads", "sync", "conflicts", "users list", "teams list", "queues list"),
                    Area.LEADS),
    **dict.fromkeys(("reminders", "tasks", "followup"), Area.FOLLOW_UP),
    **dict.fromkeys(("assign", "routing", "score", "dedupe", "users", "teams", "queues",
                     "events"), Area.ASSIGNMENT),
    "report": Area.REPORTS,
    "plan": Area.REPORTS,
    **dict.fromkeys(("import", "registrations", "demo", "customers"), Area.IMPORTS),
    **dict.fromkeys(("export", "leads export", "export-person", "erase", "retention"),
                    Area.EXPORTS),
    **dict.fromkeys(("suppress", "backup", "backups", "restore", "migrate-to", "audit"),
                    Area.SETTINGS),
}
# What still works while the laptop is locked: capturing visitors, and the lock itself.
CAPTURE_COMMANDS = frozenset(path for path, area in COMMAND_AREAS.items()
                             if area in LOCKED_AREAS)

# Commands that work on the database file itself: opening it the usual way for them would
# create or upgrade it, so the lock and the profile are read from the file as it is.
FILE_COMMANDS = frozenset({"backup", "backups", "restore", "migrate-to"})


def command_path(args: argparse.Namespace) -> str:
    """The command as typed without its options: "leads list", "export", "scan"."""
    command = str(getattr(args, "command", "") or "")
    action = getattr(args, f"{command.replace('-', '_')}_command", None)
    return f"{command} {action}" if action else command


def area_of(args: argparse.Namespace) -> Area:
    path = command_path(args)
    if path == "export" and getattr(args, "format", None) == "ics":
        return Area.FOLLOW_UP  # a rep's own tasks for their calendar, as in the window
    found = COMMAND_AREAS.get(path) or COMMAND_AREAS.get(path.split(" ")[0])
    return found if found is not None else Area.SETTINGS  # unknown: only an administrator


def refuse_unless_allowed(args: argparse.Namespace, ctx: CliContext) -> None:
    """LaptopLockedError for anything but capture while the laptop is locked, AccessDeniedError
    for a command outside the signed-in profile's role. A database that cannot even be opened
    is left to the command (restore must still reach it)."""
    area = area_of(args)
    if area is Area.ANYONE:
        return
    path = command_path(args)
    if path in FILE_COMMANDS:
        try:
            access = _file_state(ctx)
        except (OSError, SQLAlchemyError, StorageError, ValueError):
            return  # a file that cannot be read at all: restore and backups report it
    else:
        people = ctx.services.people
        access = ctx.services.lock.access(people.current_user(), people.users)
    if access.locked and area not in LOCKED_AREAS:
        raise LaptopLockedError(
            f"This laptop is locked for the booth: unlock it with `{prog_name()} unlock "
            f"--pin-file F`. '{path}' is refused while locked; only capture works "
            f"({', '.join(sorted(CAPTURE_COMMANDS - {'lock', 'unlock', 'users sign-in'}))}).")
    if not access.allows(area):
        raise AccessDeniedError(
            f"{access.refusal(area, switch=f'`{prog_name()} users sign-in EMAIL`')} "
            f"('{path}' was refused.)")


def _file_state(ctx: CliContext) -> Access:
    """The lock and the signed-in profile, read without creating or upgrading the database."""
    from app.services.context import CURRENT_USER_KEY
    from app.services.lock_service import LOCK_KEY, PIN_KEY
    from app.storage.db import Database
    from app.storage.repositories.people import PeopleRepository

    location = ctx.location
    if isinstance(location, ServerAddress):
        database = Database.on_server(location)
    elif Path(location).exists():
        database = Database(Path(location))
    else:
        return Access(None)
    try:
        locked = bool(database.get_local(LOCK_KEY))
        user_id = database.get_local(CURRENT_USER_KEY)
        with database.read() as session:
            people = PeopleRepository(session)
            user = people.user_record(uuid.UUID(user_id)) if user_id else None
            pins_set = user is None and any(database.get_local(PIN_KEY.format(u.id))
                                            for u in people.users())
            return Access(user, locked, pins_set)
    finally:
        database.dispose()
