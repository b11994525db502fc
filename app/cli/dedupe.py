"""``dedupe``: list likely duplicate leads with a score and the reasons, best first; merge
two of them, undo a merge, or merge all of them at once."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from app.cli.output import count_of
from app.domain.dedupe.clusters import MergeGroup
from app.domain.dedupe.keys import DEFAULT_MIN_SCORE
from app.domain.errors import ValidationError
from app.domain.ids import parse_id
from app.domain.serialise import lead_to_dict

if TYPE_CHECKING:
    from app.cli.context import CliContext, CommandTree


def register(tree: CommandTree) -> None:
    parser = tree.add(
        "dedupe", help="list likely duplicate leads with scores and reasons",
        description="Scan all live leads for likely duplicates: the same email, phone or badge "
                    "at an event, or similar names (typos, nicknames, swapped first and last "
                    "name) backed by the same company. People known only by name, postal "
                    "address and date of birth (no email or phone) are matched field by field "
                    "(street and house number, postcode, city, state, birth date with day and "
                    "month swapped or a year typo); their score is the probability in percent "
                    "that the two are one person. Each pair has a score from 0 to 100 and the "
                    "reasons. Nothing is changed.",
        epilog="examples:\n  %(prog)s\n  %(prog)s --min-score 90 --json\n"
               "  %(prog)s merge KEEP_ID OTHER_ID --take title,phone\n"
               "  %(prog)s unmerge OTHER_ID\n"
               "  %(prog)s merge-all --min-score 95          (lists what it would merge)\n"
               "  %(prog)s merge-all --min-score 95 --yes --json",
        handler=dedupe)
    parser.add_argument("action", nargs="*", metavar="merge KEEP OTHER | unmerge ID | merge-all",
                        help="merge OTHER into KEEP (history, tasks and answers move over; "
                             "undo with unmerge); merge-all merges every group of likely "
                             "duplicates into the lead with the most filled fields (then the "
                             "oldest), one undoable merge per lead, recorded in the audit trail")
    parser.add_argument("--yes", action="store_true",
                        help="with merge-all: merge; without it merge-all only lists what it "
                             "would merge and exits 2")
    parser.add_argument("--take", default="", metavar="FIELDS",
                        help="with merge: comma-separated fields whose value comes from OTHER "
                             "(KEEP's values win otherwise; blanks are filled from OTHER)")
    parser.add_argument("--min-score", type=float, default=DEFAULT_MIN_SCORE, metavar="S",
                        help=f"lowest score listed, 0-100 (default {DEFAULT_MIN_SCORE:g}; "
                             "lower finds more pairs and more false alarms)")


def dedupe(args: argparse.Namespace, ctx: CliContext) -> int:
    action = args.action
    if not action:
        return list_duplicates(args, ctx)
    if action[0] == "merge" and len(action) == 3:
        take = [f.strip() for f in args.take.split(",") if f.strip()]
        result = ctx.services.merges.merge(parse_id(action[1]), parse_id(action[2]), take)
        ctx.out.result(
            {"survivor": lead_to_dict(result.survivor),
             "merged_id": str(result.merged_id),
             "fields_taken": list(result.fields_taken), "moved": result.moved},
            f"Merged into {result.survivor.display_name} ({result.survivor.id}); "
            f"{len(result.fields_taken)} fields taken over, {result.moved} history "
            f"rows, tasks and answers moved. Undo: dedupe unmerge {result.merged_id}")
        return 0
    if action == ["merge-all"]:
        return merge_all(args, ctx)
    if action[0] == "unmerge" and len(action) == 2:
        restored = ctx.services.merges.undo(parse_id(action[1]))
        ctx.out.result(
            {"restored": lead_to_dict(restored)},
            f"Unmerged: {restored.display_name} ({restored.id}) is back")
        return 0
    raise ValidationError.single("action", "write: dedupe merge KEEP_ID OTHER_ID, "
                                           "dedupe unmerge ID, or dedupe merge-all")


def list_duplicates(args: argparse.Namespace, ctx: CliContext) -> int:
    if not 0 <= args.min_score <= 100:
        ctx.out.error("--min-score must be between 0 and 100")
        return 2
    services = ctx.services
    pairs = services.dedupe.scan(min_score=args.min_score)
    names = services.dedupe.display_names({i for p in pairs for i in (p.a, p.b)})
    if ctx.out.json_mode:
        ctx.out.json({"pairs": [
            {"a": str(p.a), "b": str(p.b), "a_name": names.get(p.a, ""),
             "b_name": names.get(p.b, ""), "score": p.score, "reasons": list(p.reasons)}
            for p in pairs]})
        return 0
    if pairs:
        ctx.out.table(("score", "lead a", "lead b", "reasons", "id a", "id b"),
                      [[f"{p.score:.1f}", names.get(p.a, ""), names.get(p.b, ""),
                        "; ".join(p.reasons), str(p.a), str(p.b)] for p in pairs])
    ctx.out.line(f"{len(pairs)} likely duplicate pairs (score >= {args.min_score:g})")
    return 0


def merge_all(args: argparse.Namespace, ctx: CliContext) -> int:
    if not 0 <= args.min_score <= 100:
        ctx.out.error("--min-score must be between 0 and 100")
        return 2
    merges = ctx.services.merges
    if not args.yes:
        plan = merges.plan_merge_all(args.min_score)
        _show_groups(ctx, plan, "would_merge", "would merge", args.min_score)
        if not plan:
            return 0
        ctx.out.error("add --yes to merge")
        return 2
    result = merges.merge_all(args.min_score)
    _show_groups(ctx, list(result.groups), "merged", "merged", args.min_score)
    if not ctx.out.json_mode and result.groups:
        ctx.out.line("Each merge can be undone on its own: dedupe unmerge ID")
    return 0


def _show_groups(ctx: CliContext, groups: list[MergeGroup], key: str, verb: str,
                 min_score: float) -> None:
    leads_merged = sum(len(g.merged) for g in groups)
    if ctx.out.json_mode:
        ctx.out.json({key: [{"survivor": str(g.survivor),
                             "merged_ids": [str(i) for i in g.merged]} for g in groups],
                      "groups": len(groups), "leads_merged": leads_merged})
        return
    if not groups:
        ctx.out.line(f"No likely duplicates at score >= {min_score:g}: nothing to merge")
        return
    names = ctx.services.dedupe.display_names(
        {i for g in groups for i in (g.survivor, *g.merged)})
    # One row per lead merged away, its id whole: the id `dedupe unmerge` takes.
    ctx.out.table(("survivor", "merged away", "id"),
                  [[names.get(g.survivor, ""), names.get(other, ""), str(other)]
                   for g in groups for other in g.merged])
    ctx.out.line(f"{verb.capitalize()} {count_of(leads_merged, 'lead')} into "
                 f"{count_of(len(groups), 'survivor')} (score >= {min_score:g})")
