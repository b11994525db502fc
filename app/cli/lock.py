"""`lock` and `unlock`: the booth lock from the command line (what it refuses: app/cli/access.py)."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.cli.context import CliContext, CommandTree, prog_name
from app.domain.booth_lock import MIN_PIN_LENGTH, PinError

PIN_FILE_HELP = (f"a file holding the PIN (at least {MIN_PIN_LENGTH} characters; the line end "
                 "is ignored), so it never shows in the shell's history or the process list")


def register(tree: CommandTree) -> None:
    lock = tree.add(
        "lock", help="lock this laptop for the booth (capture only) with a PIN",
        description="Lock this laptop into capture-only mode, in the app and on the command "
                    "line: only scan, leads add and events list work until it is unlocked with "
                    "the same PIN. Only an administrator or a sales manager may lock (or anyone "
                    "before a profile is chosen). The PIN is kept as a slow salted hash, on "
                    "this laptop only.",
        epilog="examples:\n  %(prog)s --pin-file ~/booth.pin", handler=lock_command)
    lock.add_argument("--pin-file", required=True, type=Path, metavar="FILE", help=PIN_FILE_HELP)
    unlock = tree.add(
        "unlock", help="unlock this laptop with the booth PIN",
        description="Open every command and page again. Each wrong PIN makes the next try wait "
                    "longer (1, 2, 4 … 30 s); the right one resets the wait.",
        epilog="examples:\n  %(prog)s --pin-file ~/booth.pin", handler=unlock_command)
    unlock.add_argument("--pin-file", required=True, type=Path, metavar="FILE", help=PIN_FILE_HELP)


def lock_command(args: argparse.Namespace, ctx: CliContext) -> int:
    pin = read_pin(args.pin_file)
    services = ctx.services
    lock = services.lock.lock(pin, by=services.people.current_user())
    ctx.out.result({"locked": True, "locked_at": lock.locked_at},
                   f"This laptop is locked for the booth. Unlock it with "
                   f"`{prog_name()} unlock --pin-file FILE`.")
    return 0


def unlock_command(args: argparse.Namespace, ctx: CliContext) -> int:
    pin = read_pin(args.pin_file)
    lock = ctx.services.lock
    if not lock.is_locked():
        ctx.out.result({"locked": False, "was_locked": False}, "This laptop is not locked.")
        return 0
    lock.unlock(pin)  # WrongPinError: exit 1, naming the wait
    ctx.out.result({"locked": False, "was_locked": True}, "This laptop is unlocked.")
    return 0


# A PIN is a line; anything longer is the wrong file (a database, a /dev/zero), not read whole.
MAX_PIN_FILE_BYTES = 1024


def read_pin(path: Path) -> str:
    try:
        with path.expanduser().open("rb") as handle:
            raw = handle.read(MAX_PIN_FILE_BYTES + 1)
        if len(raw) > MAX_PIN_FILE_BYTES:
            raise PinError(f"{path} is not a PIN file: it holds more than "
                           f"{MAX_PIN_FILE_BYTES} bytes. Give a file with the PIN on one line.")
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise PinError(f"Cannot read the PIN file {path}: {getattr(error, 'strerror', None) or error}") \
            from error
    pin = text.rstrip("\r\n")
    if len(pin) < MIN_PIN_LENGTH:
        raise PinError(f"The PIN in {path} is shorter than {MIN_PIN_LENGTH} characters.")
    return pin
