"""``assign``, ``score`` and ``routing``: who gets which lead, and why a lead scores what it does."""

from __future__ import annotations

import argparse
import uuid
from typing import TYPE_CHECKING

from app.domain.errors import ValidationError
from app.domain.ids import parse_id
from app.domain.leads import LeadStatus
from app.domain.routing import Condition, ConditionKind, Move, TargetKind

if TYPE_CHECKING:
    from app.cli.context import CliContext, CommandTree
    from app.services.container import Services


def register(tree: CommandTree) -> None:
    assign = tree.add(
        "assign", help="re-apply the routing rules to existing leads (preview, apply, undo)",
        description="Route open leads again after rules, territories or availability changed. "
                    "--preview lists what would move, from whom, to whom and by which rule; "
                    "--apply does exactly that in one step (undo with --undo RUN_ID). A lead "
                    "whose owner is still an acceptable result of its rule stays, so applying "
                    "twice moves nothing the second time. By default only leads nobody is "
                    "working yet move (inquiry, suspect, prospect, MQL, nurture) plus orphans.",
        epilog="examples:\n  %(prog)s --preview\n  %(prog)s --apply --json\n"
               "  %(prog)s --preview --statuses inquiry,mql,sql\n  %(prog)s --undo RUN_ID",
        handler=assign_leads)
    mode = assign.add_mutually_exclusive_group(required=True)
    mode.add_argument("--preview", action="store_true", help="show what would move; change "
                                                             "nothing")
    mode.add_argument("--apply", action="store_true", help="move the leads (one undoable run)")
    mode.add_argument("--undo", metavar="RUN_ID", help="put back the leads a run moved")
    assign.add_argument("--statuses", metavar="LIST",
                        help="comma list of statuses that may move (default: inquiry, suspect, "
                             "prospect, mql, nurture); orphans always may")
    assign.add_argument("--limit", type=int, default=50, metavar="N",
                        help="without --json, show the first N moves (default 50)")

    score = tree.add(
        "score", help="explain a lead's score, list the scoring rules, or re-score every lead",
        description="Scores come from admin-editable rules (fit, engagement, negatives, decay "
                    "since the last touch); thresholds mark leads MQL and SQL.",
        epilog="examples:\n  %(prog)s --explain LEAD_ID\n  %(prog)s --rules\n  %(prog)s --all",
        handler=score_leads)
    what = score.add_mutually_exclusive_group(required=True)
    what.add_argument("--explain", metavar="LEAD_ID", help="the lead's score and every reason")
    what.add_argument("--rules", action="store_true", help="list the scoring rules")
    what.add_argument("--all", action="store_true", help="re-score every lead now")

    routing = tree.add("routing", help="list, add and delete routing rules",
                       description="Routing rules are tried in order; the first whose "
                                   "conditions all match decides where a lead goes. Leads no "
                                   "rule matches land in the catch-all queue.")
    actions = tree.group(routing, title="actions", dest="routing_command")
    actions.add("list", help="list the rules in order", handler=list_rules)
    add = actions.add(
        "add", help="add a rule at the end (or at --position)", handler=add_rule,
        epilog="examples:\n  %(prog)s DACH --when country=DE,AT,CH --to team:'Central Europe'\n"
               "  %(prog)s 'Key accounts' --when key_account=acme.com,Globex --to "
               "user:anna@example.com\n  %(prog)s 'Bavaria' --when country=DE --when "
               "postal_range=80000-87999 --to user:ben@example.com")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--when", action="append", default=[], metavar="KIND=VALUES",
                     help="a condition (repeatable; all must match). Kinds: "
                          + ", ".join(k.value for k in ConditionKind))
    add.add_argument("--to", required=True, metavar="KIND:WHO",
                     help="user:EMAIL, team:NAME or queue:NAME")
    add.add_argument("--position", type=int, metavar="N", help="order (lower first)")
    delete = actions.add("delete", help="delete a rule", handler=delete_rule)
    delete.add_argument("rule_id", metavar="RULE_ID")


def _statuses(text: str | None) -> list[LeadStatus] | None:
    if not text:
        return None
    found = []
    for part in (p.strip().lower() for p in text.split(",") if p.strip()):
        try:
            found.append(LeadStatus(part))
        except ValueError:
            choices = ", ".join(s.value for s in LeadStatus)
            raise ValidationError.single("statuses", f"'{part}' is not a status; one of: "
                                                     f"{choices}") from None
    return found


