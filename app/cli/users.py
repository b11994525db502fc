"""``users`` commands: the people who capture and work leads."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli.lock import PIN_FILE_HELP, read_pin
from app.domain.access import AccessDeniedError, roles_a_new_profile_may_take
from app.domain.errors import ValidationError
from app.domain.people import Availability, Role, RoutingMode, UserRecord

if TYPE_CHECKING:
    from app.cli.context import CliContext, CommandTree


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
    add.add_argument("--territories", default="", metavar="CODES",
                     help="comma list of ISO countries the user covers, e.g. DE,AT,CH "
                          "(scoring: 'country in a served territory')")
    actions.add("list", help="list users", handler=list_users)
    availability = actions.add(
        "availability", help="mark a user active, away or inactive",
        description="Away and inactive users receive no new leads; their open leads count as "
                    "orphans until re-assigned (see: assign --preview).",
        handler=set_availability)
    availability.add_argument("email", metavar="EMAIL")
    availability.add_argument("state", choices=[a.value for a in Availability])
    sign_in = actions.add(
        "sign-in", help="act as this user on this laptop (window and command line)",
        description="The command line acts as the profile signed in on this laptop, as the "
                    "window does: a booth profile may only capture, a rep sees their own "
                    "leads, exports and settings need an administrator. A profile with a PIN "
                    "needs --pin-file; each wrong PIN makes the next try wait longer.",
        epilog="example:\n  %(prog)s maria@example.com --pin-file ~/maria.pin",
        handler=sign_in_user)
    sign_in.add_argument("email", metavar="EMAIL")
    sign_in.add_argument("--pin-file", type=Path, metavar="FILE", help=PIN_FILE_HELP)

    teams = tree.add("teams", help="add and list teams (round robin or least open leads)")
    team_actions = tree.group(teams, title="actions", dest="teams_command")
    team_add = team_actions.add("add", help="add a team", handler=add_team,
                                epilog="example:\n  %(prog)s 'Central Europe' --mode least_open")
    team_add.add_argument("name", metavar="NAME")
    team_add.add_argument("--mode", choices=[m.value for m in RoutingMode],
                          default=RoutingMode.ROUND_ROBIN.value,
                          help="how the team shares leads (default round_robin)")
    team_actions.add("list", help="list teams", handler=list_teams)

    queues = tree.add("queues", help="add and list lead queues")
    queue_actions = tree.group(queues, title="actions", dest="queues_command")
    queue_add = queue_actions.add("add", help="add a queue", handler=add_queue)
    queue_add.add_argument("name", metavar="NAME")
    queue_add.add_argument("--team", metavar="NAME", help="the team working this queue")
    queue_add.add_argument("--catch-all", action="store_true",
                           help="leads no routing rule matches land here")
    queue_actions.add("list", help="list queues", handler=list_queues)


def add_user(args: argparse.Namespace, ctx: CliContext) -> int:
    people = ctx.services.people
    me = people.current_user()
    wanted = next((r for r in Role if r.value == args.role.strip().lower()), None)
    if me is not None and wanted is not None and \
            wanted not in roles_a_new_profile_may_take(me, True):
        raise AccessDeniedError(
            f"A {me.role.label.lower()} profile cannot add a profile with the role "
            f"{wanted.label.lower()}: ask an administrator.")
    capacity = _capacity(args.capacity)
    territories = [t.strip().upper() for t in args.territories.split(",") if t.strip()]
    record = people.add_user(args.name, args.email, args.role, team=args.team,
                                          capacity=capacity, territories=territories)
    if ctx.out.json_mode:
        ctx.out.json(record)
    else:
        ctx.out.line(f"Added user {record.id}  {record.name} <{record.email}>")
        ctx.out.table(USER_HEADERS, [user_row(record)])
    return 0


def sign_in_user(args: argparse.Namespace, ctx: CliContext) -> int:
    services = ctx.services
    user = services.people.user_by_email(args.email)
    if services.lock.has_pin(user.id):
        if args.pin_file is None:
            raise ValidationError.single(
                "pin_file", f"{user.name}'s profile has a PIN: give it with --pin-file FILE")
        services.lock.check_pin(user.id, read_pin(args.pin_file))  # WrongPinError: exit 1
    services.people.sign_in(user.id)
    ctx.out.result({"signed_in": {"id": str(user.id), "name": user.name,
                                  "role": user.role.value}},
                   f"Signed in as {user.name} ({user.role.label.lower()}) on this laptop.")
    return 0


def list_users(args: argparse.Namespace, ctx: CliContext) -> int:
    ctx.out.listing("users", ctx.services.people.users(), USER_HEADERS, user_row, "user")
    return 0


def set_availability(args: argparse.Namespace, ctx: CliContext) -> int:
    people = ctx.services.people
    record = people.set_availability(people.user_by_email(args.email).id,
                                     Availability(args.state))
    ctx.out.result(record, f"{record.name} is now {record.availability.label.lower()}")
    return 0


def add_team(args: argparse.Namespace, ctx: CliContext) -> int:
    team = ctx.services.people.add_team(args.name, RoutingMode(args.mode))
    ctx.out.result(team, f"Added team {team.id}  {team.name} ({team.routing_mode.value})")
    return 0


def list_teams(args: argparse.Namespace, ctx: CliContext) -> int:
    ctx.out.listing("teams", ctx.services.people.teams(), ("id", "name", "mode"),
                    lambda t: [str(t.id), t.name, t.routing_mode.value], "team")
    return 0


def add_queue(args: argparse.Namespace, ctx: CliContext) -> int:
    team_id = None
    if args.team:
        matches = [t.id for t in ctx.services.people.teams()
                   if t.name.casefold() == args.team.strip().casefold()]
        if not matches:
            raise ValidationError.single("team", f"no team named '{args.team}'")
        team_id = matches[0]
    queue = ctx.services.people.add_queue(args.name, team_id=team_id, catch_all=args.catch_all)
    ctx.out.result(
        queue,
        f"Added queue {queue.id}  {queue.name}"
        + (" (catch-all)" if queue.is_catch_all else ""))
    return 0


def list_queues(args: argparse.Namespace, ctx: CliContext) -> int:
    ctx.out.listing("queues", ctx.services.people.queues(), ("id", "name", "catch-all"),
                    lambda q: [str(q.id), q.name, "yes" if q.is_catch_all else ""], "queue")
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
