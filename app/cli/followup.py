"""``reminders``, ``tasks`` and ``followup check``: pursuit from scripts.

``export --format ics`` (a user's tasks as iCalendar) lives with the other exports in
app/cli/exports.py.
"""

from __future__ import annotations

import argparse
import uuid
from typing import TYPE_CHECKING

from app.domain.contact_data import parse_date
from app.domain.errors import ValidationError
from app.domain.ids import parse_id
from app.domain.tasks import TaskOutcome

if TYPE_CHECKING:
    from app.cli.context import CliContext, CommandTree
    from app.storage.repositories.tasks import DueItem

_OUTCOMES = ", ".join(o.value for o in TaskOutcome)


def register(tree: CommandTree) -> None:
    reminders = tree.add(
        "reminders", help="a rep's follow-up tasks: overdue, due today, this week",
        description="What a rep has to do, most urgent first (due time, then hot before cold, "
                    "then score). Works offline like everything else.",
        epilog="examples:\n  %(prog)s --owner anna@example.com\n"
               "  %(prog)s --owner anna@example.com --due overdue --json",
        handler=list_reminders)
    reminders.add_argument("--owner", metavar="EMAIL",
                           help="whose tasks (default: the user signed in on this laptop)")
    reminders.add_argument("--due", choices=("overdue", "today", "week"), default="week",
                           help="overdue only, overdue and today, or the whole week (default)")

    tasks = tree.add("tasks", help="complete or move follow-up tasks")
    actions = tree.group(tasks, title="actions", dest="tasks_command")
    done = actions.add("done", help="mark a task done and log the touch", handler=task_done,
                       epilog=f"outcomes: {_OUTCOMES}\nexample:\n  %(prog)s TASK_ID "
                              "--outcome voicemail --note 'left a message'")
    done.add_argument("task_id", metavar="TASK_ID")
    done.add_argument("--outcome", metavar="OUTCOME", help=f"one of: {_OUTCOMES}")
    done.add_argument("--note", default="", metavar="TEXT")
    snooze = actions.add("snooze", help="move a task to a later day, with a reason",
                         handler=task_snooze)
    snooze.add_argument("task_id", metavar="TASK_ID")
    snooze.add_argument("--until", required=True, metavar="DATE",
                        help="the new day (e.g. 2026-12-01); the task keeps its time of day")
    snooze.add_argument("--reason", required=True, metavar="TEXT")

    check = tree.add("followup", help="check first-touch service levels and nurture returns")
    check_actions = tree.group(check, title="actions", dest="followup_command")
    check_actions.add("check", help="flag missed first touches (and escalate), bring back "
                                    "nurture leads whose date arrived", handler=followup_check)


def _owner_id(args: argparse.Namespace, ctx: CliContext) -> uuid.UUID:
    if args.owner:
        return ctx.services.people.user_by_email(args.owner).id
    current = ctx.services.context.current_user_id
    if current is None:
        raise ValidationError.single("owner", "give --owner EMAIL (nobody is signed in on this "
                                              "laptop)")
    return current


def _item_json(item: DueItem, bucket: str) -> dict[str, object]:
    return {"task_id": str(item.task_id), "lead_id": str(item.lead_id), "kind": item.kind.value,
            "title": item.title, "due_at": item.due_at.isoformat(), "bucket": bucket,
            "lead": item.lead_name, "company": item.company, "email": item.email,
            "phone": item.phone, "rating": item.rating.value if item.rating else None,
            "score": item.score, "cadence_step": item.cadence_step}


def list_reminders(args: argparse.Namespace, ctx: CliContext) -> int:
    day = ctx.services.followup.my_day(_owner_id(args, ctx))
    buckets = [("overdue", day.overdue)]
    if args.due in ("today", "week"):
        buckets.append(("today", day.today))
    if args.due == "week":
        buckets.append(("upcoming", day.upcoming))
    if ctx.out.json_mode:
        ctx.out.json({"due_now": day.due_now,
                      "tasks": [_item_json(i, name) for name, items in buckets for i in items]})
        return 0
    for name, items in buckets:
        ctx.out.line(f"{name.capitalize()} ({len(items)})")
        if items:
            ctx.out.table(("due", "kind", "task", "lead", "phone", "task id"),
                          [[i.due_at.astimezone().strftime("%a %d %b %H:%M"), i.kind.label,
                            i.title, i.lead_name, i.phone, str(i.task_id)] for i in items])
    return 0


def task_done(args: argparse.Namespace, ctx: CliContext) -> int:
    ctx.services.followup.complete(parse_id(args.task_id), args.outcome, args.note)
    ctx.out.result(
        {"task_id": args.task_id, "done": True, "outcome": args.outcome},
        f"Done: task {args.task_id}" + (f" ({args.outcome})" if args.outcome else ""))
    return 0


def task_snooze(args: argparse.Namespace, ctx: CliContext) -> int:
    try:
        day = parse_date(args.until)
    except ValueError as exc:
        raise ValidationError.single("until", str(exc)) from None
    until = ctx.services.followup.snooze_to_day(parse_id(args.task_id), day, args.reason)
    ctx.out.result(
        {"task_id": args.task_id, "due_at": until.isoformat()},
        f"Moved task {args.task_id} to {until.astimezone():%a %d %b %H:%M}")
    return 0


def followup_check(args: argparse.Namespace, ctx: CliContext) -> int:
    sla = ctx.services.followup.check_service_levels()
    back = ctx.services.followup.return_from_nurture()
    restored = sla.restored
    if ctx.out.json_mode:
        ctx.out.json({"breached": [str(i) for i in sla.breached], "escalated": sla.escalated,
                      "back_from_nurture": back.count,
                      "deadlines_restored": len(restored.deadlines) if restored else 0,
                      "cadences_restored": len(restored.cadences) if restored else 0})
    else:
        for change in restored.changes if restored else ():
            ctx.out.line(change.summary)
        ctx.out.line(f"{len(sla.breached)} first touches missed ({sla.escalated} escalated); "
                     f"{back.count} leads back from nurture")
    return 0