def _move_json(move: Move, names: dict[uuid.UUID, str]) -> dict[str, object]:
    return {"lead_id": str(move.lead_id), "lead": names.get(move.lead_id, ""),
            "from_owner_id": _text(move.from_owner_id), "from": _where(move.from_owner_id,
                                                                      move.from_queue_id, names),
            "to_owner_id": _text(move.to_owner_id), "to": _where(move.to_owner_id,
                                                                move.to_queue_id, names),
            "from_queue_id": _text(move.from_queue_id), "to_queue_id": _text(move.to_queue_id),
            "rule_id": _text(move.rule_id), "rule": move.rule_name, "reason": move.reason}


def _text(value: uuid.UUID | None) -> str | None:
    return str(value) if value is not None else None


def _where(owner: uuid.UUID | None, queue: uuid.UUID | None, names: dict[uuid.UUID, str]) -> str:
    if owner is not None:
        return names.get(owner, str(owner))
    if queue is not None:
        return f"queue {names.get(queue, str(queue))}"
    return "nobody"


def _names(services: Services, moves: list[Move]) -> dict[uuid.UUID, str]:
    names: dict[uuid.UUID, str] = {u.id: u.name for u in services.people.users()}
    names.update({q.id: q.name for q in services.people.queues()})
    lead_ids = [m.lead_id for m in moves]
    for start in range(0, len(lead_ids), 500):
        names.update(services.dedupe.display_names(lead_ids[start:start + 500]))
    return names


def assign_leads(args: argparse.Namespace, ctx: CliContext) -> int:
    routing = ctx.services.routing
    if args.undo:
        back = routing.undo(parse_id(args.undo))
        ctx.out.result({"run_id": args.undo, "restored": back}, f"Put {back} leads back where they were")
        return 0
    statuses = _statuses(args.statuses)
    if args.preview:
        preview = routing.preview(statuses)
        moves, run_id = list(preview.moves), None
    else:
        result = routing.apply(statuses)
        moves, run_id = list(result.moves), result.run_id
    shown = moves if ctx.out.json_mode else moves[:max(args.limit, 0)]
    names = _names(ctx.services, shown)
    if ctx.out.json_mode:
        payload: dict[str, object] = {"applied": bool(args.apply), "moves": len(moves),
                                      "details": [_move_json(m, names) for m in shown]}
        if args.apply:
            payload["run_id"] = _text(run_id)
        ctx.out.json(payload)
        return 0
    if shown:
        ctx.out.table(("lead", "from", "to", "rule", "reason"),
                      [[names.get(m.lead_id, str(m.lead_id)),
                        _where(m.from_owner_id, m.from_queue_id, names),
                        _where(m.to_owner_id, m.to_queue_id, names), m.rule_name or "—",
                        m.reason] for m in shown])
    more = f" (first {len(shown)} shown)" if len(shown) < len(moves) else ""
    if args.preview:
        ctx.out.line(f"{len(moves)} leads would move{more}. Apply with: assign --apply")
    else:
        ctx.out.line(f"Moved {len(moves)} leads{more}."
                     + (f" Undo with: assign --undo {run_id}" if run_id else ""))
    return 0


def score_leads(args: argparse.Namespace, ctx: CliContext) -> int:
    scoring = ctx.services.scoring
    if args.explain:
        record, result = scoring.explain(parse_id(args.explain))
        if ctx.out.json_mode:
            ctx.out.json({"lead_id": str(record.id), "lead": record.display_name,
                          "score": result.total, "stored_score": record.score,
                          "reasons": [{"points": r.points, "reason": r.text}
                                      for r in result.reasons],
                          "explanation": result.explain()})
            return 0
        ctx.out.line(f"{record.display_name}: score {result.total}")
        for reason in result.reasons:
            ctx.out.line(f"  {reason.points:+4d}  {reason.text}")
        if not result.reasons:
            ctx.out.line("  no rule applies")
        return 0
    if args.rules:
        config = scoring.config()
        if ctx.out.json_mode:
            ctx.out.json({"rules": [{"id": str(r.id), "kind": r.kind.value, "value": r.value,
                                     "points": r.points, "enabled": r.enabled,
                                     "describe": r.describe()} for r in config.rules],
                          "mql_threshold": config.mql_threshold,
                          "sql_threshold": config.sql_threshold,
                          "decay_points_per_week": config.decay_points_per_week,
                          "decay_max": config.decay_max})
            return 0
        ctx.out.table(("points", "rule", "enabled"),
                      [[f"{r.points:+d}", r.describe(), "yes" if r.enabled else "no"]
                       for r in config.rules])
        ctx.out.line(f"MQL at {config.mql_threshold}, SQL at {config.sql_threshold}; decay "
                     f"{config.decay_points_per_week} a week, at most {config.decay_max}")
        return 0
    summary = scoring.rescore_all()
    ctx.out.result(
        summary,
        f"Re-scored {summary.leads} leads: {summary.changed} changed, "
        f"{summary.promoted} promoted to MQL/SQL ({summary.seconds:.1f} s)")
    return 0


