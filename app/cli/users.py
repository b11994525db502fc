"""``users`` commands: the people who capture and work leads."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from app.domain.errors import ValidationError
from app.domain.people import Role, UserRecord

if TYPE_CHECKING:
    from app.cli.main import CliContext, CommandTree


def register(tree: CommandTree) -> None:
    users = tree.add("users", help="add and list users (booth staff, reps, managers)",
                     description="Users: who captures leads and who owns them.")
    actions = tree.group(users, title="actions", dest="users_command")
    roles = ", ".join(r.value for r in Role)
    add = actions.add("add", help="add a user", handler=add_user,
                      epilog="example:\n  %(prog)s --name \"Anna Weber\" "
                             "--email anna@example.com --role rep --capacity 40")
    add.add_argument("--name", required=True, metavar="NAME", help="full name")
    add.add_argument("--email", required=True, metavar="EMAIL",
                     help="email address (unique; used as --owner of leads)")
    add.add_argument("--role", required=True, metavar="ROLE", help=f"one of: {roles}")
    add.add_argument("--team", metavar="NAME", help="the team the user belongs to")
    add.add_argument("--capacity", metavar="N",
                     help="how many open leads the user can take (for load balancing)")
    actions.add("list", help="list users", handler=list_users)


def add_user(args: argparse.Namespace, ctx: CliContext) -> int:
    capacity = _capacity(args.capacity)
    record = ctx.services.people.add_user(args.name, args.email, args.role, team=args.team,
                                          capacity=capacity)
    if ctx.out.json_mode:
        ctx.out.json(record)
    else:
        ctx.out.line(f"Added user {record.id}  {record.name} <{record.email}>")
        ctx.out.table(USER_HEADERS, [user_row(record)])
    return 0


def list_users(args: argparse.Namespace, ctx: CliContext) -> int:
    records = ctx.services.people.users()
    if ctx.out.json_mode:
        ctx.out.json({"users": records})
        return 0
    if records:
        ctx.out.table(USER_HEADERS, [user_row(r) for r in records])
    ctx.out.line(f"{len(records)} users")
    return 0


USER_HEADERS = ("id", "name", "email", "role", "team", "capacity", "availability")


def user_row(record: UserRecord) -> list[str]:
    return [str(record.id), record.name, record.email, record.role.label, record.team_name,
            "" if record.capacity is None else str(record.capacity),
            record.availability.label]


def _capacity(text: str | None) -> int | None:
    if text is None or not text.strip():
        return None
    try:
        return int(text.strip())
    except ValueError:
        raise ValidationError.single("capacity", f"'{text}' is not a whole number") from None