def list_rules(args: argparse.Namespace, ctx: CliContext) -> int:
    rules = ctx.services.routing.rules()
    targets = _targets(ctx.services)
    if ctx.out.json_mode:
        ctx.out.json({"rules": [{"id": str(r.id), "name": r.name, "position": r.position,
                                 "conditions": [{"kind": c.kind.value, "values": list(c.values)}
                                                for c in r.conditions],
                                 "target_kind": r.target_kind.value,
                                 "target_id": str(r.target_id),
                                 "target": targets.get(r.target_id, ""), "enabled": r.enabled}
                                for r in rules]})
        return 0
    if rules:
        ctx.out.table(("position", "name", "when", "to", "id"),
                      [[str(r.position), r.name, r.describe(),
                        f"{r.target_kind.value} {targets.get(r.target_id, '?')}", str(r.id)]
                       for r in rules])
    ctx.out.line(f"{len(rules)} rules; leads no rule matches go to the catch-all queue")
    return 0


def _targets(services: Services) -> dict[uuid.UUID, str]:
    names = {u.id: u.name for u in services.people.users()}
    names.update({t.id: t.name for t in services.people.teams()})
    names.update({q.id: q.name for q in services.people.queues()})
    return names


def add_rule(args: argparse.Namespace, ctx: CliContext) -> int:
    conditions = []
    for text in args.when:
        kind_text, sep, values = text.partition("=")
        if not sep:
            raise ValidationError.single("when", f"'{text}' needs KIND=VALUES, e.g. "
                                                 "country=DE,AT")
        try:
            kind = ConditionKind(kind_text.strip().lower())
        except ValueError:
            choices = ", ".join(k.value for k in ConditionKind)
            raise ValidationError.single("when", f"'{kind_text}' is not a condition kind; one "
                                                 f"of: {choices}") from None
        conditions.append(Condition.parse(kind, values))
    kind_text, sep, who = args.to.partition(":")
    if not sep or not who.strip():
        raise ValidationError.single("to", "use user:EMAIL, team:NAME or queue:NAME")
    try:
        target_kind = TargetKind(kind_text.strip().lower())
    except ValueError:
        raise ValidationError.single("to", "use user:EMAIL, team:NAME or queue:NAME") from None
    target_id = _target_id(ctx.services, target_kind, who.strip())
    rule = ctx.services.routing.add_rule(args.name, conditions, target_kind, target_id,
                                         position=args.position)
    ctx.out.result(
        {"id": str(rule.id), "name": rule.name, "position": rule.position,
         "describe": rule.describe()},
        f"Added rule {rule.id}: {rule.name} ({rule.describe()}). "
        "Re-apply to existing leads with: assign --preview")
    return 0


def _target_id(services: Services, kind: TargetKind, who: str) -> uuid.UUID:
    if kind is TargetKind.USER:
        return services.people.user_by_email(who).id
    folded = who.casefold()
    found = ([t.id for t in services.people.teams() if t.name.casefold() == folded]
             if kind is TargetKind.TEAM else
             [q.id for q in services.people.queues() if q.name.casefold() == folded])
    if not found:
        raise ValidationError.single("to", f"no {kind.value} named '{who}'")
    return found[0]


def delete_rule(args: argparse.Namespace, ctx: CliContext) -> int:
    ctx.services.routing.delete_rule(parse_id(args.rule_id))
    ctx.out.result({"deleted": args.rule_id}, f"Deleted rule {args.rule_id}")
    return 0
